/**
 * The embedded process's footprint (issue 14's figures): start to /readyz on a
 * fresh DATA_DIR and again on the same one, resident memory when idle (with the
 * process's own breakdown from /metrics) and idle again after 1,000 writes, and
 * the data directory's size on disk, empty and after 50 saved links. Runs what
 * `npm start` runs: the prebuilt bundle (built first if out of date).
 *
 *   node --import tsx bench/embedded-footprint.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { startEmbedded, type Deployment } from '@delinkcious/testing';
import { prebuild } from '../cli/src/prebuild.ts';
import { diskUsageMB, inParallel, rssMiB } from './measure.ts';

const dataDir = mkdtempSync(join(os.tmpdir(), 'delinkcious-footprint-'));
const env = { DATA_DIR: dataDir, RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'warn' };
const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const started = performance.now();
  const value = await fn();
  return [value, Math.round(performance.now() - started)];
};
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const rss = (deployment: Deployment) => Math.round(deployment.pids().reduce((sum, pid) => sum + rssMiB(pid), 0));

/** heap used / heap total / external (wasm memory included), in MiB, from the process's own /metrics. */
async function breakdown(deployment: Deployment): Promise<string> {
  const text = await (await fetch(`${deployment.baseUrl}/metrics`)).text();
  const metric = (name: string) => Math.round(Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20);
  return `${metric('nodejs_heap_size_used_bytes')} / ${metric('nodejs_heap_size_total_bytes')} / ${metric('nodejs_external_memory_bytes')}`;
}

async function saveLinks(deployment: Deployment, token: string, count: number, prefix: string): Promise<void> {
  await inParallel(Array.from({ length: count }, (_, n) => n), 8, async (n) => {
    const response = await fetch(`${deployment.baseUrl}/v1/links`, {
      method: 'POST',
      headers: { 'access-token': token, 'content-type': 'application/json' },
      body: JSON.stringify({ url: `https://${prefix}.example/${n}`, title: `link ${n}`, tags: 'a b' }),
    });
    if (response.status !== 200) throw new Error(`saving link ${n}: ${response.status} ${await response.text()}`);
  });
}

try {
  console.error(`# the command's bundle: ${await prebuild()}`);
  const [fresh, freshMs] = await timed(() => startEmbedded({ extraEnv: env }));
  const figures: Record<string, string | number> = {};
  try {
    await pause(2000);
    figures.rssIdle = rss(fresh);
    figures.heap = await breakdown(fresh);
    figures.emptyMB = diskUsageMB(dataDir);
    const token = await fresh.signIn('measured');
    await saveLinks(fresh, token, 50, 'footprint');
    figures.withLinksMB = diskUsageMB(dataDir);
    await saveLinks(fresh, token, 1000, 'written');
    await pause(2000);
    figures.rssAfterWrites = rss(fresh);
    figures.heapAfterWrites = await breakdown(fresh);
  } finally {
    await fresh.stop();
  }
  const [again, restartMs] = await timed(() => startEmbedded({ extraEnv: env }));
  await pause(2000);
  figures.rssIdleRestart = rss(again);
  await again.stop();

  console.log(`| figure | embedded |
|---|---|
| start to /readyz, fresh DATA_DIR (ms) | ${freshMs} |
| start to /readyz, existing DATA_DIR (ms) | ${restartMs} |
| RSS idle, fresh start / restart (MiB) | ${figures.rssIdle} / ${figures.rssIdleRestart} |
| V8 heap used / total, external (MiB) | ${figures.heap} |
| RSS idle after 1,000 writes (MiB) | ${figures.rssAfterWrites} (heap ${figures.heapAfterWrites}) |
| data directory, empty / 50 links (MB) | ${figures.emptyMB} / ${figures.withLinksMB} |`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
