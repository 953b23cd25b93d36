/**
 * Import and export figures (issue 15, docs/design.md §19 B), embedded: a
 * 20,000-link Netscape file imported through POST /v1/import (time from the
 * request to the job done, and the process's peak RSS during it as a ratio to
 * its RSS idle just before), then exported (time to the whole file, per
 * format). Run alone: `node --import tsx bench/import-export.ts`
 * (BENCH_IMPORT_LINKS, default 20000).
 */
import { startEmbedded, type Deployment } from '@delinkcious/testing';
import { call } from '@delinkcious/testing';
import { rssMiB } from './measure.ts';

export interface ImportExportFigures {
  links: number;
  fileMB: number;
  rssIdleMiB: number;
  rssPeakMiB: number;
  rssPeakRatio: number;
  /** From the POST to the job done. */
  importMs: number;
  /** The POST alone: the file read, the entries stored as a job. */
  acceptMs: number;
  linksPerSecond: number;
  exportMs: Record<string, number>;
  exportMB: Record<string, number>;
}

export function netscapeFile(count: number): string {
  const rows: string[] = [];
  for (let i = 0; i < count; i++) {
    // Many hosts, as a real library has; .invalid never resolves, so the paced checks end quickly.
    rows.push(
      `    <DT><A HREF="https://site${i % 2000}.bench.invalid/page/${i}?ref=bookmarks" ADD_DATE="${1400000000 + i * 600}" LAST_MODIFIED="${1400000000 + i * 600 + 60}" TAGS="bench,set${i % 50}">Bookmark number ${i}: a page worth keeping</A>`,
      `    <DD>Notes about page ${i}, kept with the bookmark.`,
    );
  }
  return `<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">\n<TITLE>Bookmarks</TITLE>\n<H1>Bookmarks</H1>\n<DL><p>\n  <DT><H3>Imported</H3>\n  <DL><p>\n${rows.join('\n')}\n  </DL><p>\n</DL><p>\n`;
}

const rss = (deployment: Deployment) => deployment.pids().reduce((sum, pid) => sum + rssMiB(pid), 0);

export async function importExportFigures(deployment: Deployment, count: number): Promise<ImportExportFigures> {
  const token = await deployment.signIn('bench-importer');
  const file = netscapeFile(count);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const rssIdle = rss(deployment);
  let peak = rssIdle;
  const sampler = setInterval(() => (peak = Math.max(peak, rss(deployment))), 100);
  const started = performance.now();
  let importMs: number;
  let acceptMs: number;
  try {
    const answer = await call(deployment.baseUrl, 'POST', '/v1/import', { token, body: file, headers: { 'content-type': 'text/html' }, timeoutMs: 300_000 });
    if (answer.status !== 202) throw new Error(`import refused: ${answer.status} ${answer.text.slice(0, 200)}`);
    acceptMs = performance.now() - started;
    for (;;) {
      const status = await call(deployment.baseUrl, 'GET', `/v1/imports/${answer.body.import_id}`, { token });
      if (status.body.state === 'done') {
        if (status.body.imported !== count) throw new Error(`imported ${status.body.imported} of ${count}`);
        break;
      }
      if (status.body.state !== 'running') throw new Error(`import ${status.body.state}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    importMs = performance.now() - started;
  } finally {
    clearInterval(sampler);
  }
  const exportMs: Record<string, number> = {};
  const exportMB: Record<string, number> = {};
  for (const format of ['netscape', 'json', 'csv']) {
    const at = performance.now();
    const answer = await call(deployment.baseUrl, 'GET', '/v1/export', { token, query: { format }, timeoutMs: 300_000 });
    if (answer.status !== 200) throw new Error(`export ${format}: ${answer.status}`);
    exportMs[format] = Math.round(performance.now() - at);
    exportMB[format] = Math.round((answer.text.length / 1e6) * 10) / 10;
  }
  return {
    links: count,
    fileMB: Math.round((file.length / 1e6) * 10) / 10,
    rssIdleMiB: Math.round(rssIdle),
    rssPeakMiB: Math.round(peak),
    rssPeakRatio: Math.round((peak / rssIdle) * 100) / 100,
    importMs: Math.round(importMs),
    acceptMs: Math.round(acceptMs),
    linksPerSecond: Math.round(count / (importMs / 1000)),
    exportMs,
    exportMB,
  };
}

export function importExportRows(figures: ImportExportFigures): string {
  return [
    `| import ${figures.links.toLocaleString('en')} links (Netscape, ${figures.fileMB} MB), embedded: to done | ${(figures.importMs / 1000).toFixed(1)} s (${figures.linksPerSecond} links/s; accepted in ${(figures.acceptMs / 1000).toFixed(1)} s) |`,
    `| RSS during the import: peak / idle | ${figures.rssPeakMiB} / ${figures.rssIdleMiB} MiB (×${figures.rssPeakRatio}) |`,
    ...Object.entries(figures.exportMs).map(([format, ms]) => `| export ${figures.links.toLocaleString('en')} links as ${format} (${figures.exportMB[format]} MB) | ${(ms / 1000).toFixed(1)} s |`),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const count = Number(process.env.BENCH_IMPORT_LINKS ?? 20_000);
  const deployment = await startEmbedded({ extraEnv: { RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'warn' } });
  try {
    const figures = await importExportFigures(deployment, count);
    console.log(importExportRows(figures));
    console.log(JSON.stringify(figures));
  } finally {
    await deployment.stop();
  }
}
