/**
 * GET /links/last-change and GET /links/dates (docs/design.md §20) over link-service's HTTP API,
 * through LinkClient as the gateway calls them: what the local manager answers, errors typed,
 * and only the gateway may ask.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LinkClient } from '@delinkcious/clients';
import { ServiceMetrics, createLogger, createServiceServer, listen, mutualAuthFromTokens } from '@delinkcious/kit';
import { ValidationError } from '@delinkcious/object-model';
import type { FastifyInstance } from 'fastify';
import { DefaultLinkManager } from '../src/manager.ts';
import { MemoryLinkStore } from '../src/stores/memory-link-store.ts';
import { registerLinkRoutes } from '../src/transport/http.ts';

const tokens = { 'api-gateway': 'gateway-token-0123456789', 'news-service': 'news-token-0123456789abc' };
let server: FastifyInstance;
let base: string;
const manager = new DefaultLinkManager({ store: new MemoryLinkStore(), maxLinksPerUser: 100 });

before(async () => {
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

describe('link-service HTTP API: last change and dates', () => {
  test('LinkClient answers what the manager answers: a Date or null, the days newest first, tags as a filter', async () => {
    const client = new LinkClient({ baseUrl: base, callerToken: tokens['api-gateway'] });
    try {
      assert.equal(await client.lastChange('dana'), null);
      await client.addLink({ username: 'dana', url: 'https://d.example/1', title: 'One', tags: ['go'], createdAt: new Date('2020-02-02T10:00:00Z') });
      await client.addLink({ username: 'dana', url: 'https://d.example/2', title: 'Two', private: true, createdAt: new Date('2020-02-03T10:00:00Z') });
      const at = await client.lastChange('dana');
      assert.ok(at instanceof Date);
      assert.deepEqual(at, await manager.lastChange('dana'));
      assert.deepEqual(await client.linkDates({ username: 'dana' }), [
        { date: '2020-02-03', count: 1 },
        { date: '2020-02-02', count: 1 },
      ]);
      assert.deepEqual(await client.linkDates({ username: 'dana', tags: ['go'] }), [{ date: '2020-02-02', count: 1 }]);
      assert.deepEqual(await client.linkDates({ username: 'dana', tags: ['go', 'absent'] }), []);
      await assert.rejects(client.linkDates({ username: 'dana', tags: ['x'.repeat(1000)] }), ValidationError);
      await assert.rejects(client.lastChange(''), ValidationError);
    } finally {
      client.close();
    }
  });

  test('the wire: changed_at as RFC 3339 text, counts as numbers; news-service may not ask', async () => {
    const get = async (path: string, token: string) => {
      const response = await fetch(`${base}${path}`, { headers: { 'delinkcious-caller-token': token } });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    await manager.addLink({ username: 'erin', url: 'https://e.example/', title: 'E', tags: ['a', 'b'], createdAt: new Date('2021-01-01T00:00:00Z') });
    const changed = await get('/links/last-change?username=erin', tokens['api-gateway']);
    assert.equal(changed.status, 200);
    assert.match(String(changed.body.changed_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const dates = await get('/links/dates?username=erin&tag=a&tag=b', tokens['api-gateway']);
    assert.deepEqual(dates.body, { err: '', dates: [{ date: '2021-01-01', count: 1 }] });
    assert.equal((await get('/links/dates?username=erin', tokens['news-service'])).status, 403);
    assert.equal((await get('/links/last-change?username=erin', tokens['news-service'])).status, 403);
  });
});
