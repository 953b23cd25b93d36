/**
 * The embedded process's in-process calls: a caller sees what it would see over
 * the network (the same typed error, the same message), and obtains only what
 * its row of authorization.ts lets it call.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { NewsClient, SocialGraphClient, inProcess } from '@delinkcious/clients';
import { Lifecycle, LocalServices, ServiceMetrics, createLogger, createServiceServer, mutualAuthDisabled, serve, type LocalService } from '@delinkcious/kit';
import { bindGrpc, createNewsGrpcServer } from '@delinkcious/news-service';
import {
  ConflictError,
  DelinkciousError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  UnavailableError,
  ValidationError,
  type NewsManager,
  type SocialGraphManager,
} from '@delinkcious/object-model';
import { DefaultSocialGraphManager, MemorySocialGraphStore, registerSocialGraphRoutes } from '@delinkcious/social-graph-service';

const logger = createLogger('in-process-test');
logger.level = 'silent';

/** What a manager may throw, from typed errors to a bug. */
const failures: Array<[string, () => Error]> = [
  ['a ValidationError', () => new ValidationError('followed is required')],
  ['a NotFoundError', () => new NotFoundError('no user bob')],
  ['a ConflictError', () => new ConflictError('already following')],
  ['a ForbiddenError', () => new ForbiddenError('not yours')],
  ['a RateLimitedError', () => new RateLimitedError('slow down', 1)],
  ['an UnavailableError', () => new UnavailableError('the database is down')],
  ['a plain Error', () => new Error('connection string postgres://secret@db leaked')],
  ['a TypeError', () => new TypeError("Cannot read properties of undefined (reading 'x')")],
];

/** A social graph whose follow() throws whatever the test sets. */
function failingSocialGraph(): { manager: SocialGraphManager; fail: (error: Error) => void } {
  let next: Error = new Error('unset');
  const manager = new DefaultSocialGraphManager({ store: new MemorySocialGraphStore() });
  manager.follow = async () => {
    throw next;
  };
  return { manager, fail: (error) => (next = error) };
}

/** What the caller can observe of an error: its kind, its status, its message. */
function seen(error: unknown) {
  assert.ok(error instanceof DelinkciousError, `a typed error, got ${String(error)}`);
  return { unavailable: error instanceof UnavailableError, code: error.code, status: error.status, message: error.message };
}

async function caught(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  assert.fail('the call should have failed');
}

describe('an in-process call fails as the same call over HTTP does', () => {
  const lifecycle = new Lifecycle();
  const remote = failingSocialGraph();
  const local = failingSocialGraph();
  let client: SocialGraphClient;

  before(async () => {
    const server = createServiceServer({ service: 'social-graph-service', logger, metrics: new ServiceMetrics('social-graph-service'), mutualAuth: mutualAuthDisabled });
    registerSocialGraphRoutes(server, remote.manager);
    const url = await serve(server, lifecycle, '127.0.0.1', 0, 'social-graph-service');
    client = new SocialGraphClient({ baseUrl: url, retries: 0 });
    lifecycle.onClose('client', () => client.close());
  });
  after(() => lifecycle.close());

  for (const [name, make] of failures) {
    test(name, async () => {
      remote.fail(make());
      local.fail(make());
      const adapter = inProcess('api-gateway', { name: 'social-graph-service', manager: local.manager, logger });
      const overHttp = seen(await caught(() => client.follow('bob', 'alice')));
      const inProc = seen(await caught(() => adapter.follow('bob', 'alice')));
      assert.deepEqual(inProc, overHttp);
    });
  }

  test('a typed error reaches the caller as the very error the manager threw', async () => {
    const thrown = new NotFoundError('no user bob');
    local.fail(thrown);
    const adapter = inProcess('api-gateway', { name: 'social-graph-service', manager: local.manager, logger });
    assert.equal(await caught(() => adapter.follow('bob', 'alice')), thrown);
  });
});

