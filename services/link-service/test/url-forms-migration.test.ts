/**
 * Migration 6 (docs/design.md §15): URLs rewritten to their normal form, and a
 * user's links that become one merged without loss; counts, savers and check
 * results follow; nothing is told to followers.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as delinkciousDb from '@delinkcious/db';
import { loadMigrations, migrate } from '@delinkcious/db';
import { ConflictError } from '@delinkcious/object-model';
import { storeDatabases } from '@delinkcious/testing';
import { migrationsDir } from '../src/main.ts';
import { DefaultLinkManager } from '../src/manager.ts';
import { SqlLinkStore } from '../src/stores/sql-link-store.ts';

const version = 6;

const backends = await storeDatabases({ db: delinkciousDb, migrationsDir, label: 'link_manager', prefix: 'test_links_forms', migrated: false });

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));

for (const backend of backends) {
  describe(`link-service migration ${version}: one URL, one link (${backend.name})`, { skip: backend.skip }, () => {
    test('spellings of one address merge into the oldest link, losing nothing; the rest is rewritten or kept', async () => {
      const { db, close } = await backend.open();
      try {
        const all = await loadMigrations(migrationsDir);
        await migrate(db, all.filter((migration) => migration.version < version));
        const seed = async (username: string, url: string, link: { title?: string; description?: string; tags?: string[]; private?: boolean; created: number }) =>
          db.query(
            `INSERT INTO links (username, url, title, description, tags, private, status, checked_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5::text[], $6, 'valid', $7, $7, $7)`,
            [username, url, link.title ?? '', link.description ?? '', link.tags ?? [], link.private ?? false, at(link.created)],
          );
        await seed('alice', 'HTTPS://Dup.Example:443/a', { title: 'Upper', description: 'short', tags: ['x', 'shared'], private: true, created: 1 });
        await seed('alice', 'https://dup.example/a', { title: '', description: 'a longer description', tags: ['shared', 'y'], created: 0 });
        await seed('alice', 'https://DUP.example/a', { title: 'Up', tags: ['z'], private: true, created: 2 });
        await seed('alice', 'http://Only.Example:80/Path?Q', { title: 'only', created: 3 });
        await seed('alice', 'https://bücher.example/', { title: 'idn', created: 4 });
        await seed('alice', 'https://keep.example:8443/', { title: 'port', created: 5 });
        await seed('bob', 'https://DUP.example/a', { title: 'bob', private: true, created: 6 });
        await db.query(`INSERT INTO link_counts (username, links, public_links) VALUES ('alice', 6, 4), ('bob', 1, 0)`);
        await db.query(`INSERT INTO url_stats (url, public_savers) VALUES ('https://dup.example/a', 1), ('http://Only.Example:80/Path?Q', 1),
          ('https://bücher.example/', 1), ('https://keep.example:8443/', 1), ('HTTPS://Dup.Example:443/a', 0)`);
        await db.query(`INSERT INTO url_checks (url, requested_at, status, checked_at) VALUES
          ('HTTPS://Dup.Example:443/a', $1, 'valid', $2), ('https://dup.example/a', $1, 'invalid', $3), ('http://Only.Example:80/Path?Q', $1, 'valid', $3)`,
          [at(0), at(9), at(8)]);
        const outboxBefore = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');

        assert.deepEqual(await migrate(db, all.filter((migration) => migration.version <= version)), [version]);

        const { rows } = await db.query<{ username: string; url: string; title: string; description: string; tags: string[]; private: boolean; unread: boolean; created_at: Date }>(
          'SELECT username, url, title, description, tags, private, unread, created_at FROM links ORDER BY username, url',
        );
        assert.deepEqual(rows, [
          { username: 'alice', url: 'http://only.example/Path?Q', title: 'only', description: '', tags: [], private: false, unread: false, created_at: at(3) },
          { username: 'alice', url: 'https://bücher.example/', title: 'idn', description: '', tags: [], private: false, unread: false, created_at: at(4) },
          {
            username: 'alice',
            url: 'https://dup.example/a',
            // The kept (oldest) link had no title: the longest of the others'.
            title: 'Upper',
            description: 'a longer description',
            tags: ['shared', 'y', 'x', 'z'],
            // One of them was public.
            private: false,
            unread: false,
            created_at: at(0),
          },
          { username: 'alice', url: 'https://keep.example:8443/', title: 'port', description: '', tags: [], private: false, unread: false, created_at: at(5) },
          { username: 'bob', url: 'https://dup.example/a', title: 'bob', description: '', tags: [], private: true, unread: false, created_at: at(6) },
        ]);
        const counts = await db.query('SELECT username, links, public_links FROM link_counts ORDER BY username');
        assert.deepEqual(counts.rows, [
          { username: 'alice', links: 4, public_links: 4 },
          { username: 'bob', links: 1, public_links: 0 },
        ]);
        const stats = await db.query('SELECT url, public_savers FROM url_stats ORDER BY url COLLATE "C"');
        assert.deepEqual(stats.rows, [
          { url: 'http://only.example/Path?Q', public_savers: 1 },
          { url: 'https://bücher.example/', public_savers: 1 },
          { url: 'https://dup.example/a', public_savers: 1 },
          { url: 'https://keep.example:8443/', public_savers: 1 },
        ]);
        const checks = await db.query<{ url: string; status: string; checked_at: Date }>('SELECT url, status, checked_at FROM url_checks ORDER BY url COLLATE "C"');
        assert.deepEqual(checks.rows, [
          { url: 'http://only.example/Path?Q', status: 'valid', checked_at: at(8) },
          { url: 'https://dup.example/a', status: 'valid', checked_at: at(9) },
        ]);
        const tagCounts = await db.query('SELECT username, tag, links FROM tag_counts ORDER BY username, tag COLLATE "C"');
        assert.deepEqual(tagCounts.rows, [
          { username: 'alice', tag: 'shared', links: 1 },
          { username: 'alice', tag: 'x', links: 1 },
          { username: 'alice', tag: 'y', links: 1 },
          { username: 'alice', tag: 'z', links: 1 },
        ]);
        const outboxAfter = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');
        assert.equal(outboxAfter.rows[0]!.n, outboxBefore.rows[0]!.n, 'nothing told to followers');

        // The service on every migration: any spelling finds the merged link, and is a duplicate of it.
        await migrate(db, all);
        const manager = new DefaultLinkManager({ store: new SqlLinkStore(db), maxLinksPerUser: 100 });
        await assert.rejects(manager.addLink({ username: 'alice', url: 'HTTPS://DUP.EXAMPLE/a', title: 'again' }), ConflictError);
        await manager.updateLink({ username: 'alice', url: 'https://Dup.Example/a', addTags: ['found'] });
        // The IDN link the migration left as written is still found by its spelling.
        await manager.deleteLink('alice', 'https://bücher.example/');
        const left = (await manager.getLinks({ username: 'alice' })).links.map((link) => [link.url, link.tags.includes('found')]);
        assert.deepEqual(left.sort(), [
          ['http://only.example/Path?Q', false],
          ['https://dup.example/a', true],
          ['https://keep.example:8443/', false],
        ]);
      } finally {
        await close();
      }
    });
  });
}
