/**
 * GET /v1/export (docs/design.md §19 A) through the gateway: each format as an attachment with
 * every one of the caller's links and no one else's, 400 for an unknown format, and the stream:
 * pages asked for lazily, a failure midway a broken download, not a complete-looking file.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseBookmarkFile } from '@delinkcious/bookmark-files';
import { UnavailableError, type GetLinksRequest, type GetLinksResult, type Link, type LinkManager } from '@delinkcious/object-model';
import { startGateway, type GatewayHarness } from './support/harness.ts';

describe('GET /v1/export', () => {
  let gateway: GatewayHarness;
  let token: string;
  before(async () => {
    gateway = await startGateway();
    token = await gateway.signIn('erin');
    await gateway.links.addLink({ username: 'erin', url: 'https://example.com/public', title: 'Public, with "quotes"', description: 'About it', tags: ['one', 'two'] });
    await gateway.links.addLink({ username: 'erin', url: 'https://example.com/private', title: '=SUM(A1)', tags: ['secret'], private: true, unread: true });
    await gateway.signIn('other');
    await gateway.links.addLink({ username: 'other', url: 'https://example.com/others', title: 'Not erin\'s' });
  });
  after(() => gateway?.close());

  test('json (the default): an attachment with every field of each of the caller\'s links, private ones included', async () => {
    const answer = await gateway.call('GET', '/v1/export', { token });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.headers.get('content-type'), 'application/json; charset=utf-8');
    const day = new Date().toISOString().slice(0, 10);
    assert.equal(answer.headers.get('content-disposition'), `attachment; filename="delinkcious-erin-${day}.json"`);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    assert.equal(answer.body.format, 'delinkcious');
    assert.equal(answer.body.version, 1);
    assert.deepEqual(answer.body.links.map((link: { Url: string }) => link.Url), ['https://example.com/private', 'https://example.com/public']);
    const [secret, open] = answer.body.links;
    assert.equal(secret.Private, true);
    assert.equal(secret.Unread, true);
    assert.deepEqual(open.Tags, { one: true, two: true });
    assert.equal(open.Status, 'pending');
    assert.ok('CheckedAt' in open && 'SavedBy' in open && 'CreatedAt' in open, 'every LINK field');
    // Re-importable: what the links are comes back.
    const parsed = parseBookmarkFile(answer.text, 'auto');
    assert.deepEqual(parsed.entries.map((e) => [e.url, e.title, e.private, e.tags]), [
      ['https://example.com/private', '=SUM(A1)', true, ['secret']],
      ['https://example.com/public', 'Public, with "quotes"', false, ['one', 'two']],
    ]);
  });

  test('netscape: a bookmark file with TAGS, PRIVATE and <DD>; csv: a header row and guarded cells', async () => {
    const html = await gateway.call('GET', '/v1/export', { token, query: { format: 'netscape' } });
    assert.equal(html.status, 200);
    assert.equal(html.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(html.headers.get('content-disposition') ?? '', /^attachment; filename="delinkcious-erin-\d{4}-\d{2}-\d{2}\.html"$/);
    assert.match(html.text, /^<!DOCTYPE NETSCAPE-Bookmark-file-1>/);
    assert.match(html.text, /<DT><A HREF="https:\/\/example.com\/public" ADD_DATE="\d+" LAST_MODIFIED="\d+" PRIVATE="0" TAGS="one,two" TOREAD="0">Public, with &quot;quotes&quot;<\/A>\n<DD>About it\n/);
    assert.match(html.text, /PRIVATE="1" TAGS="secret" TOREAD="1">=SUM\(A1\)<\/A>/);

    const csv = await gateway.call('GET', '/v1/export', { token, query: { format: 'csv' } });
    assert.equal(csv.status, 200);
    assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8; header=present');
    const lines = csv.text.split('\r\n');
    assert.match(lines[0]!, /^url,title,description,tags,private,unread,status,created_at,updated_at/);
    assert.match(lines[1]!, /^https:\/\/example.com\/private,'=SUM\(A1\),,secret,true,true,pending,/);
    assert.match(lines[2]!, /^https:\/\/example.com\/public,"Public, with ""quotes""",About it,one two,false,false,pending,/);
    assert.equal(lines.length, 4, 'three rows and the final line break');
  });

  test('an unknown format is a 400 naming the choices; no token is a 401', async () => {
    const bad = await gateway.call('GET', '/v1/export', { token, query: { format: 'xml' } });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, { err: 'format must be one of netscape, json, csv' });
    assert.equal((await gateway.call('GET', '/v1/export')).status, 401);
  });

  test('the route is in the OpenAPI description, with its formats', async () => {
    const doc = (await gateway.call('GET', '/openapi.json')).body;
    const parameters = doc.paths['/v1/export'].get.parameters as { name: string; schema: { enum: string[] } }[];
    assert.deepEqual(parameters.find((parameter) => parameter.name === 'format')?.schema.enum, ['netscape', 'json', 'csv']);
  });
});

/** A link manager with `total` generated links, counting the pages asked for, failing on page `failOn`. */
function generatedLinks(total: number, failOn?: number) {
  const asked: GetLinksRequest[] = [];
  const at = new Date('2024-01-01T00:00:00Z');
  const manager = {
    asked,
    async getLinks(request: GetLinksRequest): Promise<GetLinksResult> {
      asked.push(request);
      if (asked.length === failOn) throw new UnavailableError('link-service went away');
      const start = Number(request.startToken ?? 0);
      const end = Math.min(total, start + (request.limit ?? 10));
      const links: Link[] = [];
      for (let i = start; i < end; i++) {
        links.push({
          url: `https://example.com/${i}`,
          title: `Link ${i}`,
          description: 'x'.repeat(200),
          status: 'valid',
          tags: ['generated'],
          private: false,
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
        });
      }
      return { links, nextPageToken: end < total ? String(end) : '' };
    },
  };
  return manager;
}

