import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { ConflictError, NotFoundError, UnavailableError, ValidationError } from '@delinkcious/object-model';
import { ServiceHttpClient } from '../src/index.ts';

type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;
const servers: Server[] = [];
after(() => servers.forEach((server) => server.closeAllConnections?.() ?? server.close()));

async function serve(handler: Handler): Promise<{ url: string; calls: () => number; seen: IncomingMessage[] }> {
  let calls = 0;
  const seen: IncomingMessage[] = [];
  const server = createServer((request, response) => {
    calls++;
    seen.push(request);
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => handler(request, response, body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls: () => calls, seen };
}

const json = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
};

test('sends the caller token, query and JSON body, and answers the parsed body', async () => {
  const { url, seen } = await serve((request, response, body) => json(response, 200, { echo: JSON.parse(body), path: request.url }));
  const client = new ServiceHttpClient({ target: 'echo', baseUrl: url, callerToken: 'caller-token-0123456789' });
  const answer = await client.request<{ echo: unknown; path: string }>({ method: 'POST', path: '/x', query: { a: 'b c', skip: undefined }, body: { k: 1 } });
  assert.deepEqual(answer, { echo: { k: 1 }, path: '/x?a=b+c' });
  assert.equal(seen[0]?.headers['delinkcious-caller-token'], 'caller-token-0123456789');
  client.close();
});

test('error statuses come back as the typed errors the remote threw, with its message', async () => {
  const statuses: Record<string, [number, new (m: string) => Error]> = {
    '/400': [400, ValidationError],
    '/404': [404, NotFoundError],
    '/409': [409, ConflictError],
  };
  const { url } = await serve((request, response) => json(response, statuses[request.url!]![0], { err: `said ${request.url}` }));
  const client = new ServiceHttpClient({ target: 'svc', baseUrl: url });
  for (const [path, [, ErrorClass]] of Object.entries(statuses)) {
    await assert.rejects(client.request({ method: 'GET', path }), (error: Error) => error instanceof ErrorClass && error.message === `said ${path}`);
  }
  client.close();
});

test('idempotent calls are retried on 503 until they succeed; non-idempotent ones are not', async () => {
  let failuresLeft = 2;
  const { url, calls } = await serve((_request, response) =>
    failuresLeft-- > 0 ? json(response, 503, { err: 'busy' }) : json(response, 200, { ok: true }),
  );
  const client = new ServiceHttpClient({ target: 'flaky', baseUrl: url, retries: 3 });
  assert.deepEqual(await client.request({ method: 'GET', path: '/' }), { ok: true });
  assert.equal(calls(), 3);

  failuresLeft = 1;
  await assert.rejects(client.request({ method: 'POST', path: '/', body: {} }), UnavailableError);
  assert.equal(calls(), 4, 'a POST is sent once');
  client.close();
});

test('a 4xx is never retried', async () => {
  const { url, calls } = await serve((_request, response) => json(response, 400, { err: 'bad' }));
  const client = new ServiceHttpClient({ target: 'svc', baseUrl: url, retries: 3 });
  await assert.rejects(client.request({ method: 'GET', path: '/' }), ValidationError);
  assert.equal(calls(), 1);
  client.close();
});

test('a service that never answers gives UnavailableError after the timeout, not a hang', async () => {
  const { url } = await serve(() => {
    /* never answers */
  });
  const client = new ServiceHttpClient({ target: 'stuck', baseUrl: url, timeoutMs: 100, retries: 1 });
  await assert.rejects(client.request({ method: 'GET', path: '/' }), (error: Error) =>
    error instanceof UnavailableError && /stuck is unavailable \(no answer within 100 ms\)/.test(error.message));
  client.close();
});

test('a call that timed out is not retried: the slow service gets it once, the caller an UnavailableError after one timeout', async () => {
  const { url, calls } = await serve((_request, response) => {
    setTimeout(() => json(response, 200, { late: true }), 1000);
  });
  const client = new ServiceHttpClient({ target: 'slow', baseUrl: url, timeoutMs: 100, retries: 3 });
  await assert.rejects(client.request({ method: 'GET', path: '/' }), (error: Error) =>
    error instanceof UnavailableError && /slow is unavailable \(no answer within 100 ms\)/.test(error.message));
  await new Promise((resolve) => setTimeout(resolve, 300)); // room for a retry to arrive, were one sent
  assert.equal(calls(), 1, 'the slow service received the call once');
  client.close();
});

test('a call may carry its own deadline: longer for one that carries much, the client’s for the rest', async () => {
  const { url } = await serve((_request, response) => {
    setTimeout(() => json(response, 200, { done: true }), 300);
  });
  const client = new ServiceHttpClient({ target: 'slow', baseUrl: url, timeoutMs: 100, retries: 0 });
  assert.deepEqual(await client.request({ method: 'POST', path: '/', body: {}, timeoutMs: 2000 }), { done: true });
  await assert.rejects(client.request({ method: 'POST', path: '/', body: {} }), (error: Error) =>
    error instanceof UnavailableError && /no answer within 100 ms/.test(error.message));
  await assert.rejects(client.request({ method: 'POST', path: '/', body: {}, timeoutMs: 50 }), (error: Error) =>
    error instanceof UnavailableError && /no answer within 50 ms/.test(error.message));
  client.close();
});

test('timeouts count as failures for the breaker: then calls fail fast without reaching the slow service', async () => {
  const { url, calls } = await serve(() => {
    /* never answers */
  });
  const client = new ServiceHttpClient({ target: 'slow', baseUrl: url, timeoutMs: 50, retries: 3, breaker: { volumeThreshold: 2 } });
  for (let i = 0; i < 2; i++) await assert.rejects(client.request({ method: 'GET', path: '/' }), UnavailableError);
  assert.equal(calls(), 2);
  await assert.rejects(client.request({ method: 'GET', path: '/' }), (error: Error) => /slow is unavailable \(failing fast/.test(error.message));
  assert.equal(calls(), 2, 'the open circuit did not call the service');
  client.close();
});

test('a 504 (the service timed out downstream) is not retried either', async () => {
  const { url, calls } = await serve((_request, response) => json(response, 504, { err: 'timed out' }));
  const client = new ServiceHttpClient({ target: 'svc', baseUrl: url, retries: 3 });
  await assert.rejects(client.request({ method: 'GET', path: '/' }), UnavailableError);
  assert.equal(calls(), 1);
  client.close();
});

test('a connection reset before an answer is still retried for an idempotent call', async () => {
  let resets = 1;
  const { url, calls } = await serve((request, response) => (resets-- > 0 ? request.socket.destroy() : json(response, 200, { ok: true })));
  const client = new ServiceHttpClient({ target: 'flaky', baseUrl: url, retries: 2 });
  assert.deepEqual(await client.request({ method: 'GET', path: '/' }), { ok: true });
  assert.equal(calls(), 2);
  client.close();
});

test('after repeated failures the circuit opens: calls fail fast without reaching the service, then recover', async () => {
  let healthy = false;
  const { url, calls } = await serve((_request, response) => (healthy ? json(response, 200, { ok: true }) : json(response, 500, { err: 'boom' })));
  const client = new ServiceHttpClient({ target: 'dying', baseUrl: url, retries: 0, breaker: { volumeThreshold: 3, resetTimeoutMs: 200 } });
  for (let i = 0; i < 3; i++) await assert.rejects(client.request({ method: 'GET', path: '/' }), UnavailableError);
  const reached = calls();
  await assert.rejects(client.request({ method: 'GET', path: '/' }), (error: Error) =>
    error instanceof UnavailableError && /dying is unavailable \(failing fast/.test(error.message));
  assert.equal(calls(), reached, 'the open circuit did not call the service');
  healthy = true;
  await new Promise((resolve) => setTimeout(resolve, 250));
  assert.deepEqual(await client.request({ method: 'GET', path: '/' }), { ok: true }, 'half-open lets a trial call through');
  client.close();
});

test('a closed port is UnavailableError naming the service, caused by the refused connection', async () => {
  const client = new ServiceHttpClient({ target: 'gone', baseUrl: 'http://127.0.0.1:1', retries: 0 });
  await assert.rejects(client.request({ method: 'GET', path: '/' }), (error: Error) =>
    /gone is unavailable \(unreachable\)/.test(error.message) && (error.cause as NodeJS.ErrnoException).code === 'ECONNREFUSED');
  client.close();
});

test('a 401 for the caller token is a deployment fault (UnavailableError), not the user\'s Access Denied', async () => {
  const { url } = await serve((_request, response) => json(response, 401, { err: 'unknown caller token' }));
  const client = new ServiceHttpClient({ target: 'link-service', baseUrl: url, callerToken: 'stale-token-0123456789' });
  await assert.rejects(client.request({ method: 'GET', path: '/' }), (error: Error) =>
    error instanceof UnavailableError && /link-service refused this service's caller token/.test(error.message));
  client.close();
});
