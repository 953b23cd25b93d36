/** Detecting formats, the errors a wrong file gets, and how entries are made to fit the link rules. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { limits, ValidationError } from '@delinkcious/object-model';
import { detectFormat, parseBookmarkFile, requireBookmarkFormat, requireExportFormat } from '../src/index.ts';
import { timestamp } from '../src/netscape-reader.ts';

const netscape = (body: string): string => `<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n${body}\n</DL><p>\n`;
const neither = 'the file is neither a Netscape bookmark file, Pinboard JSON nor a Delinkcious export';

function rejects(run: () => unknown, message: string | RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ValidationError, `a ValidationError, not ${String(error)}`);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

describe('format detection', () => {
  test('each format is recognised, and anything else is not', () => {
    assert.equal(detectFormat(netscape('')), 'netscape');
    assert.equal(detectFormat('<html><body><dl><dt><a href="https://x.example/">x</a></dl>'), 'netscape');
    assert.equal(detectFormat('<a HREF="https://x.example/">x</a>'), 'netscape');
    assert.equal(detectFormat('\uFEFF[{"href":"https://x.example/"}]'), 'pinboard');
    assert.equal(detectFormat('[]'), 'pinboard');
    assert.equal(detectFormat('{"format":"delinkcious","version":1,"links":[]}'), 'delinkcious');
    assert.equal(detectFormat('{"links":[]}'), undefined);
    assert.equal(detectFormat('[{"url":"https://x.example/"}]'), undefined);
    assert.equal(detectFormat('<html><body><p>hello</p></body></html>'), undefined);
    assert.equal(detectFormat('url,title\nhttps://x.example/,x\n'), undefined);
    assert.equal(detectFormat('{not json'), undefined);
  });

  test('auto: a file in no format is a ValidationError naming the problem', () => {
    rejects(() => parseBookmarkFile('just some text', 'auto'), neither);
    rejects(() => parseBookmarkFile('<html><p>hello</p></html>', 'auto'), neither);
    rejects(() => parseBookmarkFile('{"links": []}', 'auto'), /^the file is neither .*: it is JSON, but neither an array of bookmarks with "href" nor an object with "format": "delinkcious"$/);
    rejects(() => parseBookmarkFile('[{"href": "https://x.example/"', 'auto'), /^the file is neither .*: it starts like JSON but is not valid JSON/);
    rejects(() => parseBookmarkFile('', 'auto'), 'the file is empty');
    rejects(() => parseBookmarkFile(Buffer.from('\uFEFF  \n'), 'auto'), 'the file is empty');
  });

  test('a named format that does not fit says what is wrong', () => {
    rejects(() => parseBookmarkFile('<p>hello</p>', 'netscape'), 'the file is not a Netscape bookmark file: it has no <DL> list and no <A HREF> link');
    rejects(() => parseBookmarkFile(netscape(''), 'pinboard'), /^the file is not valid JSON \(a Pinboard export is JSON\): /);
    rejects(() => parseBookmarkFile('{"format":"delinkcious"}', 'pinboard'), 'a Pinboard export is a JSON array of bookmarks');
    rejects(() => parseBookmarkFile('[{"href":"https://x.example/"}]', 'delinkcious'), 'a Delinkcious export is a JSON object with "format": "delinkcious"');
    rejects(() => parseBookmarkFile('{"format":"delinkcious","version":2,"links":[]}', 'auto'), 'this Delinkcious export is version 2; this server reads version 1');
    rejects(() => parseBookmarkFile('{"format":"delinkcious","version":1}', 'delinkcious'), 'a Delinkcious export must have a "links" array');
  });

  test('format parameters: absent is auto (import) or json (export); anything unknown is a 400 naming the choices', () => {
    assert.equal(requireBookmarkFormat(undefined), 'auto');
    assert.equal(requireBookmarkFormat('pinboard'), 'pinboard');
    rejects(() => requireBookmarkFormat('csv'), 'format must be one of auto, netscape, pinboard, delinkcious');
    assert.equal(requireExportFormat(''), 'json');
    assert.equal(requireExportFormat('csv'), 'csv');
    rejects(() => requireExportFormat('xml'), 'format must be one of netscape, json, csv');
  });
});

describe('decoding', () => {
  test('UTF-8 with or without BOM, UTF-16 with BOM, and Windows-1252 when the bytes are not UTF-8', () => {
    const file = netscape('<DT><A HREF="https://x.example/">Café</A>');
    const title = (bytes: Uint8Array): string => parseBookmarkFile(bytes, 'auto').entries[0]!.title;
    assert.equal(title(Buffer.from(file)), 'Café');
    assert.equal(title(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(file)])), 'Café');
    assert.equal(title(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(file, 'utf16le')])), 'Café');
    assert.equal(title(Buffer.from(file, 'latin1')), 'Café');
  });
});

describe('entries made to fit the link rules', () => {
  test('a too-long title or description is cut at the limit (never inside a surrogate pair); the link is kept', () => {
    const longTitle = `${'x'.repeat(limits.titleLength - 1)}😀 and more`;
    const longDescription = 'd'.repeat(limits.descriptionLength + 10);
    const [entry] = parseBookmarkFile(netscape(`<DT><A HREF="https://x.example/">${longTitle}</A>\n<DD>${longDescription}`), 'netscape').entries;
    assert.equal(entry!.title, 'x'.repeat(limits.titleLength - 1));
    assert.equal(entry!.description, 'd'.repeat(limits.descriptionLength));
  });

  test('control characters and lone surrogates are removed or replaced, not fatal', () => {
    const [entry] = parseBookmarkFile(
      JSON.stringify([{ href: 'https://x.example/', description: 'A\u0000B\u0007C \ud800', extended: 'line\u0001\nnext\tt', tags: 'a\u0002b' }]),
      'pinboard',
    ).entries;
    assert.equal(entry!.title, 'ABC \ufffd');
    assert.equal(entry!.description, 'line\nnext\tt');
    assert.deepEqual(entry!.tags, ['a-b']);
  });

  test('more tags than a link may have: the first limits.tagsPerLink are kept; long tags are cut', () => {
    const tags = Array.from({ length: limits.tagsPerLink + 5 }, (_, i) => `t${i}`);
    const [entry] = parseBookmarkFile(netscape(`<DT><A HREF="https://x.example/" TAGS="${tags.join(',')},${'y'.repeat(100)}">x</A>`), 'netscape').entries;
    assert.deepEqual(entry!.tags, tags.slice(0, limits.tagsPerLink));
    const [long] = parseBookmarkFile(netscape(`<DT><A HREF="https://x.example/" TAGS="${'y'.repeat(100)}">x</A>`), 'netscape').entries;
    assert.deepEqual(long!.tags, ['y'.repeat(limits.tagLength)]);
  });

  test('a URL longer than the link rules allow is skipped with the reason; a file:// URL too', () => {
    const long = `https://x.example/${'p'.repeat(limits.urlLength)}`;
    const parsed = parseBookmarkFile(netscape(`<DT><A HREF="${long}">long</A>\n<DT><A HREF="file:///etc/passwd">file</A>\n<DT><A HREF="https://ok.example/">ok</A>`), 'netscape');
    assert.deepEqual(parsed.entries.map((e) => e.url), ['https://ok.example/']);
    assert.deepEqual(parsed.skipped.map((s) => s.reason), [`url is longer than ${limits.urlLength} characters`, 'not an http or https URL (file)']);
  });

  test('a bare link without a title has title \'\' (the importer decides)', () => {
    const [entry] = parseBookmarkFile(netscape('<DT><A HREF="https://x.example/"></A>'), 'netscape').entries;
    assert.equal(entry!.title, '');
  });

  test('timestamps: seconds, milliseconds or microseconds by magnitude; junk, zero and negatives are no date', () => {
    const at = new Date('2020-09-13T12:26:40Z');
    assert.deepEqual(timestamp('1600000000'), at);
    assert.deepEqual(timestamp('1600000000000'), at);
    assert.deepEqual(timestamp('1600000000000000'), at);
    assert.deepEqual(timestamp('1600000000.5'), new Date(1600000000500));
    assert.deepEqual(timestamp('946684800'), new Date('2000-01-01T00:00:00Z'));
    for (const junk of [undefined, '', '0', '-5', 'soon', '1e20']) assert.equal(timestamp(junk), undefined, String(junk));
  });

  test('a Delinkcious file with a hand-edited link: tags as a list or a string, a missing field is undefined', () => {
    const parsed = parseBookmarkFile(
      // No version: read as version 1.
      JSON.stringify({
        format: 'delinkcious',
        links: [{ Url: 'https://a.example/', Title: 'A', Tags: ['x', 'Y'] }, { Url: 'https://b.example/', Tags: 'p, q', Private: 'yes' }, 7],
      }),
      'auto',
    );
    assert.deepEqual(parsed.entries, [
      { url: 'https://a.example/', title: 'A', description: '', tags: ['x', 'y'], private: undefined, unread: undefined, createdAt: undefined, updatedAt: undefined },
      { url: 'https://b.example/', title: '', description: '', tags: ['p', 'q'], private: undefined, unread: undefined, createdAt: undefined, updatedAt: undefined },
    ]);
    assert.deepEqual(parsed.skipped, [{ url: '', title: '', reason: 'link 3 is not a LINK object' }]);
  });
});
