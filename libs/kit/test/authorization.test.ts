import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import {
  ServiceMetrics,
  allowedCalls,
  calleesOf,
  callerTokenHash,
  callersOf,
  createLogger,
  createServiceServer,
  generateCallerTokens,
  listen,
  mutualAuthFromTokens,
  serviceCatalog,
  type AllowedCall,
  type ServiceName,
} from '../src/index.ts';

const services = Object.keys(serviceCatalog) as ServiceName[];
// Every caller holds a token every service can verify (the earlier shared file): only authorization tells them apart.
const tokens = generateCallerTokens(services);

/** The routes `service` serves: every route any caller may call on it. */
const routesOf = (service: ServiceName): AllowedCall[] => [...new Set(Object.values(allowedCalls[service]).flat())];

/** A request path that fastify routes to the template. */
const pathOf = (template: string) => template.replace(/:(\w+)/g, 'x-$1').replace('*', 'alice');

interface Running {
  server: FastifyInstance;
  url: string;
}

describe('each service accepts each caller only on the routes that caller uses', () => {
  const running = new Map<ServiceName, Running>();

  before(async () => {
    for (const service of services) {
      const server = createServiceServer({
        service,
        logger: createLogger(service).child({}, { level: 'silent' }),
        metrics: new ServiceMetrics(service),
        mutualAuth: mutualAuthFromTokens(service, tokens),
      });
      // The HTTP routes of every service, here as stand-ins answering 200 (news-service's route is gRPC; see grpc.test.ts).
      for (const route of routesOf(service)) {
        const [method, url] = route.split(' ') as [string, string];
        server.route({ method, url, handler: async () => ({ served: route }) });
      }
      running.set(service, { server, url: await listen(server, '127.0.0.1', 0) });
    }
  });
  after(async () => {
    for (const { server } of running.values()) await server.close();
  });

  test('every allowed pair answers, every forbidden pair is 403 naming the caller and the route', async () => {
    let allowed = 0;
    let forbidden = 0;
    for (const service of services) {
      const { url } = running.get(service)!;
      for (const caller of services) {
        for (const route of routesOf(service)) {
          const [method, template] = route.split(' ') as [string, string];
          const withBody = method === 'POST' || method === 'PUT';
          const response = await fetch(`${url}${pathOf(template)}`, {
            method,
            headers: { 'delinkcious-caller-token': tokens[caller]!, ...(withBody ? { 'content-type': 'application/json' } : {}) },
            body: withBody ? '{}' : undefined,
          });
          const body = await response.json();
          if (allowedCalls[service][caller]?.includes(route)) {
            assert.deepEqual({ status: response.status, body }, { status: 200, body: { served: route } }, `${caller} -> ${service} ${route}`);
            allowed += 1;
          } else {
            assert.deepEqual(
              { status: response.status, body },
              { status: 403, body: { err: `${caller} may not call ${method} ${template}` } },
              `${caller} -> ${service} ${route}`,
            );
            forbidden += 1;
          }
        }
      }
    }
    const listed = services.reduce((sum, service) => sum + Object.values(allowedCalls[service]).flat().length, 0);
    const served = services.reduce((sum, service) => sum + routesOf(service).length, 0);
    assert.equal(allowed, listed);
    assert.equal(forbidden, services.length * served - listed);
  });

  test('the audit\'s calls are refused: link-checker logs nobody in, news-service neither mints tokens nor deletes links', async () => {
    const call = (service: ServiceName, caller: ServiceName, method: string, path: string, body?: unknown) =>
      fetch(`${running.get(service)!.url}${path}`, {
        method,
        headers: { 'delinkcious-caller-token': tokens[caller]!, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then(async (response) => ({ status: response.status, body: await response.json() }));
    assert.deepEqual(await call('user-service', 'link-checker', 'POST', '/login', { username: 'pub1' }), {
      status: 403,
      body: { err: 'link-checker may not call POST /login' },
    });
    assert.deepEqual(await call('user-service', 'news-service', 'POST', '/users/pub1/tokens', { name: 'mine' }), {
      status: 403,
      body: { err: 'news-service may not call POST /users/:username/tokens' },
    });
    assert.deepEqual(await call('link-service', 'news-service', 'DELETE', '/links?username=pub1&url=x'), {
      status: 403,
      body: { err: 'news-service may not call DELETE /links' },
    });
    assert.equal((await call('social-graph-service', 'news-service', 'GET', '/followers/pub1')).status, 200);
    const head = (caller: ServiceName) =>
      fetch(`${running.get('social-graph-service')!.url}/followers/pub1`, { method: 'HEAD', headers: { 'delinkcious-caller-token': tokens[caller]! } });
    assert.equal((await head('news-service')).status, 200, 'HEAD goes with GET');
    assert.equal((await head('link-checker')).status, 403);
  });

  test('an unknown token is still 401 and an unknown path still 404, whoever calls', async () => {
    const { url } = running.get('link-service')!;
    assert.equal((await fetch(`${url}/links`, { headers: { 'delinkcious-caller-token': 'x'.repeat(32) } })).status, 401);
    assert.equal((await fetch(`${url}/nowhere`, { headers: { 'delinkcious-caller-token': tokens['api-gateway']! } })).status, 404);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
  });
});

test('the call graph: link-checker calls nothing, news-service social-graph (and link-service for rebuild-feeds), the gateway every service but the checker', () => {
  assert.deepEqual(calleesOf('link-checker'), []);
  assert.deepEqual(calleesOf('news-service'), ['link-service', 'social-graph-service']);
  assert.deepEqual(allowedCalls['link-service']['news-service'], ['GET /public-links']);
  assert.deepEqual(calleesOf('link-service'), ['link-checker']);
  assert.deepEqual(calleesOf('user-service'), []);
  assert.deepEqual(calleesOf('api-gateway').sort(), ['link-service', 'news-service', 'social-graph-service', 'user-service']);
  assert.deepEqual(callersOf('api-gateway'), []);
  assert.deepEqual(callersOf('social-graph-service').sort(), ['api-gateway', 'news-service']);
  assert.match(callerTokenHash('abc'), /^sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad$/);
});
