/**
 * rebuild-feeds' logic on in-memory managers, and each store's replaceFeed
 * (memory, PGlite, Redis): what a rebuilt feed holds, what it keeps of the
 * live feed, and that a rerun changes nothing.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { loadMigrations, migrate, openPglite, type Database } from '@delinkcious/db';
import { DefaultLinkManager, MemoryLinkStore } from '@delinkcious/link-service';
import { DefaultSocialGraphManager, MemorySocialGraphStore } from '@delinkcious/social-graph-service';
import { externalService } from '@delinkcious/testing';
import type { FeedItem } from '../src/feed.ts';
import { mergeRebuilt, rebuiltEventId, type ReplaceableFeeds } from '../src/feed-replace.ts';
import { migrationsDir } from '../src/main.ts';
import { rebuildFeeds } from '../src/rebuild.ts';
import { MemoryNewsStore } from '../src/stores/memory-news-store.ts';
import type { NewsStore } from '../src/stores/news-store.ts';
import { SqlNewsStore } from '../src/stores/sql-news-store.ts';
import { redisStoreFixture } from './support/news-harness.ts';

const t0 = Date.parse('2026-03-01T12:00:00.000Z');

/** A world of three people: alice and bob save links, carol follows both, bob follows alice. */
async function world(options: { feedMax?: number } = {}) {
  let clock = t0;
  const links = new DefaultLinkManager({ store: new MemoryLinkStore(), maxLinksPerUser: 1000, now: () => new Date((clock += 1000)) });
  const graph = new DefaultSocialGraphManager({ store: new MemorySocialGraphStore() });
  await graph.follow('alice', 'carol');
  await graph.follow('bob', 'carol');
  await graph.follow('alice', 'bob');
  for (let i = 1; i <= 3; i++) await links.addLink({ username: 'alice', url: `https://a.example/${i}`, title: `alice ${i}` });
  await links.addLink({ username: 'alice', url: 'https://a.example/secret', title: 'private', private: true });
  await links.addLink({ username: 'bob', url: 'https://b.example/1', title: 'bob 1' });
  await links.addLink({ username: 'bob', url: 'https://b.example/gone', title: 'deleted' });
  await links.deleteLink('bob', 'https://b.example/gone');
  // Public, then made private: retracted, must not come back.
  await links.addLink({ username: 'bob', url: 'https://b.example/hidden', title: 'hidden later' });
  await links.updateLink({ username: 'bob', url: 'https://b.example/hidden', private: true });
  const store = new MemoryNewsStore({ feedMax: options.feedMax ?? 100 });
  return { links, graph, store, now: () => clock };
}

const urls = (items: FeedItem[]) => items.map((item) => item.url);

describe('rebuildFeeds', () => {
  test('each follower gets the public links of whom they follow, newest first, as LINK_ADDED at their creation time', async () => {
    const { links, graph, store } = await world();
    const report = await rebuildFeeds({ store, socialGraph: graph, links, feedMax: 100 });
    assert.deepEqual(report.feeds, 2);
    const carol = await store.page('carol', undefined, 100);
    assert.deepEqual(urls(carol), ['https://b.example/1', 'https://a.example/3', 'https://a.example/2', 'https://a.example/1']);
    assert.ok(carol.every((item) => item.eventType === 'LINK_ADDED'));
    const saved = (await links.getPublicLinks({ username: 'alice', limit: 10 })).links.find((link) => link.url === 'https://a.example/3')!;
    const item = carol.find((i) => i.url === 'https://a.example/3')!;
    assert.equal(item.timestamp.getTime(), saved.createdAt.getTime());
    assert.equal(item.username, 'alice');
    assert.equal(item.title, 'alice 3');
    assert.deepEqual(urls(await store.page('bob', undefined, 100)), ['https://a.example/3', 'https://a.example/2', 'https://a.example/1']);
    // Alice follows nobody: no feed.
    assert.deepEqual(await store.page('alice', undefined, 100), []);
    assert.equal(report.items, 7);
  });

  test('a feed holds at most the cap, the newest links across everyone followed', async () => {
    const { links, graph, store } = await world({ feedMax: 2 });
    await rebuildFeeds({ store, socialGraph: graph, links, feedMax: 2 });
    assert.deepEqual(urls(await store.page('carol', undefined, 100)), ['https://b.example/1', 'https://a.example/3']);
  });

  test('pages through every follower and every followed user (more than one page of each)', async () => {
    const links = new DefaultLinkManager({ store: new MemoryLinkStore(), maxLinksPerUser: 1000 });
    const graph = new DefaultSocialGraphManager({ store: new MemorySocialGraphStore() });
    const authors = Array.from({ length: 120 }, (_, i) => `author${String(i).padStart(3, '0')}`);
    for (const author of authors) await links.addLink({ username: author, url: `https://x.example/${author}`, title: author });
    for (const author of authors) await graph.follow(author, 'reader');
    for (let i = 0; i < 130; i++) await graph.follow('author000', `fan${String(i).padStart(3, '0')}`);
    const store = new MemoryNewsStore({ feedMax: 1000 });
    const report = await rebuildFeeds({ store, socialGraph: graph, links, feedMax: 1000 });
    assert.equal(report.feeds, 131);
    assert.equal((await store.page('reader', undefined, 1000)).length, 120);
    assert.deepEqual(urls(await store.page('fan129', undefined, 10)), ['https://x.example/author000']);
  });

  test('keeps what the fan-out wrote after the snapshot, once, and a rerun changes nothing', async () => {
    const { links, graph, store, now } = await world();
    const snapshotTime = now();
    // Written by the fan-out before the rebuild: an old item (replaced) and a recent delete (kept).
    const live = (eventId: string, eventType: FeedItem['eventType'], url: string, ms: number): FeedItem => ({
      eventId,
      eventType,
      username: 'alice',
      url,
      title: 't',
      timestamp: new Date(ms),
    });
    await store.addToFeeds(['carol'], live('old-update', 'LINK_UPDATED', 'https://a.example/1', t0 - 3_600_000));
    await store.addToFeeds(['carol'], live('recent-delete', 'LINK_DELETED', 'https://a.example/9', snapshotTime + 5));
    const options = { store, socialGraph: graph, links, feedMax: 100, graceMs: 0, now: () => snapshotTime };
    await rebuildFeeds(options);
    const first = await store.page('carol', undefined, 100);
    assert.deepEqual(
      first.map((item) => item.eventId).filter((id) => !id.startsWith('rebuilt-')),
      ['recent-delete'],
    );
    assert.equal(first.length, 5);
    await rebuildFeeds(options);
    assert.deepEqual(await store.page('carol', undefined, 100), first);
  });
});