describe('GET /v1/export, streamed', () => {
  async function exportFrom(manager: ReturnType<typeof generatedLinks>) {
    const gateway = await startGateway({ links: manager as unknown as LinkManager });
    const token = await gateway.signIn('sam');
    const response = await fetch(`${gateway.url}/v1/export?format=json`, { headers: { 'access-token': token } });
    return { gateway, response };
  }

  test('100,000 links: pages of the largest size are asked for only as the client reads', async () => {
    const manager = generatedLinks(100_000);
    const { gateway, response } = await exportFrom(manager);
    try {
      assert.equal(response.status, 200);
      const reader = response.body!.getReader();
      await reader.read();
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The client has read one chunk: the gateway went ahead only by what the socket and fetch buffers
      // hold (about 120 pages, 3 MB, here), not the whole export.
      assert.ok(manager.asked.length < 500, `only the pages needed so far (asked ${manager.asked.length} of 1000)`);
      assert.deepEqual(new Set(manager.asked.map((request) => request.limit)), new Set([100]));
      assert.ok(manager.asked.every((request) => request.username === 'sam'));
      let size = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.length;
      }
      assert.equal(manager.asked.length, 1000);
      assert.ok(size > 100_000 * 200, 'every link was written');
    } finally {
      await gateway.close();
    }
  });

  test('a failure midway breaks the download instead of ending it like a complete file', async () => {
    const { gateway, response } = await exportFrom(generatedLinks(1000, 3));
    try {
      assert.equal(response.status, 200);
      await assert.rejects(response.text(), /terminated|aborted|closed/i);
    } finally {
      await gateway.close();
    }
  });

  test('a failure before anything is written is a plain error answer', async () => {
    const { gateway, response } = await exportFrom(generatedLinks(1000, 1));
    try {
      assert.equal(response.status, 503);
      assert.deepEqual(await response.json(), { err: 'link-service went away' });
    } finally {
      await gateway.close();
    }
  });
});
