/**
 * The IDN step of link-service's start (src/idn-hosts.ts, docs/design.md §15): links whose host
 * migration 006 left as written (IDN, percent-encoded) rewritten to the normal form, duplicates
 * merged as 006 merges them; idempotent; nothing told to followers.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as delinkciousDb from '@delinkcious/db';
import { ConflictError } from '@delinkcious/object-model';
import { storeDatabases } from '@delinkcious/testing';
import { normalizeIdnHosts } from '../src/idn-hosts.ts';
import { migrationsDir } from '../src/main.ts';
import { DefaultLinkManager } from '../src/manager.ts';
import { SqlLinkStore } from '../src/stores/sql-link-store.ts';

const backends = await storeDatabases({ db: delinkciousDb, migrationsDir, label: 'link_manager', prefix: 'test_links_idn' });
const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));
const puny = 'https://xn--bcher-kva.example';

for (const backend of backends) {
  describe(`link-service IDN hosts step (${backend.name})`, { skip: backend.skip }, () => {
    test('IDN and percent-encoded spellings merge into the oldest link, losing nothing; a second run does nothing', async () => {
      const { db, close } = await backend.open();
      try {
        const seed = async (username: string, url: string, link: { title?: string; description?: string; tags?: string[]; private?: boolean; unread?: boolean; created: number }) =>
          db.query(
            `INSERT INTO links (username, url, title, description, tags, private, unread, status, checked_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5::text[], $6, $7, 'valid', $8, $8, $8)`,
            [username, url, link.title ?? '', link.description ?? '', link.tags ?? [], link.private ?? false, link.unread ?? false, at(link.created)],
          );
        await seed('alice', 'https://BÜCHER.example/x', { title: '', description: 'short', tags: ['a', 'shared'], private: true, created: 0 });
        await seed('alice', `${puny}/x`, { title: 'Bücher', description: 'the longest description', tags: ['shared', 'b'], private: true, unread: true, created: 1 });
        await seed('alice', 'https://b%C3%BCcher.example/x', { title: 'pct', tags: ['c'], private: true, created: 2 });
        await seed('alice', 'https://bücher.example/other', { title: 'alone', created: 3 });
        await seed('alice', 'https://plain.example/', { title: 'plain', created: 4 });
        await seed('bob', 'https://bücher.example/x', { title: 'bob', created: 5 });
        await db.query(`INSERT INTO link_counts (username, links, public_links) VALUES ('alice', 5, 2), ('bob', 1, 1)`);
        await db.query(`INSERT INTO url_stats (url, public_savers) VALUES ('https://bücher.example/x', 1), ('https://bücher.example/other', 1), ('https://plain.example/', 1)`);
        await db.query(
          `INSERT INTO url_checks (url, requested_at, status, checked_at, http_status, title) VALUES
            ('https://BÜCHER.example/x', $1, 'valid', $2, 200, 'newest check'), ('${puny}/x', $1, 'invalid', $3, 404, ''),
            ('https://bücher.example/x', $1, 'valid', $4, 200, 'bob''s check')`,
          [at(0), at(9), at(8), at(7)],
        );
        const outboxBefore = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');

        assert.deepEqual(await normalizeIdnHosts(db), { users: 2, rewritten: 3, merged: 2 });

        const { rows } = await db.query('SELECT username, url, title, description, tags, private, unread, created_at FROM links ORDER BY username, url COLLATE "C"');
        assert.deepEqual(rows, [
          { username: 'alice', url: 'https://plain.example/', title: 'plain', description: '', tags: [], private: false, unread: false, created_at: at(4) },
          { username: 'alice', url: `${puny}/other`, title: 'alone', description: '', tags: [], private: false, unread: false, created_at: at(3) },
          {
            username: 'alice',
            url: `${puny}/x`,
            // The kept (oldest) link had no title: the longest of the others'.
            title: 'Bücher',
            description: 'the longest description',
            tags: ['a', 'shared', 'b', 'c'],
            private: true,
            unread: true,
            created_at: at(0),
          },
          { username: 'bob', url: `${puny}/x`, title: 'bob', description: '', tags: [], private: false, unread: false, created_at: at(5) },
        ]);
        const counts = await db.query('SELECT username, links, public_links FROM link_counts ORDER BY username');
        assert.deepEqual(counts.rows, [
          { username: 'alice', links: 3, public_links: 2 },
          { username: 'bob', links: 1, public_links: 1 },
        ]);
        const stats = await db.query('SELECT url, public_savers FROM url_stats ORDER BY url COLLATE "C"');
        assert.deepEqual(stats.rows, [
          { url: 'https://plain.example/', public_savers: 1 },
          { url: `${puny}/other`, public_savers: 1 },
          { url: `${puny}/x`, public_savers: 1 },
        ]);
        const checks = await db.query('SELECT url, status, checked_at, http_status, title FROM url_checks ORDER BY url COLLATE "C"');
        assert.deepEqual(checks.rows, [{ url: `${puny}/x`, status: 'valid', checked_at: at(9), http_status: 200, title: 'newest check' }]);
        const tagCounts = await db.query('SELECT tag, links FROM tag_counts WHERE username = $1 ORDER BY tag COLLATE "C"', ['alice']);
        assert.deepEqual(tagCounts.rows, ['a', 'b', 'c', 'shared'].map((tag) => ({ tag, links: 1 })));
        const outboxAfter = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');
        assert.equal(outboxAfter.rows[0]!.n, outboxBefore.rows[0]!.n, 'nothing told to followers');

        assert.deepEqual(await normalizeIdnHosts(db), { users: 0, rewritten: 0, merged: 0 }, 'idempotent');

        // Every spelling now names the one link.
        const manager = new DefaultLinkManager({ store: new SqlLinkStore(db), maxLinksPerUser: 100 });
        await assert.rejects(manager.addLink({ username: 'alice', url: 'https://bücher.example/x', title: 'again' }), ConflictError);
        await manager.updateLink({ username: 'alice', url: 'https://BÜCHER.example/x', addTags: ['found'] });
        const found = (await manager.getLinks({ username: 'alice' })).links.find((link) => link.url === `${puny}/x`);
        assert.ok(found?.tags.includes('found'));
      } finally {
        await close();
      }
    });
  });
}
