/**
 * The cap on how many people one user follows, and follow lists in pages:
 * the manager on every store, and over HTTP through SocialGraphClient.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SocialGraphClient } from '@delinkcious/clients';
import * as delinkciousDb from '@delinkcious/db';
import { listen, mutualAuthFromTokens } from '@delinkcious/kit';
import { ForbiddenError, ValidationError, type NamePage, type SocialGraphManager } from '@delinkcious/object-model';
import { quietServiceServer, storeDatabases } from '@delinkcious/testing';
import { readSocialGraphServiceConfig } from '../src/config.ts';
import { migrationsDir } from '../src/main.ts';
import { DefaultSocialGraphManager } from '../src/manager.ts';
import { MemorySocialGraphStore } from '../src/stores/memory-social-graph-store.ts';
import type { SocialGraphStore } from '../src/stores/social-graph-store.ts';
import { SqlSocialGraphStore } from '../src/stores/sql-social-graph-store.ts';
import { registerSocialGraphRoutes } from '../src/transport/http.ts';

const maxFollowing = 5;

interface Fixture {
  manager: SocialGraphManager;
  close(): Promise<void>;
}

/** Every page from the first, as a caller walks them. */
async function allPages(next: (startToken: string) => Promise<NamePage>): Promise<string[][]> {
  const pages: string[][] = [];
  let token = '';
  do {
    const page = await next(token);
    pages.push(page.names);
    token = page.nextPageToken;
  } while (token !== '' && pages.length < 100);
  return pages;
}

function capAndPages(name: string, open: () => Promise<Fixture>, options: { skip?: string | false } = {}) {
  describe(`following cap and pages: ${name}`, { skip: options.skip ?? false }, () => {
    let fixture: Fixture;
    let manager: SocialGraphManager;
    let n = 0;
    const user = () => `u${++n}-${Math.random().toString(36).slice(2, 8)}`;

    before(async () => {
      fixture = await open();
      manager = fixture.manager;
    });
    after(async () => fixture?.close());

    test(`a user may follow ${maxFollowing} people; the next follow is a ForbiddenError; re-following one is still fine`, async () => {
      const fan = user();
      const idols = Array.from({ length: maxFollowing + 1 }, user);
      for (const idol of idols.slice(0, maxFollowing)) await manager.follow(idol, fan);
      await assert.rejects(
        manager.follow(idols[maxFollowing]!, fan),
        (error) => error instanceof ForbiddenError && error.message.includes(`already follow ${maxFollowing} people`),
      );
      await manager.follow(idols[0]!, fan);
      assert.equal((await manager.getFollowing(fan)).length, maxFollowing);
      await manager.unfollow(idols[0]!, fan);
      await manager.follow(idols[maxFollowing]!, fan);
      assert.equal((await manager.getFollowing(fan)).length, maxFollowing);
    });

    test('concurrent follows never pass the cap', async () => {
      const fan = user();
      const idols = Array.from({ length: 4 * maxFollowing }, user);
      const outcomes = await Promise.allSettled(idols.map((idol) => manager.follow(idol, fan)));
      assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, maxFollowing);
      assert.ok(outcomes.every((outcome) => outcome.status === 'fulfilled' || outcome.reason instanceof ForbiddenError));
      assert.equal((await manager.getFollowing(fan)).length, maxFollowing);
    });

    test('followers come in pages: every name once, in order, the last page with an empty token', async () => {
      const star = user();
      const fans = Array.from({ length: 23 }, user);
      for (const fan of fans) await manager.follow(star, fan);
      const pages = await allPages((startToken) => manager.getFollowersPage(star, { limit: 10, startToken }));
      assert.deepEqual(
        pages.map((page) => page.length),
        [10, 10, 3],
      );
      assert.deepEqual(pages.flat(), await manager.getFollowers(star));
      assert.equal(new Set(pages.flat()).size, fans.length, 'none lost, none duplicated');
    });

    test('following comes in pages; a page as long as the list has no next page', async () => {
      const fan = user();
      const idols = Array.from({ length: maxFollowing }, user);
      for (const idol of idols) await manager.follow(idol, fan);
      const pages = await allPages((startToken) => manager.getFollowingPage(fan, { limit: 2, startToken }));
      assert.deepEqual(pages.flat(), await manager.getFollowing(fan));
      assert.deepEqual(await manager.getFollowingPage(fan, { limit: maxFollowing }), { names: await manager.getFollowing(fan), nextPageToken: '' });
      assert.deepEqual(await manager.getFollowingPage(user(), { limit: 10 }), { names: [], nextPageToken: '' });
    });

    test('a bad page size or page token is a ValidationError naming the field', async () => {
      const fan = user();
      await assert.rejects(manager.getFollowingPage(fan, { limit: 0 }), (error) => error instanceof ValidationError && /limit/.test(error.message));
      await assert.rejects(manager.getFollowingPage(fan, { limit: 101 }), /limit/);
      await assert.rejects(
        manager.getFollowersPage(fan, { limit: 10, startToken: '!!not a token' }),
        (error) => error instanceof ValidationError && /start_token/.test(error.message),
      );
    });
  });
}

