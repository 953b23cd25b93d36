/**
 * POST /v1/import and GET /v1/imports/{id} (docs/design.md §19 B) through the
 * gateway, on the real link manager with in-memory stores: the three ways to
 * send a file, 202 then a job that completes, 413 past IMPORT_MAX_BYTES, 400 for
 * a file of no known format or a bad option, 404 for another user's job, 403
 * for a read-only token.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DefaultLinkManager, Importer, ImportWorker, MemoryImportStore, MemoryLinkStore } from '@delinkcious/link-service';
import { startGateway, type GatewayHarness } from './support/harness.ts';

const netscape = `<!DOCTYPE NETSCAPE-Bookmark-file-1>
<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">
<TITLE>Bookmarks</TITLE>
<H1>Bookmarks</H1>
<DL><p>
  <DT><A HREF="https://example.com/a" ADD_DATE="1577836800" TAGS="one,two">Example A</A>
  <DD>About A
  <DT><A HREF="https://example.com/b" ADD_DATE="1577923200" PRIVATE="1">Example B</A>
  <DT><A HREF="mailto:someone@example.com">Mail</A>
</DL><p>
`;

const pinboard = JSON.stringify([
  { href: 'https://example.org/p', description: 'Pinned', extended: 'notes', tags: 'x y', time: '2021-05-01T10:00:00Z', shared: 'no', toread: 'yes' },
]);

describe('POST /v1/import, GET /v1/imports/{id}', () => {
  let gateway: GatewayHarness;
  let worker: ImportWorker;
  before(async () => {
    const store = new MemoryLinkStore();
    const imports = new MemoryImportStore(store);
    worker = new ImportWorker({ store: imports, maxLinksPerUser: 1000 });
    const links = new DefaultLinkManager({ store, maxLinksPerUser: 1000, imports: new Importer({ store: imports, maxEntries: 1000, onStarted: () => worker.notify() }) });
    gateway = await startGateway({ links, env: { IMPORT_MAX_BYTES: '2048' } });
  });
  after(async () => {
    await worker.stop();
    await gateway?.close();
  });

  async function finished(token: string, id: string) {
    for (let i = 0; i < 100; i++) {
      const answer = await gateway.call('GET', `/v1/imports/${id}`, { token });
      assert.equal(answer.status, 200, answer.text);
      if (answer.body.state !== 'running') return answer.body;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('the import did not finish');
  }

  test('a Netscape file as the body: 202, then the job is done with the skipped entry and its reason', async () => {
    const token = await gateway.signIn('nina');
    const answer = await gateway.call('POST', '/v1/import', { token, body: netscape, headers: { 'content-type': 'text/html' }, query: { tags: 'moved,old' } });
    assert.equal(answer.status, 202, answer.text);
    assert.equal(answer.body.err, '');
    assert.match(answer.body.import_id, /^[0-9a-f-]{36}$/);
    const status = await finished(token, answer.body.import_id);
    assert.equal(status.state, 'done');
    assert.deepEqual([status.total, status.processed, status.imported, status.updated, status.skipped], [3, 3, 2, 0, 1]);
    assert.equal(status.errors.length, 1);
    assert.equal(status.errors[0].url, 'mailto:someone@example.com');
    assert.match(status.errors[0].err, /mailto/);
    const links = await gateway.call('GET', '/v1/links', { token });
    const a = links.body.links.find((link: { Url: string }) => link.Url === 'https://example.com/a');
    assert.deepEqual(Object.keys(a.Tags).sort(), ['moved', 'old', 'one', 'two']);
    assert.equal(a.Description, 'About A');
    assert.equal(a.CreatedAt, '2020-01-01T00:00:00.000Z');
    const b = links.body.links.find((link: { Url: string }) => link.Url === 'https://example.com/b');
    assert.equal(b.Private, true);
  });

  test('a Pinboard file as JSON, and a file in a multipart form', async () => {
    const token = await gateway.signIn('pia');
    const json = await gateway.call('POST', '/v1/import', { token, body: pinboard, headers: { 'content-type': 'application/json' }, query: { format: 'pinboard', private: 'true' } });
    assert.equal(json.status, 202, json.text);
    const status = await finished(token, json.body.import_id);
    assert.equal(status.imported, 1);

    const form = new FormData();
    form.append('file', new Blob([netscape], { type: 'text/html' }), 'bookmarks.html');
    const response = await fetch(`${gateway.url}/v1/import?format=netscape`, { method: 'POST', headers: { 'access-token': token }, body: form });
    const body = (await response.json()) as { import_id: string };
    assert.equal(response.status, 202, JSON.stringify(body));
    assert.equal((await finished(token, body.import_id)).imported, 2);

    const links = await gateway.call('GET', '/v1/links', { token, query: { limit: '100' } });
    const pinned = links.body.links.find((link: { Url: string }) => link.Url === 'https://example.org/p');
    assert.equal(pinned.Private, true, 'private=true');
    assert.equal(pinned.Description, 'notes');
    assert.equal(pinned.Unread, true, 'toread');
    assert.equal(pinned.Title, 'Pinned');
    assert.deepEqual(Object.keys(pinned.Tags).sort(), ['x', 'y']);
  });

  test('413 past IMPORT_MAX_BYTES, as a body or in a form', async () => {
    const token = await gateway.signIn('omar');
    const big = netscape + `<!-- ${'x'.repeat(3000)} -->`;
    const answer = await gateway.call('POST', '/v1/import', { token, body: big, headers: { 'content-type': 'text/html' } });
    assert.equal(answer.status, 413);
    assert.match(answer.body.err, /IMPORT_MAX_BYTES/);
    const form = new FormData();
    form.append('file', new Blob([big], { type: 'text/html' }), 'bookmarks.html');
    const response = await fetch(`${gateway.url}/v1/import`, { method: 'POST', headers: { 'access-token': token }, body: form });
    assert.equal(response.status, 413);
    // Sent chunked, with no Content-Length to refuse it by: cut off while reading.
    const chunks = new TextEncoder().encode(big);
    const stream = new ReadableStream({
      start(controller) {
        for (let at = 0; at < chunks.length; at += 500) controller.enqueue(chunks.slice(at, at + 500));
        controller.close();
      },
    });
    const chunked = await fetch(`${gateway.url}/v1/import`, { method: 'POST', headers: { 'access-token': token, 'content-type': 'text/html' }, body: stream, duplex: 'half' } as RequestInit);
    assert.equal(chunked.status, 413);
    assert.match(((await chunked.json()) as { err: string }).err, /IMPORT_MAX_BYTES/);
  });

  test('400 for a file of no known format, an empty body, a bad format or option', async () => {
    const token = await gateway.signIn('bea');
    const text = await gateway.call('POST', '/v1/import', { token, body: 'just some words', headers: { 'content-type': 'text/plain' } });
    assert.equal(text.status, 400);
    assert.ok(text.body.err.length > 0, text.text);
    assert.doesNotMatch(text.body.err, /at .*\.ts/);
    const empty = await gateway.call('POST', '/v1/import', { token, headers: { 'content-type': 'text/html' } });
    assert.equal(empty.status, 400);
    const format = await gateway.call('POST', '/v1/import', { token, body: netscape, headers: { 'content-type': 'text/html' }, query: { format: 'word' } });
    assert.equal(format.status, 400);
    assert.match(format.body.err, /format/);
    const flag = await gateway.call('POST', '/v1/import', { token, body: netscape, headers: { 'content-type': 'text/html' }, query: { private: 'maybe' } });
    assert.equal(flag.status, 400);
    assert.match(flag.body.err, /private/);
  });

  test("another user's import is 404; no token is 401; a read-only token may not import", async () => {
    const owner = await gateway.signIn('olga');
    const other = await gateway.signIn('oscar');
    const answer = await gateway.call('POST', '/v1/import', { token: owner, body: netscape, headers: { 'content-type': 'text/html' } });
    assert.equal(answer.status, 202);
    assert.equal((await gateway.call('GET', `/v1/imports/${answer.body.import_id}`, { token: other })).status, 404);
    assert.equal((await gateway.call('GET', '/v1/imports/nonsense', { token: owner })).status, 404);
    assert.equal((await gateway.call('GET', `/v1/imports/${answer.body.import_id}`)).status, 401);
    assert.equal((await gateway.call('POST', '/v1/import', { body: netscape, headers: { 'content-type': 'text/html' } })).status, 401);
    const readOnly = await gateway.users.createApiToken('olga', 'ro', 'read');
    const refused = await gateway.call('POST', '/v1/import', { token: readOnly.token, body: netscape, headers: { 'content-type': 'text/html' } });
    assert.equal(refused.status, 403);
  });
});
