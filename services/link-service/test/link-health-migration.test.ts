/**
 * Migration 18 (docs/design.md §17): each link's health moves to a row of link_health, which
 * triggers add and remove with the link, whoever writes links; a check result writes that row
 * and leaves the links row alone, unless the page fills in an empty title.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as delinkciousDb from '@delinkcious/db';
import { loadMigrations, migrate, type Queryable } from '@delinkcious/db';
import { storeDatabases } from '@delinkcious/testing';
import { migrationsDir } from '../src/main.ts';
import { SqlLinkStore } from '../src/stores/sql-link-store.ts';

const version = 18;

const backends = await storeDatabases({ db: delinkciousDb, migrationsDir, label: 'link_manager', prefix: 'test_links_health', migrated: false });

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));

/** Each link's health as link_health holds it, by URL. */
async function healthByUrl(db: Queryable): Promise<Record<string, unknown>> {
  const { rows } = await db.query<{ url: string }>(
    `SELECT l.url, h.status, h.checked_at, h.http_status, h.check_error, h.invalid_since, h.archive_url, h.favicon_url
     FROM links l JOIN link_health h ON h.link_id = l.id ORDER BY l.url`,
  );
  return Object.fromEntries(rows.map(({ url, ...health }) => [url, health]));
}

/** The version of a links row: it changes with every write of the row. */
async function rowVersion(db: Queryable, url: string): Promise<string> {
  return (await db.query<{ v: string }>('SELECT xmin::text AS v FROM links WHERE url = $1', [url])).rows[0]!.v;
}

for (const backend of backends) {
  describe(`link-service migration ${version}: link health in a table of its own (${backend.name})`, { skip: backend.skip }, () => {
    test('the health each link had moves to its row; links added or deleted later gain and lose theirs', async () => {
      const { db, close } = await backend.open();
      try {
        const all = await loadMigrations(migrationsDir);
        await migrate(db, all.filter((migration) => migration.version < version));
        await db.query(
          `INSERT INTO links (username, url, title, status, checked_at, http_status, check_error, invalid_since, archive_url, favicon_url, created_at, updated_at)
           VALUES ('alice', 'https://ok.example/', 'ok', 'valid', $1, 200, '', NULL, 'https://archive.example/ok', 'https://ok.example/favicon.ico', $1, $1),
                  ('alice', 'https://gone.example/', 'gone', 'invalid', $2, 404, '404 Not Found', $1, '', '', $1, $1),
                  ('bob', 'https://new.example/', 'new', 'pending', NULL, 0, '', NULL, '', '', $1, $1)`,
          [at(1), at(2)],
        );
        await migrate(db, all);

        const none = { checked_at: null, http_status: 0, check_error: '', invalid_since: null, archive_url: '', favicon_url: '' };
        assert.deepEqual(await healthByUrl(db), {
          'https://gone.example/': { status: 'invalid', checked_at: at(2), http_status: 404, check_error: '404 Not Found', invalid_since: at(1), archive_url: '', favicon_url: '' },
          'https://new.example/': { status: 'pending', ...none },
          'https://ok.example/': {
            status: 'valid', checked_at: at(1), http_status: 200, check_error: '', invalid_since: null,
            archive_url: 'https://archive.example/ok', favicon_url: 'https://ok.example/favicon.ico',
          },
        });

        // Written past the store (an import, a script): the triggers keep the rows all the same.
        await db.query(`INSERT INTO links (username, url, title, created_at, updated_at) VALUES ('carol', 'https://c1.example/', 'c1', now(), now()), ('carol', 'https://c2.example/', 'c2', now(), now())`);
        await db.query(`DELETE FROM links WHERE url = 'https://gone.example/' OR url = 'https://c2.example/'`);
        const health = await healthByUrl(db);
        assert.deepEqual(Object.keys(health), ['https://c1.example/', 'https://new.example/', 'https://ok.example/']);
        assert.deepEqual(health['https://c1.example/'], { status: 'pending', ...none });
        const orphans = await db.query('SELECT link_id FROM link_health WHERE link_id NOT IN (SELECT id FROM links)');
        assert.deepEqual(orphans.rows, [], 'no health outlives its link');
      } finally {
        await close();
      }
    });

    test("a check result writes the link's health, not its row, unless the page fills in an empty title", async () => {
      const { db, close } = await backend.open();
      try {
        await migrate(db, await loadMigrations(migrationsDir));
        const store = new SqlLinkStore(db);
        const save = (url: string, title: string) =>
          store.insert({ username: 'alice', url, title, description: 'kept', tags: ['t'], private: false, createdAt: at(0) }, 100, () => null);
        await save('https://titled.example/', 'Mine');
        await save('https://untitled.example/', '');
        const titled = await rowVersion(db, 'https://titled.example/');
        const untitled = await rowVersion(db, 'https://untitled.example/');

        for (const url of ['https://titled.example/', 'https://untitled.example/']) {
          assert.equal(await store.applyCheck({ url, status: 'valid', checkedAt: at(5), httpStatus: 200, title: 'From the page' }), 1);
        }
        assert.equal(await rowVersion(db, 'https://titled.example/'), titled, 'a title of its own: the links row is not written');
        assert.notEqual(await rowVersion(db, 'https://untitled.example/'), untitled, 'the empty title was filled in');

        const links = await store.list('alice', { limit: 10 });
        assert.deepEqual(
          links.map((link) => [link.url, link.title, link.status, link.checkedAt, link.httpStatus]),
          [
            ['https://untitled.example/', 'From the page', 'valid', at(5), 200],
            ['https://titled.example/', 'Mine', 'valid', at(5), 200],
          ],
          'newest first (the same time: the later id first)',
        );
        const { rows } = await db.query(`SELECT count(*)::int AS n FROM links l JOIN link_health h ON h.link_id = l.id WHERE h.status = 'valid'`);
        assert.deepEqual(rows, [{ n: 2 }]);
      } finally {
        await close();
      }
    });
  });
}
