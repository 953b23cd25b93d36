/** The archive fallback (docs/design.md §17) against a local stand-in of the Wayback availability API. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LinkCheckedEvent } from '@delinkcious/object-model';
import { archiveLookup, snapshotUrl } from '../src/archive-lookup.ts';
import { DefaultLinkChecker } from '../src/checker.ts';
import type { CheckResult } from '../src/check-result.ts';
import { startSite, type Site } from './support/sites.ts';

let api: Site;
const snapshot = 'http://web.archive.org/web/20240101000000/https://dead.example/page';

before(async () => {
  // The answer depends on the URL asked about, as the real API's does.
  api = await startSite((request, response) => {
    const asked = new URL(request.url ?? '/', 'http://x').searchParams.get('url') ?? '';
    const json = (body: unknown) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (asked.includes('not-archived')) return json({ url: asked, archived_snapshots: {} });
    if (asked.includes('archived')) return json({ url: asked, archived_snapshots: { closest: { status: '200', available: true, url: snapshot, timestamp: '20240101000000' } } });
    if (asked.includes('unavailable')) return json({ archived_snapshots: { closest: { available: false, url: snapshot } } });
    if (asked.includes('javascript')) return json({ archived_snapshots: { closest: { available: true, url: 'javascript:alert(1)' } } });
    if (asked.includes('broken')) return response.writeHead(200, { 'content-type': 'application/json' }).end('{"archived_snapshots": {');
    if (asked.includes('error')) return response.writeHead(503).end('down');
    if (asked.includes('huge')) return response.writeHead(200).end(`{"x":"${'a'.repeat(200_000)}"}`);
    if (asked.includes('slow')) return void setTimeout(() => !response.destroyed && json({}), 5000).unref();
    response.writeHead(404).end();
  });
});
after(() => api?.close());

describe('archiveLookup', () => {
  const lookup = () => archiveLookup({ apiUrl: `${api.url}/wayback/available`, timeoutMs: 300 });

  test('an available snapshot: its URL; the link is sent as ?url=', async () => {
    const from = api.seen.length;
    assert.equal(await lookup()('https://archived.example/a b?x=1&y=2'), snapshot);
    const asked = new URL(api.seen[from]!.path, 'http://x');
    assert.equal(asked.pathname, '/wayback/available');
    assert.equal(asked.searchParams.get('url'), 'https://archived.example/a b?x=1&y=2');
  });

  test("no snapshot, one not available, or one that is not http(s): ''", async () => {
    assert.equal(await lookup()('https://not-archived.example/'), '');
    assert.equal(await lookup()('https://unavailable.example/'), '');
    assert.equal(await lookup()('https://javascript.example/'), '');
  });

  test("broken JSON, an error status, an oversized answer: ''", async () => {
    assert.equal(await lookup()('https://broken.example/'), '');
    assert.equal(await lookup()('https://error.example/'), '');
    assert.equal(await lookup()('https://huge.example/'), '');
  });

  test("a slow API: '' once the short deadline passes", async () => {
    const started = Date.now();
    assert.equal(await lookup()('https://slow.example/'), '');
    assert.ok(Date.now() - started < 2000, 'gave up at its deadline');
  });

  test("nobody listening: ''; an empty WAYBACK_API_URL: off, nothing asked", async () => {
    assert.equal(await archiveLookup({ apiUrl: 'http://127.0.0.1:1/', timeoutMs: 300 })('https://archived.example/'), '');
    const from = api.seen.length;
    assert.equal(await archiveLookup({ apiUrl: '', timeoutMs: 300 })('https://archived.example/'), '');
    assert.equal(api.seen.length, from);
  });

  test('snapshotUrl reads only the documented shape', () => {
    assert.equal(snapshotUrl(null), '');
    assert.equal(snapshotUrl({ archived_snapshots: { closest: { available: 'true', url: snapshot } } }), '');
    assert.equal(snapshotUrl({ archived_snapshots: { closest: { available: true, url: 42 } } }), '');
    assert.equal(snapshotUrl({ archived_snapshots: { closest: { available: true, url: snapshot } } }), snapshot);
  });
});

describe('DefaultLinkChecker with the archive fallback', () => {
  const checkerFor = (result: CheckResult, asked: string[], published: LinkCheckedEvent[]) =>
    new DefaultLinkChecker({
      checkUrl: async () => result,
      archiveLookup: async (url) => (asked.push(url), 'https://web.archive.org/web/2024/x'),
      publish: async (event) => void published.push(event),
    });

  test('an invalid result carries the archived copy; metadata travels in the event', async () => {
    const asked: string[] = [];
    const published: LinkCheckedEvent[] = [];
    const checker = checkerFor({ status: 'invalid', httpStatus: 404, error: '404 Not Found' }, asked, published);
    await checker.check('alice', 'https://dead.example/');
    assert.deepEqual(asked, ['https://dead.example/']);
    assert.equal(published[0]!.archive_url, 'https://web.archive.org/web/2024/x');
    assert.equal(published[0]!.error, '404 Not Found');
  });

  test('a valid result looks nothing up', async () => {
    const asked: string[] = [];
    const published: LinkCheckedEvent[] = [];
    const metadata = { title: 'T', description: 'D', canonicalUrl: 'https://c.example/', faviconUrl: 'https://c.example/favicon.ico' };
    await checkerFor({ status: 'valid', httpStatus: 200, error: '', metadata }, asked, published).check('alice', 'https://live.example/');
    assert.deepEqual(asked, []);
    const { title, description, canonical_url, favicon_url, archive_url } = published[0]!;
    assert.deepEqual({ title, description, canonical_url, favicon_url, archive_url }, {
      title: 'T',
      description: 'D',
      canonical_url: 'https://c.example/',
      favicon_url: 'https://c.example/favicon.ico',
      archive_url: '',
    });
  });

  test('a lookup that throws leaves the archive URL empty and the check stands', async () => {
    const published: LinkCheckedEvent[] = [];
    const checker = new DefaultLinkChecker({
      checkUrl: async () => ({ status: 'invalid', httpStatus: 0, error: 'timeout' }),
      archiveLookup: async () => {
        throw new Error('boom');
      },
      publish: async (event) => void published.push(event),
    });
    await checker.check('alice', 'https://dead.example/');
    assert.deepEqual([published[0]!.status, published[0]!.archive_url], ['invalid', '']);
  });
});
