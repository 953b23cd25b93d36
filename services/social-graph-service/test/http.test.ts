/** The internal HTTP API over real HTTP, and SocialGraphClient against it. */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { SocialGraphClient } from '@delinkcious/clients';
import { listen, mutualAuthFromTokens } from '@delinkcious/kit';
import { quietServiceServer } from '@delinkcious/testing';
import {
  DelinkciousError,
  NotFoundError,
  UnavailableError,
  ValidationError,
  type SocialGraphManager,
} from '@delinkcious/object-model';
import { DefaultSocialGraphManager } from '../src/manager.ts';
import { MemorySocialGraphStore } from '../src/stores/memory-social-graph-store.ts';
import { registerSocialGraphRoutes } from '../src/transport/http.ts';

const tokens = {
  'api-gateway': 'gateway-token-0123456789abcdef',
  'news-service': 'news-token-0123456789abcdef',
  'social-graph-service': 'social-token-0123456789abcdef',
};
const callerToken = tokens['api-gateway'];

interface Running {
  url: string;
  server: FastifyInstance;
}

async function startServer(manager: SocialGraphManager): Promise<Running> {
  const server = quietServiceServer('social-graph-service', mutualAuthFromTokens('social-graph-service', tokens));
  registerSocialGraphRoutes(server, manager);
  return { url: await listen(server, '127.0.0.1', 0), server };
}

