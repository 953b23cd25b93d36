import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { countingWrites, loadMigrations, migrate, openPglite, openPostgres, type Database } from '@delinkcious/db';
import { isImmutable } from '@delinkcious/kit';
import { createTemporaryDatabase, externalService } from '@delinkcious/testing';
import { migrationsDir } from '../src/main.ts';
import { MemoryNewsStore } from '../src/stores/memory-news-store.ts';
import { FeedPageCache } from '../src/stores/feed-page-cache.ts';
import { SqlNewsStore } from '../src/stores/sql-news-store.ts';
import { item, newsStoreContract } from './support/news-store-contract.ts';
import { redisStoreFixture } from './support/news-harness.ts';

async function sqlFixture(db: Database, feedMax: number, cleanup: () => Promise<void> = async () => {}) {
  await migrate(db, await loadMigrations(migrationsDir));
  const store = new SqlNewsStore(db, { feedMax });
  return {
    store,
    async close() {
      await store.close();
      await cleanup();
    },
  };
}

newsStoreContract('memory', async ({ feedMax }) => ({ store: new MemoryNewsStore({ feedMax }), close: async () => {} }));

/** A PGlite with news-service's migrations applied. */
async function migratedPglite(): Promise<Database> {
  const db = await openPglite('memory://');
  await migrate(db, await loadMigrations(migrationsDir));
  return db;
}

// One PGlite for the suite (opening one takes seconds), emptied between tests.
let pglite: Promise<Database> | undefined;
after(async () => (await pglite)?.close());
const sharedPglite = () => (pglite ??= migratedPglite());

newsStoreContract('PGlite', async ({ feedMax }) => {
  const db = await sharedPglite();
  return { store: new SqlNewsStore(db, { feedMax }), close: () => db.exec('TRUNCATE news_feed, news_delivered') };
}, { oneStepDelivery: true });

// Feeds cut back only after more items than they hold (trimSlack past feedMax): what reads show is the same.
newsStoreContract('PGlite, feeds cut back lazily', async ({ feedMax }) => {
  const db = await sharedPglite();
  return { store: new SqlNewsStore(db, { feedMax, trimSlack: feedMax + 1 }), close: () => db.exec('TRUNCATE news_feed, news_delivered') };
}, { oneStepDelivery: true });

// Embedded, feed pages are kept between writes (feed-page-cache.ts): every contract holds with them too.
newsStoreContract('PGlite, feed pages kept', async ({ feedMax }) => {
  const counted = countingWrites(await sharedPglite());
  return {
    store: new SqlNewsStore(counted, { feedMax, pages: new FeedPageCache(counted.generation) }),
    close: () => counted.exec('TRUNCATE news_feed, news_delivered'),
  };
}, { oneStepDelivery: true });

describe('SqlNewsStore: feed pages kept between writes (embedded)', () => {
  test('a page read again is the same page, immutable, with no query, until a write', async () => {
    const db = await migratedPglite();
    const counted = countingWrites(db);
    let reads = 0;
    const watched: Database = { ...counted, query: (text, params) => (/^\s*select/i.test(text) && reads++, counted.query(text, params)) };
    const store = new SqlNewsStore(watched, { feedMax: 100, pages: new FeedPageCache(counted.generation) });
    try {
      for (const n of [1, 2, 3]) await store.addToFeeds(['reader'], item(`e${n}`, n));
      const first = await store.page('reader', undefined, 2);
      assert.deepEqual(first.map((i) => i.eventId), ['e3', 'e2']);
      assert.ok(isImmutable(first) && isImmutable(first[0]!.timestamp), 'shared, not copied, by in-process callers');
      assert.throws(() => first[0]!.timestamp.setTime(0), TypeError);
      const readsBefore = reads;
      assert.equal(await store.page('reader', undefined, 2), first, 'the kept page');
      assert.equal(reads, readsBefore, 'no query');
      assert.notEqual(await store.page('reader', undefined, 3), first, 'another size is another page');
      const next = await store.page('reader', { timestampMs: first[1]!.timestamp.getTime(), eventId: 'e2' }, 2);
      assert.deepEqual(next.map((i) => i.eventId), ['e1'], 'another position is another page');
      assert.deepEqual((await store.page('other', undefined, 2)).map((i) => i.eventId), [], "another reader's feed is its own");

      await store.addToFeeds(['reader'], item('e4', 4));
      const after = await store.page('reader', undefined, 2);
      assert.deepEqual(after.map((i) => i.eventId), ['e4', 'e3'], 'a delivery shows at once');
      assert.deepEqual(first.map((i) => i.eventId), ['e3', 'e2'], 'the page handed out before is as it was');
    } finally {
      await db.close();
    }
  });
});