describe('an in-process news call fails as the same call over gRPC does', () => {
  const lifecycle = new Lifecycle();
  let next: Error = new Error('unset');
  const manager: NewsManager = {
    getNews: async () => {
      throw next;
    },
  };
  let client: NewsClient;

  before(async () => {
    const grpcServer = await createNewsGrpcServer({ manager, mutualAuth: mutualAuthDisabled, health: async () => 'SERVING', logger });
    const port = await bindGrpc(grpcServer.server, '127.0.0.1', 0);
    lifecycle.onClose('grpc', () => grpcServer.shutdown(1000));
    client = new NewsClient({ baseUrl: `127.0.0.1:${port}`, retries: 0 });
    lifecycle.onClose('client', () => client.close());
  });
  after(() => lifecycle.close());

  for (const [name, make] of failures) {
    test(name, async () => {
      next = make();
      const overGrpc = seen(await caught(() => client.getNews('alice')));
      next = make();
      const adapter = inProcess('api-gateway', { name: 'news-service', manager, logger });
      assert.deepEqual(seen(await caught(() => adapter.getNews('alice'))), overGrpc);
    });
  }
});

describe('the caller and the manager share no objects', () => {
  test('arguments and results are copies', async () => {
    const stored = ['carol'];
    const manager = new DefaultSocialGraphManager({ store: new MemorySocialGraphStore() });
    manager.getFollowers = async () => stored;
    const adapter = inProcess('news-service', { name: 'social-graph-service', manager, logger });
    const followers = await adapter.getFollowers('alice');
    followers.push('mallory');
    assert.deepEqual(stored, ['carol']);
  });
});

describe('the registry keeps authorization.ts', () => {
  const social = new DefaultSocialGraphManager({ store: new MemorySocialGraphStore() });
  const services = new LocalServices();
  services.for('social-graph-service').provide(social, logger);
  services.for('link-service').provide(new DefaultSocialGraphManager({ store: new MemorySocialGraphStore() }) as never, logger);

  test('a service obtains the managers its row allows', () => {
    assert.equal(services.for('news-service').get('social-graph-service').manager, social);
    assert.equal(services.for('api-gateway').get('social-graph-service').manager, social);
  });

  test('a service not in the callee\'s row obtains nothing', () => {
    assert.throws(() => services.for('user-service').get('link-service'), /user-service may not call link-service/);
    assert.throws(() => services.for('link-checker').get('social-graph-service'), /link-checker may not call social-graph-service/);
    assert.throws(() => services.for('api-gateway').get('link-checker'), /api-gateway may not call link-checker/);
  });

  test('a callee that has not started is a start-up error, not a silent fallback', () => {
    assert.throws(() => services.for('api-gateway').get('user-service'), /user-service, which has not started/);
  });

  test('routes outside the caller\'s row are refused as over the network (403)', async () => {
    await social.follow('alice', 'bob');
    const entry: LocalService<'social-graph-service'> = services.for('news-service').get('social-graph-service');
    const asNews = inProcess('news-service', entry);
    assert.deepEqual(await asNews.getFollowers('alice'), ['bob']);
    const refused = await caught(() => asNews.follow('alice', 'mallory'));
    assert.ok(refused instanceof ForbiddenError);
    assert.match(refused.message, /news-service may not call POST \/follow/);
    assert.deepEqual(await social.getFollowers('alice'), ['bob'], 'nothing was written');
  });

  test('the process is ready only when every service is', async () => {
    const all = new LocalServices();
    let storeUp = true;
    all.for('user-service').provideReadiness(async () => {
      if (!storeUp) throw new Error('database unreachable');
    });
    all.for('link-service').provideReadiness(async () => undefined);
    await all.for('api-gateway').readiness();
    storeUp = false;
    await assert.rejects(all.for('api-gateway').readiness(), /^Error: user-service: database unreachable$/);
  });
});
