/** Export → parse gives back what a link is, for each format; the writers' escaping and quoting. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Link } from '@delinkcious/object-model';
import {
  exportFileName,
  exportWriter,
  parseBookmarkFile,
  writeExport,
  type ExportFormat,
  type ImportEntry,
} from '../src/index.ts';
import { csvCell } from '../src/write.ts';

function link(fields: Partial<Link> & { url: string }): Link {
  return {
    title: 'A title',
    description: '',
    status: 'valid',
    tags: [],
    private: false,
    savedBy: 0,
    unread: false,
    createdAt: new Date('2020-01-02T03:04:05Z'),
    updatedAt: new Date('2021-02-03T04:05:06Z'),
    checkedAt: new Date('2021-02-03T04:05:07Z'),
    httpStatus: 200,
    checkError: '',
    invalidSince: null,
    archiveUrl: '',
    faviconUrl: '',
    ...fields,
  };
}

/** Whole-second dates: Netscape files count seconds. */
const links: Link[] = [
  link({ url: 'https://example.com/', title: 'Plain', tags: ['a', 'b'] }),
  link({
    url: 'https://example.com/q?x=1&y="2"',
    title: 'Tricky <b>title</b> & "quotes", commas',
    description: 'Line one\nline two, with <html> & "quotes"\n\ttabbed',
    tags: ['web-dev', 'c++', 'ünïcödé'],
    private: true,
    unread: true,
    createdAt: new Date('2001-09-09T01:46:40Z'),
    updatedAt: new Date('2024-05-06T07:08:09Z'),
  }),
  link({ url: 'http://example.org/path%20encoded', title: '=HYPERLINK("http://evil")', description: '+1 and -1 and @me', status: 'invalid' }),
  link({ url: 'https://例え.example/', title: '😀 emoji title', private: false, unread: true, status: 'pending', checkedAt: null }),
];

function expectedEntry(l: Link): ImportEntry {
  return {
    url: l.url,
    title: l.title,
    description: l.description,
    tags: l.tags,
    private: l.private,
    unread: l.unread,
    createdAt: l.createdAt,
    updatedAt: l.updatedAt,
  };
}

async function exportText(format: ExportFormat, items: Iterable<Link> = links): Promise<string> {
  let text = '';
  for await (const piece of writeExport(format, items, { exportedAt: new Date('2026-01-01T00:00:00Z') })) text += piece;
  return text;
}

/** RFC 4180, enough to read back what the CSV writer wrote. */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  assert.equal(cell, '', 'the file ends with a line break');
  return rows;
}