describe('social-graph-service HTTP API', () => {
  let running: Running;
  let store: MemorySocialGraphStore;

  // A fresh server and graph per test.
  beforeEach(async () => {
    store = new MemorySocialGraphStore();
    running = await startServer(new DefaultSocialGraphManager({ store }));
  });
  afterEach(async () => running?.server.close());

  async function call(method: string, path: string, options: { body?: string | object; token?: string | null } = {}) {
    const headers: Record<string, string> = {};
    const token = options.token === undefined ? callerToken : options.token;
    if (token !== null) headers['delinkcious-caller-token'] = token;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    }
    const response = await fetch(`${running.url}${path}`, { method, headers, body });
    return { status: response.status, body: (await response.json()) as unknown };
  }

  test('POST /follow answers {"err":""} and the lists show the follow, as {name: true} maps', async () => {
    assert.deepEqual(await call('POST', '/follow', { body: { followed: 'alice', follower: 'bob' } }), { status: 200, body: { err: '' } });
    await call('POST', '/follow', { body: { followed: 'carol', follower: 'bob' } });
    assert.deepEqual(await call('GET', '/following/bob'), { status: 200, body: { following: { alice: true, carol: true }, err: '' } });
    assert.deepEqual(await call('GET', '/followers/alice'), { status: 200, body: { followers: { bob: true }, err: '' } });
    assert.deepEqual(await call('GET', '/followers/bob'), { status: 200, body: { followers: {}, err: '' } });
  });

  test('POST /follow twice answers {"err":""} both times and stores one follow', async () => {
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(await call('POST', '/follow', { body: { followed: 'alice', follower: 'bob' } }), { status: 200, body: { err: '' } });
    }
    assert.deepEqual(await store.followers('alice'), ['bob']);
  });

  test('POST /unfollow answers {"err":""}, then 404 with a clear message', async () => {
    await call('POST', '/follow', { body: { followed: 'alice', follower: 'bob' } });
    assert.deepEqual(await call('POST', '/unfollow', { body: { followed: 'alice', follower: 'bob' } }), { status: 200, body: { err: '' } });
    assert.deepEqual(await store.followers('alice'), []);
    assert.deepEqual(await call('POST', '/unfollow', { body: { followed: 'alice', follower: 'bob' } }), {
      status: 404,
      body: { err: 'bob does not follow alice' },
    });
  });

  test('bad bodies are 400 with the reason', async () => {
    const cases: Array<[string, string | object, string]> = [
      ['/follow', { followed: 'alice', follower: 'alice' }, 'a user cannot follow themselves'],
      ['/follow', { followed: 'alice' }, 'follower is required'],
      ['/follow', { follower: 'bob' }, 'followed is required'],
      ['/unfollow', { followed: '  ', follower: 'bob' }, 'followed is required'],
      ['/follow', { followed: 'alice', follower: 7 }, 'follower must be text'],
      ['/unfollow', { followed: ['alice'], follower: 'bob' }, 'followed must be text'],
      ['/follow', { followed: 'x'.repeat(40), follower: 'bob' }, 'followed is longer than 39 characters'],
      ['/follow', { followed: 'al\u0000ice', follower: 'bob' }, 'followed must not contain control characters'],
      ['/unfollow', { followed: 'alice', follower: 'b\u0000ob' }, 'follower must not contain control characters'],
      ['/follow', { followed: 'alice', follower: 'under_score' }, 'follower may only contain letters, digits and single hyphens, and cannot begin or end with a hyphen'],
      ['/follow', '["alice","bob"]', 'request body must be a JSON object'],
      ['/follow', '"alice"', 'request body must be a JSON object'],
      ['/unfollow', '{"followed":', 'request body is not valid JSON'],
    ];
    for (const [path, body, err] of cases) {
      assert.deepEqual(await call('POST', path, { body }), { status: 400, body: { err } }, `${path} ${JSON.stringify(body)}`);
    }
    assert.deepEqual(await call('POST', '/follow'), { status: 400, body: { err: 'request body must be a JSON object' } }, 'no body');
    assert.deepEqual(await store.followers('alice'), []);
  });

  test('a username in the path is decoded, trimmed, of any case and may be 39 characters', async () => {
    const long = 'x'.repeat(39);
    await call('POST', '/follow', { body: { followed: long, follower: 'Mixed-Case' } });
    assert.deepEqual(await call('GET', `/followers/${long.toUpperCase()}`), { status: 200, body: { followers: { 'mixed-case': true }, err: '' } });
    assert.deepEqual(await call('GET', `/following/${encodeURIComponent(' Mixed-Case ')}`), {
      status: 200,
      body: { following: { [long]: true }, err: '' },
    });
  });

  test('a bad username in the path is 400 with the reason', async () => {
    assert.deepEqual(await call('GET', '/following/'), { status: 400, body: { err: 'username is required' } });
    assert.deepEqual(await call('GET', '/followers/%20%20'), { status: 400, body: { err: 'username is required' } });
    assert.deepEqual(await call('GET', `/followers/${'x'.repeat(40)}`), { status: 400, body: { err: 'username is longer than 39 characters' } });
    assert.deepEqual(await call('GET', `/followers/${encodeURIComponent('a/b?c')}`), {
      status: 400,
      body: { err: 'username may only contain letters, digits and single hyphens, and cannot begin or end with a hyphen' },
    });
    assert.deepEqual(await call('GET', '/following/a%00b'), { status: 400, body: { err: 'username must not contain control characters' } });
  });

  test('a missing or wrong Delinkcious-Caller-Token is 401 on every route; probes stay open', async () => {
    const routes: Array<[string, string, object?]> = [
      ['POST', '/follow', { followed: 'alice', follower: 'bob' }],
      ['POST', '/unfollow', { followed: 'alice', follower: 'bob' }],
      ['GET', '/following/bob'],
      ['GET', '/followers/alice'],
    ];
    for (const [method, path, body] of routes) {
      const options = body ? { body } : {};
      assert.deepEqual(await call(method, path, { ...options, token: null }), { status: 401, body: { err: 'missing caller token' } }, path);
      assert.deepEqual(await call(method, path, { ...options, token: 'not-a-listed-token-0123456789' }), {
        status: 401,
        body: { err: 'unknown caller token' },
      });
    }
    assert.deepEqual(await store.followers('alice'), [], 'nothing was followed');
    assert.deepEqual(await call('POST', '/follow', { body: { followed: 'alice', follower: 'bob' }, token: tokens['news-service'] }), {
      status: 403,
      body: { err: 'news-service may not call POST /follow' },
    });
    assert.deepEqual(await store.followers('alice'), [], 'news-service only reads followers');
    assert.equal((await call('GET', '/followers/alice', { token: tokens['news-service'] })).status, 200);
    assert.equal((await call('GET', '/healthz', { token: null })).status, 200);
  });

  test('an unknown route is 404 with {"err"}', async () => {
    assert.deepEqual(await call('GET', '/follow'), { status: 404, body: { err: 'no route for GET /follow' } });
  });
});

/** What a call did: its answer, or its error's class and message. */
async function outcome(call: () => Promise<unknown>): Promise<unknown> {
  try {
    return { value: await call() };
  } catch (error) {
    assert.ok(error instanceof DelinkciousError, `a typed error, not ${String(error)}`);
    return { error: error.constructor.name, message: error.message };
  }
}

