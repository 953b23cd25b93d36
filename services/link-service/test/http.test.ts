import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LinkClient } from '@delinkcious/clients';
import { ServiceMetrics, createLogger, createServiceServer, listen, mutualAuthFromTokens } from '@delinkcious/kit';
import { ConflictError, NotFoundError, ValidationError } from '@delinkcious/object-model';
import type { FastifyInstance } from 'fastify';
import { DefaultLinkManager } from '../src/manager.ts';
import { MemoryLinkStore } from '../src/stores/memory-link-store.ts';
import { registerLinkRoutes } from '../src/transport/http.ts';

const tokens = { 'api-gateway': 'gateway-token-0123456789', 'news-service': 'news-token-0123456789abc' };
let server: FastifyInstance;
let base: string;
const store = new MemoryLinkStore();
const emitted = store.outbox;

before(async () => {
  const manager = new DefaultLinkManager({ store, maxLinksPerUser: 100 });
  server = createServiceServer({
    service: 'link-service',
    logger: createLogger('link-service-test').child({}, { level: 'silent' }),
    metrics: new ServiceMetrics('link-service'),
    mutualAuth: mutualAuthFromTokens('link-service', tokens),
  });
  registerLinkRoutes(server, manager);
  base = await listen(server, '127.0.0.1', 0);
});
after(() => server.close());