describe('SqlNewsStore: a feed past feedMax until cut back', () => {
  const stored = async (db: Database, username: string) =>
    Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM news_feed WHERE username = $1', [username])).rows[0]!.n);

  test('reads end at the newest feedMax, on every page; the rows go once the feed got trimSlack items', async () => {
    const db = await migratedPglite();
    try {
      const store = new SqlNewsStore(db, { feedMax: 5, trimSlack: 4 });
      // Delivered in batches (calls at once), as the consumer hands events over.
      const batch = (from: number, to: number) =>
        Promise.all(Array.from({ length: to - from + 1 }, (_, i) => store.deliverOnce(['bob'], item(`e${from + i}`, from + i))));
      await batch(1, 4);
      assert.equal(await stored(db, 'bob'), 4, 'the 4th item was the feed\'s trimSlack-th: cut back, under feedMax');
      await batch(5, 7);
      assert.equal(await stored(db, 'bob'), 7, '3 items since the cut: not cut back yet');
      const newest = ['e7', 'e6', 'e5', 'e4', 'e3'];
      assert.deepEqual((await store.page('bob', undefined, 10)).map((i) => i.eventId), newest);
      const paged: string[] = [];
      for (let page = await store.page('bob', undefined, 2); page.length > 0; ) {
        paged.push(...page.map((i) => i.eventId));
        const last = page.at(-1)!;
        page = await store.page('bob', { timestampMs: last.timestamp.getTime(), eventId: last.eventId }, 2);
      }
      assert.deepEqual(paged, newest, 'pages of 2 end where the newest 5 end');
      assert.deepEqual(await store.page('bob', { timestampMs: item('e3', 3).timestamp.getTime(), eventId: 'e3' }, 10), [], 'past the 5th: nothing');

      await batch(8, 9);
      assert.deepEqual((await store.page('bob', undefined, 10)).map((i) => i.eventId), ['e9', 'e8', 'e7', 'e6', 'e5']);
      assert.equal(await stored(db, 'bob'), 5, 'the 4th item since the last cut came: cut back');
    } finally {
      await db.close();
    }
  });

  test('a cut that fails fails no delivery, and is tried again at the feed\'s next item', async () => {
    const db = await migratedPglite();
    try {
      let failCuts = 1;
      const flaky: Database = {
        ...db,
        query: (text, params) => (text.includes('DELETE FROM news_feed f') && failCuts-- > 0 ? Promise.reject(new Error('cut failed')) : db.query(text, params)),
      };
      const store = new SqlNewsStore(flaky, { feedMax: 2, trimSlack: 3 });
      const batch = (from: number, to: number) =>
        Promise.all(Array.from({ length: to - from + 1 }, (_, i) => store.deliverOnce(['bob'], item(`e${from + i}`, from + i))));
      assert.deepEqual(await batch(1, 3), [true, true, true], 'delivered, though the cut after them failed');
      assert.equal(await stored(db, 'bob'), 3);
      assert.deepEqual((await store.page('bob', undefined, 10)).map((i) => i.eventId), ['e3', 'e2']);
      await batch(4, 5);
      assert.equal(await stored(db, 'bob'), 2, 'cut at the next item');
      assert.deepEqual((await store.page('bob', undefined, 10)).map((i) => i.eventId), ['e5', 'e4']);
    } finally {
      await db.close();
    }
  });
});

const postgres = await externalService('TEST_DATABASE_URL');
newsStoreContract(
  'PostgreSQL',
  async ({ feedMax }) => {
    const temp = await createTemporaryDatabase(postgres.url!, 'test_news');
    return sqlFixture(await openPostgres({ url: temp.url, label: 'news_manager' }), feedMax, () => temp.drop());
  },
  { skip: postgres.skip, oneStepDelivery: true },
);

const redis = await externalService('TEST_REDIS_URL');
newsStoreContract(
  'Redis',
  ({ feedMax }) => redisStoreFixture(redis.url!, feedMax, 'news'),
  { skip: redis.skip },
);
