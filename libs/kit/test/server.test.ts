import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { ConflictError } from '@delinkcious/object-model';
import { ServiceMetrics, createLogger, createServiceServer, listen } from '../src/index.ts';

let server: FastifyInstance;
let base: string;
let ready = true;

before(async () => {
  server = createServiceServer({
    service: 'kit-test',
    logger: createLogger('kit-test').child({}, { level: 'silent' }),
    metrics: new ServiceMetrics('kit-test'),
    bodyLimit: 1024,
    readiness: async () => {
      if (!ready) throw new Error('store unreachable');
    },
  });
  server.get('/conflict', async () => {
    throw new ConflictError('already there');
  });
  server.get('/bug', async () => {
    throw new Error('secret internals at /srv/app.ts:12');
  });
  server.get('/echo/:name', async (request) => ({ name: (request.params as { name: string }).name }));
  server.post('/echo', async (request) => request.body);
  base = await listen(server, '127.0.0.1', 0);
});
after(() => server.close());

test('typed errors become their status with {"err"}; unexpected ones a bare 500 with no internals', async () => {
  const conflict = await fetch(`${base}/conflict`);
  assert.equal(conflict.status, 409);
  assert.deepEqual(await conflict.json(), { err: 'already there' });
  const bug = await fetch(`${base}/bug`);
  assert.equal(bug.status, 500);
  assert.deepEqual(await bug.json(), { err: 'internal error' });
});

test('a body over the limit is 413 with {"err"}; malformed JSON is 400', async () => {
  const big = await fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ x: 'y'.repeat(2000) }) });
  assert.equal(big.status, 413);
  assert.deepEqual(await big.json(), { err: 'request body is larger than 1024 bytes' });
  const bad = await fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
  assert.equal(bad.status, 400);
  assert.deepEqual(await bad.json(), { err: 'request body is not valid JSON' });
});

test('long path parameters work, and a malformed URL gets the same {"err"} body', async () => {
  const long = 'n'.repeat(1500);
  assert.deepEqual(await (await fetch(`${base}/echo/${long}`)).json(), { name: long });
  const malformed = await fetch(`${base}/echo/%ZZ`);
  assert.equal(malformed.status, 400);
  const body = (await malformed.json()) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body), ['err']);
});

test('request ids: a sane incoming x-request-id is kept, anything else replaced', async () => {
  assert.equal((await fetch(`${base}/healthz`, { headers: { 'x-request-id': 'abc-123' } })).headers.get('x-request-id'), 'abc-123');
  const replaced = (await fetch(`${base}/healthz`, { headers: { 'x-request-id': 'bad id <script>' } })).headers.get('x-request-id');
  assert.match(replaced ?? '', /^[0-9a-f-]{36}$/);
});

test('/readyz reports the readiness check', async () => {
  assert.equal((await fetch(`${base}/readyz`)).status, 200);
  ready = false;
  const response = await fetch(`${base}/readyz`);
  assert.equal(response.status, 503);
  assert.deepEqual(await response.json(), { status: 'not ready', err: 'store unreachable' });
  ready = true;
});

test('trace context: a caller\'s traceparent is continued, and passed on to the next service', async () => {
  const { ServiceHttpClient, currentTrace } = await import('../src/index.ts');
  const quiet = (name: string) => ({ service: name, logger: createLogger(name).child({}, { level: 'silent' }), metrics: new ServiceMetrics(name) });
  const downstream = createServiceServer(quiet('down'));
  downstream.get('/seen', async (request) => ({ traceparent: request.headers.traceparent ?? null }));
  const upstream = createServiceServer(quiet('up'));
  const client = new ServiceHttpClient({ target: 'down', baseUrl: await listen(downstream, '127.0.0.1', 0) });
  upstream.get('/relay', async () => ({ here: currentTrace(), there: await client.request<{ traceparent: string }>({ method: 'GET', path: '/seen' }) }));
  try {
    const up = await listen(upstream, '127.0.0.1', 0);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await fetch(`${up}/relay`, { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    const body = (await response.json()) as { here: { traceId: string; spanId: string }; there: { traceparent: string } };
    assert.equal(body.here.traceId, traceId, 'the service continues the caller\'s trace');
    assert.notEqual(body.here.spanId, '00f067aa0ba902b7', 'in a span of its own');
    assert.match(body.there.traceparent, new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`), 'and passes it on');
    const fresh = (await (await fetch(`${up}/relay`)).json()) as { here: { traceId: string } };
    assert.match(fresh.here.traceId, /^[0-9a-f]{32}$/, 'without a caller trace, one is started');
    assert.notEqual(fresh.here.traceId, traceId);
  } finally {
    client.close();
    await Promise.all([upstream.close(), downstream.close()]);
  }
});

test('a body without a content type is read as JSON (as the original Go services did); another type is 415', async () => {
  const { request } = await import('node:http');
  // node:http adds no content type of its own, as Go's client does not.
  const untyped = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const call = request(`${base}/echo`, { method: 'POST' }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    call.on('error', reject);
    call.end('{"Name":"x"}\n');
  });
  assert.equal(untyped.status, 200);
  assert.deepEqual(JSON.parse(untyped.body), { Name: 'x' });
  const plainFetch = await fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<x/>' });
  assert.equal(plainFetch.status, 415);
  assert.deepEqual(await plainFetch.json(), { err: 'unsupported content type; send application/json' });
});