const memoryManager = (store: SocialGraphStore = new MemorySocialGraphStore()) => new DefaultSocialGraphManager({ store, maxFollowing });

capAndPages('memory', async () => ({ manager: memoryManager(), close: async () => {} }));

for (const { name, open, skip } of await storeDatabases({ db: delinkciousDb, migrationsDir, label: 'social_graph_manager', prefix: 'test_social_cap' })) {
  capAndPages(
    name,
    async () => {
      const { db, close } = await open();
      return { manager: new DefaultSocialGraphManager({ store: new SqlSocialGraphStore(db), maxFollowing }), close };
    },
    { skip },
  );
}

const tokens = { 'api-gateway': 'gateway-token-0123456789abcdef', 'social-graph-service': 'social-token-0123456789abcdef' };

async function overHttp(): Promise<Fixture & { url: string }> {
  const server = quietServiceServer('social-graph-service', mutualAuthFromTokens('social-graph-service', tokens));
  registerSocialGraphRoutes(server, memoryManager());
  const url = await listen(server, '127.0.0.1', 0);
  const client = new SocialGraphClient({ baseUrl: url, callerToken: tokens['api-gateway'] });
  return {
    url,
    manager: client,
    async close() {
      client.close();
      await server.close();
    },
  };
}

capAndPages('SocialGraphClient over HTTP', overHttp);

describe('GET /following and /followers over HTTP', () => {
  test('without limit: the original answer, no page token; with limit: one page and next_page_token', async () => {
    const running = await overHttp();
    try {
      for (const idol of ['ann', 'bob', 'cat']) await running.manager.follow(idol, 'fan');
      const get = async (path: string) => {
        const response = await fetch(`${running.url}${path}`, { headers: { 'delinkcious-caller-token': tokens['api-gateway'] } });
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      };
      assert.deepEqual(await get('/following/fan'), { status: 200, body: { following: { ann: true, bob: true, cat: true }, err: '' } });
      const first = await get('/following/fan?limit=2');
      assert.equal(first.status, 200);
      assert.deepEqual(first.body.following, { ann: true, bob: true });
      const second = await get(`/following/fan?limit=2&start_token=${String(first.body.next_page_token)}`);
      assert.deepEqual(second.body, { following: { cat: true }, next_page_token: '', err: '' });
      assert.deepEqual(await get('/followers/ann?limit=ten'), { status: 400, body: { err: 'limit must be a whole number' } });
    } finally {
      await running.close();
    }
  });
});

describe('MAX_FOLLOWING', () => {
  test('defaults to 5000, takes a whole number, and a bad value stops start-up naming it', () => {
    assert.equal(readSocialGraphServiceConfig({}).MAX_FOLLOWING, 5000);
    assert.equal(readSocialGraphServiceConfig({ MAX_FOLLOWING: '12' }).MAX_FOLLOWING, 12);
    for (const bad of ['0', 'lots', '-1']) assert.throws(() => readSocialGraphServiceConfig({ MAX_FOLLOWING: bad }), /^.*MAX_FOLLOWING/);
  });
});
