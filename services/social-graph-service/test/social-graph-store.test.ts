import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openPglite, openPostgres, loadMigrations, migrate, type Database } from '@delinkcious/db';
import { createTemporaryDatabase, externalService } from '@delinkcious/testing';
import { migrationsDir } from '../src/main.ts';
import { MemorySocialGraphStore } from '../src/stores/memory-social-graph-store.ts';
import { SqlSocialGraphStore, followersSql, followingSql } from '../src/stores/sql-social-graph-store.ts';
import { socialGraphStoreContract } from './support/social-graph-store-contract.ts';

async function migrated(db: Database): Promise<Database> {
  await migrate(db, await loadMigrations(migrationsDir));
  return db;
}

async function sqlFixture(db: Database, cleanup: () => Promise<void> = async () => {}) {
  await migrated(db);
  return {
    store: new SqlSocialGraphStore(db),
    async close() {
      await db.close();
      await cleanup();
    },
  };
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

/**
 * On a graph of 40,000 follows, each list query is read from an index range,
 * already in order: no sequential scan, no sort.
 */
function indexedLists(name: string, open: () => Promise<{ db: Database; close(): Promise<void> }>, options: { skip?: string | false } = {}) {
  describe(`social graph SQL uses its indexes: ${name}`, { skip: options.skip ?? false }, () => {
    let fixture: { db: Database; close(): Promise<void> };
    before(async () => {
      fixture = await open();
      await migrated(fixture.db);
      await fixture.db.query(
        `INSERT INTO social_graph (followed, follower)
         SELECT 'f' || a, 'r' || b FROM generate_series(1, 200) a, generate_series(1, 200) b`,
      );
      // As autovacuum would: statistics, and a visibility map that makes index-only scans cheap.
      await fixture.db.query('VACUUM ANALYZE social_graph');
    });
    after(async () => fixture?.close());

    const plan = async (sql: string, username: string) => {
      const { rows } = await fixture.db.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${sql}`, [username]);
      const raw = rows[0]!['QUERY PLAN'];
      const parsed = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Array<{ Plan: PlanNode }>;
      return nodesOf(parsed[0]!.Plan);
    };

    test('followers: an index scan of the primary key, no sort', async () => {
      const nodes = await plan(followersSql, 'f7');
      assert.ok(nodes.some((n) => /Index/.test(n['Node Type']) && n['Index Name'] === 'social_graph_pkey'), JSON.stringify(nodes));
      assert.ok(!nodes.some((n) => n['Node Type'] === 'Seq Scan' || n['Node Type'] === 'Sort'), JSON.stringify(nodes));
    });

    test('following: an index scan of the reverse index, no sort', async () => {
      const nodes = await plan(followingSql, 'r7');
      assert.ok(nodes.some((n) => /Index/.test(n['Node Type']) && n['Index Name'] === 'social_graph_by_follower'), JSON.stringify(nodes));
      assert.ok(!nodes.some((n) => n['Node Type'] === 'Seq Scan' || n['Node Type'] === 'Sort'), JSON.stringify(nodes));
    });

    test('the table refuses a self-follow even past the manager', async () => {
      await assert.rejects(fixture.db.query(`INSERT INTO social_graph (followed, follower) VALUES ('same', 'same')`), /social_graph_no_self_follow/);
    });
  });
}

socialGraphStoreContract('memory', async () => ({ store: new MemorySocialGraphStore(), close: async () => {} }));

socialGraphStoreContract('PGlite', async () => sqlFixture(await openPglite('memory://')));
indexedLists('PGlite', async () => {
  const db = await openPglite('memory://');
  return { db, close: () => db.close() };
});

const postgres = await externalService('TEST_DATABASE_URL');
socialGraphStoreContract(
  'PostgreSQL',
  async () => {
    const temp = await createTemporaryDatabase(postgres.url!, 'test_social_graph');
    return sqlFixture(await openPostgres({ url: temp.url, label: 'social_graph_manager' }), () => temp.drop());
  },
  { skip: postgres.skip },
);
indexedLists(
  'PostgreSQL',
  async () => {
    const temp = await createTemporaryDatabase(postgres.url!, 'test_social_graph');
    const db = await openPostgres({ url: temp.url, label: 'social_graph_manager' });
    return {
      db,
      async close() {
        await db.close();
        await temp.drop();
      },
    };
  },
  { skip: postgres.skip },
);