describe('SocialGraphClient over HTTP behaves like the local manager', () => {
  let running: Running;
  let client: SocialGraphClient;

  before(async () => {
    running = await startServer(new DefaultSocialGraphManager({ store: new MemorySocialGraphStore() }));
    client = new SocialGraphClient({ baseUrl: running.url, callerToken, retries: 0 });
  });
  after(async () => {
    client?.close();
    await running?.server.close();
  });

  test('the same calls give the same answers and the same typed errors', async () => {
    const local = new DefaultSocialGraphManager({ store: new MemorySocialGraphStore() });
    // Names chosen to trip the wire: integer-like keys (JSON objects put them first), padding,
    // case, the longest name; and names the rule refuses, which must be refused alike:
    // "__proto__", path characters, dot segments, non-ASCII.
    const names = ['bob', '10', '9', ' padded ', 'Mixed-Case', 'z'.repeat(39)];
    const refused = ['__proto__', 'a/b?c#d', '.', '..', 'émile', '😀'];
    const steps: Array<[string, (m: SocialGraphManager) => Promise<unknown>]> = [
      ...names.map((name): [string, (m: SocialGraphManager) => Promise<unknown>] => [`${name} follows alice`, (m) => m.follow('alice', name)]),
      ...refused.map((name): [string, (m: SocialGraphManager) => Promise<unknown>] => [`${name} follows alice`, (m) => m.follow('alice', name)]),
      ...refused.map((name): [string, (m: SocialGraphManager) => Promise<unknown>] => [`followers of ${name}`, (m) => m.getFollowers(name)]),
      ['bob follows alice again', (m) => m.follow('alice', 'bob')],
      ['alice follows 10', (m) => m.follow('10', 'alice')],
      ['alice follows 9', (m) => m.follow('9', 'alice')],
      ['alice follows a-b', (m) => m.follow('a-b', 'alice')],
      ['followers of alice', (m) => m.getFollowers('alice')],
      ['following of alice', (m) => m.getFollowing('alice')],
      ...names.map((name): [string, (m: SocialGraphManager) => Promise<unknown>] => [`following of ${name}`, (m) => m.getFollowing(name)]),
      ['followers of nobody', (m) => m.getFollowers('nobody')],
      ['unfollow', (m) => m.unfollow('alice', 'bob')],
      ['unfollow again', (m) => m.unfollow('alice', 'bob')],
      ['unfollow never followed', (m) => m.unfollow('bob', 'alice')],
      ['followers after unfollow', (m) => m.getFollowers('alice')],
      ['follow self', (m) => m.follow('alice', ' alice ')],
      ['follow empty', (m) => m.follow('', 'bob')],
      ['unfollow no follower', (m) => m.unfollow('alice', '   ')],
      ['following empty', (m) => m.getFollowing('')],
      ['followers blank', (m) => m.getFollowers('  ')],
      ['followers too long', (m) => m.getFollowers('x'.repeat(40))],
      ['follow control character', (m) => m.follow('alice', 'b\u0000ob')],
      ['counts of alice', (m) => m.getFollowCounts('Alice')],
      ['counts of 10', (m) => m.getFollowCounts('10')],
      ['counts of nobody', (m) => m.getFollowCounts('nobody')],
      ['counts of a bad name', (m) => m.getFollowCounts('a/b')],
    ];
    for (const [name, step] of steps) {
      assert.deepEqual(await outcome(() => step(client)), await outcome(() => step(local)), name);
    }
    // The comparison above is only worth something if both sides did real work.
    assert.equal((await local.getFollowers('alice')).length, names.length - 1);
    assert.deepEqual(await client.getFollowing('alice'), ['10', '9', 'a-b']);
    assert.deepEqual(await client.getFollowCounts('alice'), { followers: names.length - 1, following: 3 });
  });

  test('errors arrive as the typed errors the manager threw', async () => {
    await assert.rejects(client.unfollow('carol', 'dave'), NotFoundError);
    await assert.rejects(client.follow('carol', 'carol'), ValidationError);
  });

  test('a wrong caller token is an UnavailableError (a deployment fault), never the user\'s Access Denied', async () => {
    const stranger = new SocialGraphClient({ baseUrl: running.url, callerToken: 'not-a-listed-token-0123456789', retries: 0 });
    try {
      await assert.rejects(
        stranger.getFollowers('alice'),
        (error: unknown) => error instanceof UnavailableError && /refused this service's caller token \(unknown caller token\)/.test(error.message),
      );
      await assert.rejects(stranger.follow('alice', 'mallory'), UnavailableError);
      assert.ok(!(await client.getFollowers('alice')).includes('mallory'));
    } finally {
      stranger.close();
    }
  });

  test('a service that is not there is an UnavailableError, quickly', async () => {
    const closed = await startServer(new DefaultSocialGraphManager({ store: new MemorySocialGraphStore() }));
    await closed.server.close();
    const orphan = new SocialGraphClient({ baseUrl: closed.url, callerToken, retries: 0, timeoutMs: 1000 });
    try {
      await assert.rejects(orphan.getFollowing('alice'), UnavailableError);
    } finally {
      orphan.close();
    }
  });
});