async function call(method: string, path: string, body?: unknown, token: string | null = tokens['api-gateway']) {
  const headers: Record<string, string> = {};
  if (token) headers['delinkcious-caller-token'] = token;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('link-service HTTP API', () => {
  test('POST /links with the original PascalCase body answers the created LINK', async () => {
    const { status, body } = await call('POST', '/links', {
      Username: 'alice',
      Url: 'https://go.dev/',
      Title: 'Go',
      Description: 'lang',
      Tags: { go: true, Lang: true },
    });
    assert.equal(status, 200);
    assert.equal(body.err, '');
    const link = body.link as Record<string, unknown>;
    assert.equal(link.Url, 'https://go.dev/');
    assert.equal(link.Status, 'pending');
    assert.deepEqual(link.Tags, { go: true, lang: true });
    assert.match(String(link.CreatedAt), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.equal(emitted.at(-1)?.type, 'link.added');
  });

  test('POST /links accepts snake_case fields and a tag string', async () => {
    const { status, body } = await call('POST', '/links', { username: 'alice', url: 'https://k8s.io/', title: 'K8s', tags: 'ops, k8s' });
    assert.equal(status, 200);
    assert.deepEqual((body.link as { Tags: unknown }).Tags, { ops: true, k8s: true });
  });

  test('GET /links accepts both parameter spellings', async () => {
    const long = await call('GET', '/links?username=alice&url_regex=go%5C.dev&start_token=');
    const short = await call('GET', '/links?username=alice&url=go%5C.dev&start=');
    assert.equal(long.status, 200);
    assert.deepEqual(long.body, short.body);
    assert.deepEqual((long.body.links as Array<{ Url: string }>).map((l) => l.Url), ['https://go.dev/']);
    assert.equal(long.body.next_page_token, '');
    const titled = await call('GET', '/links?username=alice&title=%5EK8&description=');
    assert.deepEqual((titled.body.links as Array<{ Url: string }>).map((l) => l.Url), ['https://k8s.io/']);
    const tagged = await call('GET', '/links?username=alice&tag=ops');
    assert.deepEqual((tagged.body.links as Array<{ Url: string }>).map((l) => l.Url), ['https://k8s.io/']);
  });

  test('GET /links pages with limit and the token', async () => {
    const first = await call('GET', '/links?username=alice&limit=1');
    assert.equal((first.body.links as unknown[]).length, 1);
    const token = String(first.body.next_page_token);
    assert.notEqual(token, '');
    const second = await call('GET', `/links?username=alice&limit=1&start_token=${encodeURIComponent(token)}`);
    assert.deepEqual((second.body.links as Array<{ Url: string }>).map((l) => l.Url), ['https://go.dev/']);
    assert.equal(second.body.next_page_token, '');
  });

  test('PUT /links updates, moves and re-tags a link', async () => {
    const { status, body } = await call('PUT', '/links', {
      Username: 'alice',
      Url: 'https://k8s.io/',
      NewUrl: 'https://kubernetes.io/',
      Title: 'Kubernetes',
      AddTags: ['cncf'],
      RemoveTags: 'ops',
    });
    assert.equal(status, 200);
    const link = body.link as Record<string, unknown>;
    assert.equal(link.Url, 'https://kubernetes.io/');
    assert.equal(link.Title, 'Kubernetes');
    assert.deepEqual(link.Tags, { k8s: true, cncf: true });
    assert.equal(emitted.at(-1)?.previousUrl, 'https://k8s.io/');
  });

  test('DELETE /links?username&url deletes; a second time is 404', async () => {
    const url = encodeURIComponent('https://kubernetes.io/');
    assert.deepEqual(await call('DELETE', `/links?username=alice&url=${url}`), { status: 200, body: { err: '' } });
    const again = await call('DELETE', `/links?username=alice&url=${url}`);
    assert.equal(again.status, 404);
    assert.match(String(again.body.err), /no link with url https:\/\/kubernetes\.io\//);
  });

  const errors: Array<[string, string, string, unknown, number, RegExp]> = [
    ['a title that is not text', 'POST', '/links', { Username: 'alice', Url: 'https://x.example/', Title: 7 }, 400, /title must be text/],
    ['a bad URL', 'POST', '/links', { Username: 'alice', Url: 'nope', Title: 'x' }, 400, /url is not a valid URL/],
    ['a duplicate', 'POST', '/links', { Username: 'alice', Url: 'https://go.dev/', Title: 'x' }, 409, /already saved/],
    ['a body that is not an object', 'POST', '/links', [1, 2], 400, /must be a JSON object/],
    ['an invalid regex', 'GET', '/links?username=alice&url_regex=(', undefined, 400, /url_regex is not a valid regular expression/],
    ['a bad limit', 'GET', '/links?username=alice&limit=ten', undefined, 400, /limit must be a whole number/],
    // A repeated tag is allowed (links with all of them, docs/design.md §14); a repeated q is not.
    ['a repeated parameter', 'GET', '/links?username=alice&q=a&q=b', undefined, 400, /q was given more than once/],
    ['a malformed query', 'GET', '/links?username=alice&q=%22go', undefined, 400, /^q: unclosed quote at character 1$/],
    ['a missing username', 'GET', '/links', undefined, 400, /username is required/],
    ['an update of a missing link', 'PUT', '/links', { Username: 'alice', Url: 'https://none/', Title: 'x' }, 404, /no link/],
    ['an unknown route', 'GET', '/nothing', undefined, 404, /no route for GET \/nothing/],
  ];
  for (const [name, method, path, body, status, message] of errors) {
    test(`${name} → ${status} with a clear {"err"}`, async () => {
      const response = await call(method, path, body);
      assert.equal(response.status, status);
      assert.match(String(response.body.err), message);
    });
  }

  test('a NUL in any text field is a 400 naming the field, never a database error', async () => {
    const ok = { Username: 'alice', Url: 'https://nul.example/', Title: 'T', Description: 'd' };
    const cases: Array<[string, string, Record<string, unknown>, string]> = [
      ['POST', '/links', { ...ok, Url: 'https://nul.example/\u0000' }, 'url'],
      ['POST', '/links', { ...ok, Title: 'T\u0000' }, 'title'],
      ['POST', '/links', { ...ok, Description: 'd\u0000' }, 'description'],
      ['POST', '/links', { ...ok, Tags: ['a\u0000b'] }, 'tags'],
      ['POST', '/links', { ...ok, Username: 'al\u0000ice' }, 'username'],
      ['PUT', '/links', { Username: 'alice', Url: 'https://go.dev/\u0000', Title: 'x' }, 'url'],
      ['PUT', '/links', { Username: 'alice', Url: 'https://go.dev/', NewUrl: 'https://go.dev/\u0000' }, 'new_url'],
      ['PUT', '/links', { Username: 'alice', Url: 'https://go.dev/', AddTags: 'x\u0000' }, 'add_tags'],
      ['PUT', '/links', { Username: 'alice', Url: 'https://go.dev/', Title: 'T\ud800' }, 'title'],
    ];
    for (const [method, path, body, field] of cases) {
      const response = await call(method, path, body);
      assert.equal(response.status, 400, `${method} ${JSON.stringify(body)}`);
      assert.match(String(response.body.err), new RegExp(`^${field}\\b.*(control characters|lone surrogate)`));
    }
    for (const [query, field] of [
      ['username=alice&tag=a%00', 'tag'],
      ['username=alice&url=a%00', 'url_regex'],
      ['username=al%00ice', 'username'],
    ]) {
      const response = await call('GET', `/links?${query}`);
      assert.equal(response.status, 400, query);
      assert.match(String(response.body.err), new RegExp(`^${field} must not contain control characters`));
    }
    const deleted = await call('DELETE', '/links?username=alice&url=https%3A%2F%2Fgo.dev%2F%00');
    assert.equal(deleted.status, 400);
    assert.match(String(deleted.body.err), /^url must not contain control characters/);
  });

  test('malformed JSON is a 400, not a 500', async () => {
    const response = await fetch(`${base}/links`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'delinkcious-caller-token': tokens['api-gateway'] },
      body: '{"Url": ',
    });
    assert.equal(response.status, 400);
    assert.deepEqual(await response.json(), { err: 'request body is not valid JSON' });
  });

  test('mutual auth refuses a missing or wrong caller token, on every route, and a caller with no business there', async () => {
    for (const [method, path] of [['GET', '/links?username=alice'], ['POST', '/links'], ['PUT', '/links'], ['DELETE', '/links?username=alice&url=x']]) {
      const missing = await call(method!, path!, method === 'GET' || method === 'DELETE' ? undefined : {}, null);
      assert.deepEqual(missing, { status: 401, body: { err: 'missing caller token' } });
      const wrong = await call(method!, path!, undefined, 'not-a-known-token-at-all');
      assert.deepEqual(wrong, { status: 401, body: { err: 'unknown caller token' } });
    }
    // A known caller that does not use link-service (authorization.ts) is refused too.
    assert.deepEqual(await call('GET', '/links?username=alice', undefined, tokens['news-service']), { status: 403, body: { err: 'news-service may not call GET /links' } });
  });

  test('probes and metrics need no caller token; metrics count requests by route template', async () => {
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.deepEqual(await (await fetch(`${base}/readyz`)).json(), { status: 'ready' });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /http_requests_total\{method="POST",route="\/links",status="200",service="link-service"\} \d+/);
    assert.match(metrics, /http_request_duration_seconds_count\{service="link-service",method="GET",route="\/links",status="200"\} \d+/);
    assert.match(metrics, /process_cpu_user_seconds_total/);
  });

  test('LinkClient over HTTP behaves like the local manager, typed errors included', async () => {
    const client = new LinkClient({ baseUrl: base, callerToken: tokens['api-gateway'] });
    try {
      const added = await client.addLink({ username: 'carol', url: 'https://c.example/', title: 'C', tags: ['x'] });
      assert.equal(added.status, 'pending');
      assert.ok(added.createdAt instanceof Date);
      assert.deepEqual(added.tags, ['x']);
      const updated = await client.updateLink({ username: 'carol', url: 'https://c.example/', addTags: ['y'], description: 'd' });
      assert.deepEqual(updated.tags, ['x', 'y']);
      const page = await client.getLinks({ username: 'carol', tag: 'y' });
      assert.deepEqual(page.links.map((l) => l.description), ['d']);
      await assert.rejects(client.addLink({ username: 'carol', url: 'https://c.example/', title: 'C' }), ConflictError);
      await assert.rejects(client.getLinks({ username: 'carol', urlRegex: '[' }), ValidationError);
      await client.deleteLink('carol', 'https://c.example/');
      await assert.rejects(client.deleteLink('carol', 'https://c.example/'), NotFoundError);
    } finally {
      client.close();
    }
  });
});
