import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as delinkciousDb from '@delinkcious/db';
import { storeDatabases, type TestDatabase } from '@delinkcious/testing';
import { migrationsDir } from '../src/main.ts';
import { MemorySocialGraphStore } from '../src/stores/memory-social-graph-store.ts';
import { followersSql, followingSql, keptFollowers, SqlSocialGraphStore } from '../src/stores/sql-social-graph-store.ts';
import { socialGraphStoreContract } from './support/social-graph-store-contract.ts';

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
function indexedLists(name: string, open: () => Promise<TestDatabase<delinkciousDb.Database>>, options: { skip?: string | false } = {}) {
  describe(`social graph SQL uses its indexes: ${name}`, { skip: options.skip ?? false }, () => {
    let fixture: TestDatabase<delinkciousDb.Database>;
    before(async () => {
      fixture = await open();
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

for (const { name, open, skip } of await storeDatabases({ db: delinkciousDb, migrationsDir, label: 'social_graph_manager', prefix: 'test_social_graph' })) {
  socialGraphStoreContract(
    name,
    async () => {
      const { db, close } = await open();
      return { store: new SqlSocialGraphStore(db), close };
    },
    { skip },
  );
  indexedLists(name, open, { skip });
  // Embedded, followers are kept between writes: the whole contract holds with them kept too.
  if (name === 'PGlite') {
    socialGraphStoreContract(
      'PGlite, followers kept',
      async () => {
        const { db, close } = await open();
        const counted = delinkciousDb.countingWrites(db);
        return { store: new SqlSocialGraphStore(counted, keptFollowers(counted.generation)), close };
      },
      { skip },
    );
  }
}
