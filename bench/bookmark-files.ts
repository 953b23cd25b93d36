/**
 * The bookmark-file library alone (docs/design.md §19 A): reading a 20,000-link Netscape file
 * like a browser's (folders, tags, descriptions) and a Pinboard JSON file of as many, and
 * writing 20,000 links in each export format; time and size, and the heap a read holds.
 * (The embedded import and export through the API: bench/import-export.ts.)
 *
 *   node --import tsx bench/bookmark-files.ts        (BENCH_FILE_LINKS, default 20000)
 */
import { exportFormats, parseBookmarkFile, writeExport } from '@delinkcious/bookmark-files';
import type { Link } from '@delinkcious/object-model';

const count = Number(process.env.BENCH_FILE_LINKS ?? 20_000);
const round = (n: number, digits = 0) => Math.round(n * 10 ** digits) / 10 ** digits;
const mib = (bytes: number) => round(bytes / 2 ** 20, 1);

function netscapeFile(links: number): string {
  const lines = ['<!DOCTYPE NETSCAPE-Bookmark-file-1>', '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">', '<TITLE>Bookmarks</TITLE>', '<H1>Bookmarks</H1>', '<DL><p>'];
  for (let start = 0; start < links; start += 100) {
    lines.push(`    <DT><H3 ADD_DATE="1500000000">Folder ${start / 100}</H3>`, '    <DL><p>');
    for (let i = start; i < Math.min(links, start + 100); i++) {
      lines.push(
        `        <DT><A HREF="https://host-${i % 500}.example/page/${i}?ref=bench" ADD_DATE="${1_500_000_000 + i * 60}" ICON="data:image/png;base64,iVBORw0KGgo=" TAGS="bench,t${i % 37}">Bench link ${i} &amp; friends</A>`,
        `<DD>Notes on link ${i}: ${'lorem ipsum '.repeat(5)}`,
      );
    }
    lines.push('    </DL><p>');
  }
  lines.push('</DL><p>');
  return lines.join('\n');
}

function pinboardFile(links: number): string {
  return JSON.stringify(
    Array.from({ length: links }, (_, i) => ({
      href: `https://host-${i % 500}.example/page/${i}`,
      description: `Bench link ${i}`,
      extended: `Notes on link ${i}`,
      meta: 'm',
      hash: 'h',
      time: new Date(1_500_000_000_000 + i * 60_000).toISOString(),
      shared: i % 5 ? 'yes' : 'no',
      toread: 'no',
      tags: `bench t${i % 37}`,
    })),
  );
}

function* links(total: number): Generator<Link> {
  for (let i = 0; i < total; i++) {
    const at = new Date(1_500_000_000_000 + i * 60_000);
    yield {
      url: `https://host-${i % 500}.example/page/${i}`,
      title: `Bench link ${i} & "friends", =1+1`,
      description: `Notes on link ${i}: ${'lorem ipsum '.repeat(5)}`,
      status: 'valid',
      tags: ['bench', `t${i % 37}`],
      private: i % 5 === 0,
      savedBy: 0,
      unread: false,
      createdAt: at,
      updatedAt: at,
      checkedAt: at,
      httpStatus: 200,
      checkError: '',
      invalidSince: null,
      archiveUrl: '',
      faviconUrl: '',
    };
  }
}

function read(name: string, file: Buffer): Record<string, number> {
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const parsed = parseBookmarkFile(file, 'auto');
  const ms = performance.now() - started;
  const heapAfter = process.memoryUsage().heapUsed;
  if (parsed.entries.length !== count) throw new Error(`${name}: read ${parsed.entries.length} of ${count}`);
  return { [`${name}_MB`]: mib(file.length), [`${name}_read_ms`]: round(ms), [`${name}_heap_MB`]: mib(heapAfter - heapBefore) };
}

const figures: Record<string, number> = { links: count };
Object.assign(figures, read('netscape', Buffer.from(netscapeFile(count))));
Object.assign(figures, read('pinboard', Buffer.from(pinboardFile(count))));
for (const format of exportFormats) {
  const started = performance.now();
  let chars = 0;
  for await (const piece of writeExport(format, links(count), { batchChars: 64 * 1024 })) chars += piece.length;
  figures[`write_${format}_ms`] = round(performance.now() - started);
  figures[`write_${format}_MB`] = mib(chars);
}
console.log(JSON.stringify(figures));
