/**
 * Feeds kept before usernames were canonical: the embedded store's migration
 * and the Redis store's start-up move put them under the lower-case username,
 * merged with what is there, none lost or doubled.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { loadMigrations, migrate, openPglite } from '@delinkcious/db';
import { externalService } from '@delinkcious/testing';
import { migrationsDir } from '../src/main.ts';
import { RedisNewsStore } from '../src/stores/redis-news-store.ts';
import { SqlNewsStore } from '../src/stores/sql-news-store.ts';
import { item } from './support/news-store-contract.ts';
import { deleteKeys } from './support/news-harness.ts';

const ids = (items: Array<{ eventId: string }>) => items.map((entry) => entry.eventId);

describe('news-service migration 2: feeds under lower-case usernames (PGlite)', () => {
  test('feeds of "Alice" and "alice" merge; authors become lower case', async () => {
    const db = await openPglite('memory://');
    try {
      const all = await loadMigrations(migrationsDir);
      await migrate(db, all.filter((migration) => migration.version < 2));
      const seed = (username: string, eventId: string, ms: number, author: string) =>
        db.query(
          `INSERT INTO news_feed (username, event_id, ts_ms, event_type, author, url, title) VALUES ($1, $2, $3, 'LINK_ADDED', $4, 'https://x.example/', 't')`,
          [username, eventId, ms, author],
        );
      await seed('Alice', 'e1', 1000, 'Bob');
      await seed('alice', 'e2', 2000, 'bob');
      await seed('Alice', 'e2', 2000, 'bob');
      await seed('ALICE', 'e3', 3000, 'Carol');
      await seed('dave', 'e1', 1000, 'Bob');

      assert.deepEqual(await migrate(db, all.filter((migration) => migration.version <= 2)), [2]);

      const store = new SqlNewsStore(db, { feedMax: 100 });
      const feed = await store.page('alice', undefined, 10);
      assert.deepEqual(ids(feed), ['e3', 'e2', 'e1']);
      assert.deepEqual(feed.map((entry) => entry.username), ['carol', 'bob', 'bob']);
      assert.deepEqual(ids(await store.page('dave', undefined, 10)), ['e1']);
      const { rows } = await db.query<{ n: number | string }>("SELECT count(*) AS n FROM news_feed WHERE username <> lower(username) OR author <> lower(author)");
      assert.equal(Number(rows[0]!.n), 0);
    } finally {
      await db.close();
    }
  });
});

const redis = await externalService('TEST_REDIS_URL');

describe('RedisNewsStore: feeds kept under usernames with capitals', { skip: redis.skip }, () => {
  test('move to the lower-case feed, merged and capped, once; other feeds are left alone', async () => {
    const keyPrefix = `test:news:${randomBytes(6).toString('hex')}:`;
    const client = new Redis(redis.url!);
    const store = new RedisNewsStore(client, { feedMax: 3, keyPrefix });
    try {
      await store.addToFeeds(['Alice'], item('e1', 1));
      await store.addToFeeds(['Alice', 'alice'], item('e2', 2));
      await store.addToFeeds(['ALICE'], item('e3', 3));
      await store.addToFeeds(['alice'], item('e4', 4));
      await store.addToFeeds(['bob'], item('e1', 1));

      assert.equal(await store.mergeMixedCaseFeeds(), 2);
      assert.deepEqual(ids(await store.page('alice', undefined, 10)), ['e4', 'e3', 'e2'], 'merged, e2 once, capped at 3');
      assert.deepEqual(await store.page('Alice', undefined, 10), []);
      assert.deepEqual(ids(await store.page('bob', undefined, 10)), ['e1']);
      assert.equal(await store.mergeMixedCaseFeeds(), 0, 'nothing left to move');
      assert.deepEqual((await client.keys(`${keyPrefix}feed:*`)).sort(), [`${keyPrefix}feed:alice`, `${keyPrefix}feed:bob`]);
    } finally {
      await deleteKeys(redis.url!, keyPrefix);
      await store.close();
    }
  });
});
