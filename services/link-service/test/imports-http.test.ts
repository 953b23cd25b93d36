/**
 * link-service's internal import routes (POST /imports, GET /imports/:id) through
 * LinkClient, as the gateway calls them: a body far over the default 1 MB limit
 * goes through the route's own limit, dates and privacy survive the wire, a bad
 * body is 400, another user's job 404, and news-service may not call them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LinkClient } from '@delinkcious/clients';
import { ServiceMetrics, createLogger, createServiceServer, listen, mutualAuthFromTokens } from '@delinkcious/kit';
import { ForbiddenError, NotFoundError, ValidationError } from '@delinkcious/object-model';
import type { FastifyInstance } from 'fastify';
import { registerImportRoutes } from '../src/imports/http.ts';
import { ImportWorker } from '../src/imports/import-worker.ts';
import { Importer } from '../src/imports/importer.ts';
import { MemoryImportStore } from '../src/imports/memory-import-store.ts';
import { DefaultLinkManager } from '../src/manager.ts';
import { MemoryLinkStore } from '../src/stores/memory-link-store.ts';

const tokens = { 'api-gateway': 'gateway-token-0123456789', 'news-service': 'news-token-0123456789abc' };

describe('link-service import routes', () => {
  let server: FastifyInstance;
  let client: LinkClient;
  let newsClient: LinkClient;
  let manager: DefaultLinkManager;
  let worker: ImportWorker;
  before(async () => {
    const store = new MemoryLinkStore();
    const imports = new MemoryImportStore(store);
    worker = new ImportWorker({ store: imports, maxLinksPerUser: 10_000 });
    manager = new DefaultLinkManager({ store, maxLinksPerUser: 10_000, imports: new Importer({ store: imports, maxEntries: 10_000 }) });
    server = createServiceServer({
      service: 'link-service',
      logger: createLogger('link-service-test').child({}, { level: 'silent' }),
      metrics: new ServiceMetrics('link-service'),
      mutualAuth: mutualAuthFromTokens('link-service', tokens),
    });
    registerImportRoutes(server, manager, 64 * 1024 * 1024);
    const base = await listen(server, '127.0.0.1', 0);
    client = new LinkClient({ baseUrl: base, callerToken: tokens['api-gateway'], timeoutMs: 30_000 });
    newsClient = new LinkClient({ baseUrl: base, callerToken: tokens['news-service'] });
  });
  after(async () => {
    client?.close();
    newsClient?.close();
    await server?.close();
  });

  test('a 3 MB request stores the job; the entries arrive with their dates and privacy', async () => {
    const entries = Array.from({ length: 5000 }, (_, i) => ({
      url: `https://wire.example/${i}`,
      title: `Title ${i}`,
      description: 'd'.repeat(500),
      tags: ['wire'],
      private: i % 2 === 0,
      createdAt: new Date(Date.UTC(2019, 0, 1) + i * 1000),
    }));
    assert.ok(JSON.stringify(entries).length > 3_000_000);
    const id = await client.startImport({ username: 'wired', entries, skipped: [{ url: 'javascript:void(0)', reason: 'not an http or https URL: javascript' }], tags: ['moved'] });
    await worker.drain();
    const status = await client.getImport('wired', id);
    assert.deepEqual([status.state, status.total, status.imported, status.skipped], ['done', 5001, 5000, 1]);
    assert.equal(status.errors[0]!.url, 'javascript:void(0)');
    const [newest, next] = (await manager.getLinks({ username: 'wired', limit: 2 })).links;
    assert.equal(newest!.url, 'https://wire.example/4999');
    assert.equal(newest!.createdAt.toISOString(), '2019-01-01T01:23:19.000Z');
    assert.deepEqual([newest!.private, next!.private], [false, true]);
    assert.deepEqual(newest!.tags, ['wire', 'moved']);
  });

  test('a bad body is 400, another user’s job 404, news-service is refused', async () => {
    await assert.rejects(client.startImport({ username: 'wired', entries: [] }), ValidationError);
    await assert.rejects(client.startImport({ username: 'not a name!', entries: [{ url: 'https://x.example/' }] }), ValidationError);
    const id = await client.startImport({ username: 'owner', entries: [{ url: 'https://x.example/' }] });
    await assert.rejects(client.getImport('someone-else', id), NotFoundError);
    await assert.rejects(newsClient.getImport('owner', id), ForbiddenError);
    await worker.drain();
  });
});
