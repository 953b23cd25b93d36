/**
 * The migration to canonical (lower-case) usernames, over accounts the
 * previous migrations hold: two accounts differing only in case (possible
 * through the local sign-in) become the older one, with all their sessions
 * and tokens; every account keeps its spelling for display.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import * as delinkciousDb from '@delinkcious/db';
import { loadMigrations, migrate } from '@delinkcious/db';
import { storeDatabases } from '@delinkcious/testing';
import { migrationsDir } from '../src/main.ts';
import { DefaultUserManager } from '../src/manager.ts';
import { SqlUserStore } from '../src/stores/sql-user-store.ts';

const version = 3;
const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');

// Empty databases: each test migrates up to the version before the case migration itself.
const backends = await storeDatabases({ db: delinkciousDb, migrationsDir, label: 'user_manager', prefix: 'test_users_case', migrated: false });

const at = (day: number) => new Date(Date.UTC(2026, 0, day));

for (const backend of backends) {
  describe(`user-service migration ${version}: usernames in lower case (${backend.name})`, { skip: backend.skip }, () => {
    test('accounts differing in case merge into the older, with every session and token; spellings are kept', async () => {
      const { db, close } = await backend.open();
      try {
        const all = await loadMigrations(migrationsDir);
        await migrate(db, all.filter((migration) => migration.version < version));
        const user = (username: string, created: number, githubId: number | null) =>
          db.query(`INSERT INTO users (username, name, email, github_id, created_at, updated_at) VALUES ($1, $1, '', $2, $3, $3)`, [
            username,
            githubId,
            at(created),
          ]);
        const session = (username: string, secret: string) =>
          db.query('INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES ($1, $2, $3, $4)', [
            hash(secret),
            username,
            at(1),
            new Date(Date.now() + 86_400_000),
          ]);
        const token = (username: string, id: string) =>
          db.query(`INSERT INTO api_tokens (id, username, name, token_hash, created_at) VALUES ($1, $2, 'ci', $3, $4)`, [id, username, hash(id), at(1)]);
        await user('alice', 2, null);
        await user('Alice', 1, null);
        await user('ALICE', 3, 77);
        await user('Mona-Lisa', 1, 5);
        await user('bob', 1, null);
        await session('alice', 's-lower');
        await session('Alice', 's-upper');
        await session('ALICE', 's-caps');
        await token('alice', 't-lower');
        await token('ALICE', 't-caps');
        await session('Mona-Lisa', 's-mona');
        await token('bob', 't-bob');

        // Only this migration: later ones (settings, feed tokens) have tests of their own.
        assert.deepEqual(await migrate(db, all.filter((migration) => migration.version <= version)), [version]);

        const users = await db.query<{ username: string; spelling: string; github_id: number | string | null }>(
          'SELECT username, spelling, github_id FROM users ORDER BY username',
        );
        assert.deepEqual(
          users.rows.map((row) => ({ ...row, github_id: row.github_id === null ? null : Number(row.github_id) })),
          [
            { username: 'alice', spelling: 'Alice', github_id: 77 },
            { username: 'bob', spelling: 'bob', github_id: null },
            { username: 'mona-lisa', spelling: 'Mona-Lisa', github_id: 5 },
          ],
          'the oldest "Alice" is kept, taking the GitHub id of a merged account',
        );

        const manager = new DefaultUserManager({ store: new SqlUserStore(db) });
        for (const secret of ['s-lower', 's-upper', 's-caps']) {
          const { user: owner } = await manager.validate(secret);
          assert.deepEqual([owner.username, owner.spelling], ['alice', 'Alice'], secret);
        }
        assert.deepEqual((await manager.listApiTokens('ALICE')).map((info) => info.id).sort(), ['t-caps', 't-lower']);
        assert.equal((await manager.validate('s-mona')).user.spelling, 'Mona-Lisa');
        assert.deepEqual((await manager.listApiTokens('Bob')).map((info) => info.id), ['t-bob']);
        // A GitHub sign-in with the moved id finds the merged account.
        assert.equal((await manager.register({ username: 'aLiCe', name: 'A', email: '', githubId: 77 })).username, 'alice');
        // The foreign keys are back: deleting a user still removes its sessions and tokens.
        await db.query("DELETE FROM users WHERE username = 'alice'");
        const left = await db.query<{ n: number | string }>("SELECT (SELECT count(*) FROM sessions WHERE username = 'alice') + (SELECT count(*) FROM api_tokens WHERE username = 'alice') AS n");
        assert.equal(Number(left.rows[0]!.n), 0);
      } finally {
        await close();
      }
    });
  });
}
