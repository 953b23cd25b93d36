import assert from 'node:assert/strict';
import { maxHeaderSize } from 'node:http';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { ServiceMetrics, createLogger, createServiceServer, listen } from '../src/index.ts';

let server: FastifyInstance;
let base: string;

before(async () => {
  server = createServiceServer({ service: 'kit-test', logger: createLogger('kit-test').child({}, { level: 'silent' }), metrics: new ServiceMetrics('kit-test') });
  server.get('/links', async (request) => ({ length: request.url.length }));
  base = await listen(server, '127.0.0.1', 0);
});
after(() => server.close());

test('a query string over the size limit is 431 with {"err"}, and the server goes on serving', async () => {
  const fits = await fetch(`${base}/links?q=${'a'.repeat(maxHeaderSize / 2)}`);
  assert.equal(fits.status, 200);
  const over = await fetch(`${base}/links?q=${'a'.repeat(maxHeaderSize + 1)}`);
  assert.equal(over.status, 431);
  assert.match(over.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(await over.json(), { err: `the request line and headers are larger than ${maxHeaderSize} bytes; shorten the query string` });
  assert.equal((await fetch(`${base}/links?q=1`)).status, 200);
});

test('client addresses: X-Forwarded-For is read from the right, only as far as the trusted hops', async () => {
  const addressOf = async (trustProxy: false | number | string[], forwarded: string) => {
    const probe = createServiceServer({ service: 'kit-test', logger: createLogger('kit-test').child({}, { level: 'silent' }), metrics: new ServiceMetrics('kit-test'), trustProxy });
    probe.get('/ip', async (request) => ({ ip: request.ip }));
    const url = await listen(probe, '127.0.0.1', 0);
    try {
      return ((await (await fetch(`${url}/ip`, { headers: { 'x-forwarded-for': forwarded } })).json()) as { ip: string }).ip;
    } finally {
      await probe.close();
    }
  };
  // A client sent "1.1.1.1"; the ingress appended the address it saw, 203.0.113.7.
  assert.equal(await addressOf(false, '1.1.1.1, 203.0.113.7'), '127.0.0.1');
  assert.equal(await addressOf(1, '1.1.1.1, 203.0.113.7'), '203.0.113.7');
  assert.equal(await addressOf(2, '1.1.1.1, 203.0.113.7'), '1.1.1.1', 'two hops: the second proxy is trusted too');
  assert.equal(await addressOf(['127.0.0.0/8'], '1.1.1.1, 203.0.113.7'), '203.0.113.7', 'CIDRs: the first untrusted address from the right');
  assert.equal(await addressOf(['127.0.0.0/8', '203.0.113.0/24'], '1.1.1.1, 203.0.113.7'), '1.1.1.1');
});
