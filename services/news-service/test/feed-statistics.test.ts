/**
 * Migration 003: once ANALYZE has seen a young instance (one reader with a full feed), the length
 * cut of a delivery to new followers still walks each follower's feed in the index, and never scans
 * and sorts the whole table once per follower.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { loadMigrations, migrate, openPglite, openPostgres, type Database } from '@delinkcious/db';
import { createTemporaryDatabase, externalService } from '@delinkcious/testing';
import { migrationsDir } from '../src/main.ts';
import { trimSql } from '../src/stores/sql-news-store.ts';

const followers = Array.from({ length: 500 }, (_, i) => `follower${i}`);

/**
 * The plan of a delivery's cut, on a table ANALYZE saw holding one 1,000-item feed. `randomPageCost`:
 * PostgreSQL's default is 4, PGlite's setting 1.1 (libs/db pglite.ts), under which index walks cost
 * less; 003 must hold under both.
 */
async function cutPlan(db: Database, upTo?: number, randomPageCost?: number): Promise<string> {
  if (randomPageCost !== undefined) await db.query(`SET random_page_cost = ${randomPageCost}`);
  const migrations = await loadMigrations(migrationsDir);
  await migrate(db, upTo === undefined ? migrations : migrations.filter((migration) => migration.version <= upTo));
  await db.exec(`
    INSERT INTO news_feed (username, event_id, ts_ms, event_type, author, url, title)
      SELECT 'reader', 'e' || i, 1700000000000 + i, 'LINK_ADDED', 'author', 'https://example.org/' || i, 'title' FROM generate_series(1, 1000) i;
    ANALYZE news_feed`);
  const { rows } = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${trimSql}`, [followers, 1000]);
  return rows.map((row) => row['QUERY PLAN']).join('\n');
}

function assertWalksTheIndex(plan: string): void {
  assert.doesNotMatch(plan, /Seq Scan on news_feed n\b/, `the cut scans the table for each follower:\n${plan}`);
  assert.match(plan, /(Index Scan|Index Only Scan|Bitmap Heap Scan) (using \w+ )?on news_feed n\b/, plan);
}

describe('news-service migration 003: the planner takes each feed for one owner of many (PGlite)', () => {
  const open: Database[] = [];
  after(() => Promise.all(open.map((db) => db.close())));
  const pglite = async () => {
    const db = await openPglite('memory://');
    open.push(db);
    return db;
  };

  it('reads each follower\'s feed through an index after ANALYZE saw one reader', async () => {
    assertWalksTheIndex(await cutPlan(await pglite()));
    assertWalksTheIndex(await cutPlan(await pglite(), undefined, 4));
  });

  it('without it, the same statistics make the cut scan the table per follower (what 003 fixes), at PostgreSQL\'s default random_page_cost', async () => {
    assert.match(await cutPlan(await pglite(), 2, 4), /Seq Scan on news_feed n\b/);
  });
});

const postgres = await externalService('TEST_DATABASE_URL');
describe('news-service migration 003 (PostgreSQL)', { skip: postgres.skip }, () => {
  it('reads each follower\'s feed through an index after ANALYZE saw one reader', async () => {
    const temp = await createTemporaryDatabase(postgres.url!, 'test_news_stats');
    const db = await openPostgres({ url: temp.url, label: 'news_manager' });
    try {
      assertWalksTheIndex(await cutPlan(db));
    } finally {
      await db.close();
      await temp.drop();
    }
  });
});