describe('mergeRebuilt', () => {
  const item = (eventId: string, ms: number, url = `https://m.example/${eventId}`, eventType: FeedItem['eventType'] = 'LINK_ADDED'): FeedItem => ({
    eventId,
    eventType,
    username: 'alice',
    url,
    title: eventId,
    timestamp: new Date(ms),
  });

  test('a live LINK_ADDED of a link the rebuild found is kept once; live items at or before the cut go', () => {
    const rebuilt = [item(rebuiltEventId('alice', 'https://m.example/x', 200), 200, 'https://m.example/x')];
    const live = [item('uuid-1', 200, 'https://m.example/x'), item('uuid-2', 300), item('uuid-3', 100), item('uuid-4', 200, 'https://m.example/x', 'LINK_UPDATED')];
    assert.deepEqual(
      mergeRebuilt(rebuilt, live, 150, 10).map((i) => i.eventId),
      // Ties on time: the higher event id first ("uuid-…" after "rebuilt-…").
      ['uuid-2', 'uuid-4', rebuilt[0]!.eventId],
    );
  });

  test('the rebuilt id depends on the author, the URL and the time only', () => {
    assert.equal(rebuiltEventId('a', 'https://u', 1), rebuiltEventId('a', 'https://u', 1));
    assert.notEqual(rebuiltEventId('a', 'https://u', 1), rebuiltEventId('a', 'https://u', 2));
    assert.notEqual(rebuiltEventId('a', 'https://u', 1), rebuiltEventId('b', 'https://u', 1));
  });
});

/** replaceFeed, the same on every store. */
function replaceContract(name: string, open: (feedMax: number) => Promise<{ store: NewsStore & ReplaceableFeeds; close(): Promise<void> }>, options: { skip?: string | false } = {}) {
  describe(`replaceFeed on ${name}`, { skip: options.skip }, () => {
    const item = (eventId: string, ms: number, eventType: FeedItem['eventType'] = 'LINK_ADDED'): FeedItem => ({
      eventId,
      eventType,
      username: 'alice',
      url: `https://r.example/${eventId}`,
      title: eventId,
      timestamp: new Date(t0 + ms),
    });

    test('replaces the old items, keeps the newer live ones, caps, and leaves other feeds alone', async () => {
      const { store, close } = await open(3);
      try {
        await store.addToFeeds(['carol', 'dave'], item('old', 10));
        await store.addToFeeds(['carol'], item('new', 500, 'LINK_DELETED'));
        await store.replaceFeed('carol', [item('r1', 100), item('r2', 200), item('r3', 300)], t0 + 400);
        const carol = await store.page('carol', undefined, 10);
        assert.deepEqual(carol.map((i) => i.eventId), ['new', 'r3', 'r2']);
        assert.deepEqual(carol[0], item('new', 500, 'LINK_DELETED'));
        assert.deepEqual((await store.page('dave', undefined, 10)).map((i) => i.eventId), ['old']);
        // Nothing rebuilt and nothing recent: the feed is emptied.
        await store.replaceFeed('dave', [], t0 + 400);
        assert.deepEqual(await store.page('dave', undefined, 10), []);
        // The fan-out still works on a replaced feed.
        await store.addToFeeds(['carol'], item('later', 600));
        assert.deepEqual((await store.page('carol', undefined, 10)).map((i) => i.eventId), ['later', 'new', 'r3']);
      } finally {
        await close();
      }
    });
  });
}

replaceContract('memory', async (feedMax) => ({ store: new MemoryNewsStore({ feedMax }), close: async () => {} }));

let pglite: Promise<Database> | undefined;
after(async () => (await pglite)?.close());
replaceContract('PGlite', async (feedMax) => {
  pglite ??= openPglite('memory://').then(async (db) => {
    await migrate(db, await loadMigrations(migrationsDir));
    return db;
  });
  const db = await pglite;
  return { store: new SqlNewsStore(db, { feedMax }), close: () => db.exec('TRUNCATE news_feed, news_delivered') };
});

const redis = await externalService('TEST_REDIS_URL');
replaceContract(
  'Redis',
  (feedMax) => redisStoreFixture(redis.url!, feedMax, 'rebuild'),
  { skip: redis.skip },
);
