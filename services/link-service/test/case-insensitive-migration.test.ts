/**
 * The migration to canonical (lower-case) usernames, over data the previous
 * migrations hold: links saved under two spellings of one user merge, none lost.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as delinkciousDb from '@delinkcious/db';
import { loadMigrations, migrate } from '@delinkcious/db';
import { storeDatabases } from '@delinkcious/testing';
import { migrationsDir } from '../src/main.ts';
import { DefaultLinkManager } from '../src/manager.ts';
import { SqlLinkStore } from '../src/stores/sql-link-store.ts';

const version = 4;

// Empty databases: each test migrates up to the version before the case migration itself.
const backends = await storeDatabases({ db: delinkciousDb, migrationsDir, label: 'link_manager', prefix: 'test_links_case', migrated: false });

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));

for (const backend of backends) {
  describe(`link-service migration ${version}: usernames in lower case (${backend.name})`, { skip: backend.skip }, () => {
    test('links of one URL under two spellings merge: the latest update wins, tags are the union; counts are recounted', async () => {
      const { db, close } = await backend.open();
      try {
        const all = await loadMigrations(migrationsDir);
        await migrate(db, all.filter((migration) => migration.version < version));
        const seed = async (username: string, url: string, title: string, tags: string[], updated: number) =>
          db.query(
            `INSERT INTO links (username, url, title, tags, status, created_at, updated_at) VALUES ($1, $2, $3, $4::text[], 'valid', $5, $6)`,
            [username, url, title, tags, at(0), at(updated)],
          );
        await seed('Alice', 'https://both.example/', 'older title', ['x', 'shared'], 1);
        await seed('alice', 'https://both.example/', 'newer title', ['shared', 'y'], 2);
        await seed('ALICE', 'https://both.example/', 'oldest title', ['z'], 0);
        await seed('Alice', 'https://only-upper.example/', 'upper', [], 3);
        await seed('alice', 'https://only-lower.example/', 'lower', ['l'], 4);
        await seed('bob', 'https://both.example/', 'bob keeps his', ['b'], 5);
        await db.query(`INSERT INTO link_counts (username, links) VALUES ('Alice', 2), ('alice', 2), ('ALICE', 1), ('bob', 1)`);

        assert.deepEqual(await migrate(db, all.filter((migration) => migration.version <= version)), [version]);

        const { rows } = await db.query<{ username: string; url: string; title: string; tags: string[] }>(
          'SELECT username, url, title, tags FROM links ORDER BY username, url',
        );
        assert.deepEqual(rows, [
          { username: 'alice', url: 'https://both.example/', title: 'newer title', tags: ['shared', 'y', 'x', 'z'] },
          { username: 'alice', url: 'https://only-lower.example/', title: 'lower', tags: ['l'] },
          { username: 'alice', url: 'https://only-upper.example/', title: 'upper', tags: [] },
          { username: 'bob', url: 'https://both.example/', title: 'bob keeps his', tags: ['b'] },
        ]);
        const counts = await db.query<{ username: string; links: number }>('SELECT username, links FROM link_counts ORDER BY username');
        assert.deepEqual(counts.rows, [
          { username: 'alice', links: 3 },
          { username: 'bob', links: 1 },
        ]);

        // The service (on the schema of every migration) then finds them under any spelling, and the limit counts them once.
        await migrate(db, all);
        const manager = new DefaultLinkManager({ store: new SqlLinkStore(db), maxLinksPerUser: 4 });
        assert.equal((await manager.getLinks({ username: 'ALICE' })).links.length, 3);
        await manager.addLink({ username: 'Alice', url: 'https://fourth.example/', title: 'four' });
        await assert.rejects(manager.addLink({ username: 'alice', url: 'https://fifth.example/', title: 'five' }), /limit of 4 links/);
      } finally {
        await close();
      }
    });
  });
}