describe('round trips', () => {
  test('Netscape HTML: URL, title, description, tags, privacy, unread and dates come back', async () => {
    const text = await exportText('netscape');
    assert.match(text, /^<!DOCTYPE NETSCAPE-Bookmark-file-1>\n/);
    const parsed = parseBookmarkFile(text, 'auto');
    assert.equal(parsed.format, 'netscape');
    // URLs saved with characters a URI may not hold come back as a browser encodes them (the JSON export keeps them).
    const encoded: Record<string, string> = {
      'https://example.com/q?x=1&y="2"': 'https://example.com/q?x=1&y=%222%22',
      'https://例え.example/': 'https://xn--r8jz45g.example/',
    };
    assert.deepEqual(parsed.entries, links.map(expectedEntry).map((e) => ({ ...e, url: encoded[e.url] ?? e.url })));
    assert.deepEqual(parsed.skipped, []);
  });

  test('Delinkcious JSON: every LINK field is written, and what a link is comes back exactly (milliseconds too)', async () => {
    const withMilliseconds = [...links, link({ url: 'https://ms.example/', createdAt: new Date('2022-02-02T02:02:02.123Z'), description: '  kept as written  ' })];
    const text = await exportText('json', withMilliseconds);
    const json = JSON.parse(text) as { format: string; version: number; exported_at: string; links: Record<string, unknown>[] };
    assert.equal(json.format, 'delinkcious');
    assert.equal(json.version, 1);
    assert.equal(json.exported_at, '2026-01-01T00:00:00.000Z');
    assert.deepEqual(json.links[1], {
      Url: 'https://example.com/q?x=1&y="2"',
      Title: 'Tricky <b>title</b> & "quotes", commas',
      Description: 'Line one\nline two, with <html> & "quotes"\n\ttabbed',
      Status: 'valid',
      Tags: { 'web-dev': true, 'c++': true, ünïcödé: true },
      Private: true,
      SavedBy: 0,
      Unread: true,
      CreatedAt: '2001-09-09T01:46:40.000Z',
      UpdatedAt: '2024-05-06T07:08:09.000Z',
      CheckedAt: '2021-02-03T04:05:07.000Z',
      HttpStatus: 200,
      CheckError: '',
      InvalidSince: null,
      ArchiveUrl: '',
      FaviconUrl: '',
    });
    const parsed = parseBookmarkFile(Buffer.from(text), 'auto');
    assert.equal(parsed.format, 'delinkcious');
    // URLs as saved (the link's key), even those a browser would encode; only the host takes its
    // normal form, as the link rules store it (an IDN in punycode).
    const normal = (url: string): string => (url === 'https://例え.example/' ? 'https://xn--r8jz45g.example/' : url);
    assert.deepEqual(parsed.entries, withMilliseconds.map(expectedEntry).map((e) => ({ ...e, url: normal(e.url) })));
  });

  test('an empty export is a valid, empty file in each format', async () => {
    assert.deepEqual(parseBookmarkFile(await exportText('netscape', []), 'netscape').entries, []);
    assert.deepEqual(parseBookmarkFile(await exportText('json', []), 'auto'), { format: 'delinkcious', entries: [], skipped: [] });
    assert.deepEqual(readCsv(await exportText('csv', [])).length, 1);
  });

  test('CSV: a header row, RFC 4180 quoting, formula-looking cells made text', async () => {
    const rows = readCsv(await exportText('csv'));
    assert.deepEqual(rows[0], [
      'url', 'title', 'description', 'tags', 'private', 'unread', 'status', 'created_at', 'updated_at',
      'checked_at', 'http_status', 'check_error', 'invalid_since', 'archive_url', 'favicon_url',
    ]);
    assert.equal(rows.length, links.length + 1);
    assert.deepEqual(rows[2], [
      'https://example.com/q?x=1&y="2"',
      'Tricky <b>title</b> & "quotes", commas',
      'Line one\nline two, with <html> & "quotes"\n\ttabbed',
      'web-dev c++ ünïcödé',
      'true',
      'true',
      'valid',
      '2001-09-09T01:46:40.000Z',
      '2024-05-06T07:08:09.000Z',
      '2021-02-03T04:05:07.000Z',
      '200',
      '',
      '',
      '',
      '',
    ]);
    assert.equal(rows[3]![1], `'=HYPERLINK("http://evil")`);
    assert.equal(rows[3]![2], `'+1 and -1 and @me`);
    assert.equal(rows[4]![9], '', 'a pending link has no check time');
  });

  test('csvCell guards every formula prefix and quotes only when needed', () => {
    for (const prefix of ['=', '+', '-', '@', '\t', '\r']) assert.equal(csvCell(`${prefix}x`).replace(/^"|"$/g, '').startsWith(`'${prefix}`), true, prefix);
    assert.equal(csvCell('plain'), 'plain');
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell(null), '');
    assert.equal(csvCell(0), '0');
  });

  test('writers answer content types and extensions; file names carry the user and the date', () => {
    assert.deepEqual(
      (['netscape', 'json', 'csv'] as const).map((format) => [exportWriter(format).contentType, exportWriter(format).extension]),
      [
        ['text/html; charset=utf-8', 'html'],
        ['application/json; charset=utf-8', 'json'],
        ['text/csv; charset=utf-8; header=present', 'csv'],
      ],
    );
    assert.equal(exportFileName('alice', 'netscape', new Date('2026-12-03T15:00:00Z')), 'delinkcious-alice-2026-12-03.html');
    assert.equal(exportFileName('bob', 'csv', new Date('2026-12-03T15:00:00Z')), 'delinkcious-bob-2026-12-03.csv');
  });

  test('writeExport pulls links one at a time from an async source', async () => {
    let pulled = 0;
    async function* source(): AsyncGenerator<Link> {
      for (const l of links) {
        pulled++;
        yield l;
      }
    }
    const pieces = writeExport('json', source());
    assert.equal((await pieces.next()).done, false); // the head
    assert.equal(pulled, 0);
    await pieces.next();
    assert.equal(pulled, 1);
  });
});
