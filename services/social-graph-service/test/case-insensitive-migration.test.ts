/**
 * The migration to canonical (lower-case) usernames, over follows the previous
 * migrations hold: a follow recorded under two spellings is kept once.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as delinkciousDb from '@delinkcious/db';
import { loadMigrations, migrate } from '@delinkcious/db';
import { storeDatabases } from '@delinkcious/testing';
import { migrationsDir } from '../src/main.ts';

const version = 2;

// Empty databases: each test migrates up to the version before the case migration itself.
const backends = await storeDatabases({ db: delinkciousDb, migrationsDir, label: 'social_graph_manager', prefix: 'test_social_case', migrated: false });

for (const backend of backends) {
  describe(`social-graph-service migration ${version}: usernames in lower case (${backend.name})`, { skip: backend.skip }, () => {
    test('follows under two spellings become one; one that would follow oneself goes', async () => {
      const { db, close } = await backend.open();
      try {
        const all = await loadMigrations(migrationsDir);
        await migrate(db, all.filter((migration) => migration.version < version));
        const follows: Array<[string, string]> = [
          ['Bob', 'Alice'],
          ['bob', 'alice'],
          ['BOB', 'alice'],
          ['carol', 'Alice'],
          ['alice', 'Carol'],
          ['Alice', 'alice'],
          ['dave', 'erin'],
        ];
        for (const [followed, follower] of follows) {
          await db.query('INSERT INTO social_graph (followed, follower) VALUES ($1, $2)', [followed, follower]);
        }

        assert.deepEqual(await migrate(db, all), [version]);

        const { rows } = await db.query<{ followed: string; follower: string }>('SELECT followed, follower FROM social_graph ORDER BY followed, follower');
        assert.deepEqual(rows, [
          { followed: 'alice', follower: 'carol' },
          { followed: 'bob', follower: 'alice' },
          { followed: 'carol', follower: 'alice' },
          { followed: 'dave', follower: 'erin' },
        ]);
      } finally {
        await close();
      }
    });
  });
}
