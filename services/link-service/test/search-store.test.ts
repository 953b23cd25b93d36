/** The search contract (docs/design.md §14) against memory, PGlite and PostgreSQL. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as delinkciousDb from '@delinkcious/db';
import { parseSearchQuery, searchFold } from '@delinkcious/object-model';
import { storeDatabases } from '@delinkcious/testing';
import { migrationsDir } from '../src/main.ts';
import { LinkStatistics } from '../src/search/statistics.ts';
import { containsPattern } from '../src/search/substring.ts';
import { MemoryLinkStore } from '../src/stores/memory-link-store.ts';
import { SqlLinkStore } from '../src/stores/sql-link-store.ts';
import { searchContract } from './support/search-contract.ts';

const databases = await storeDatabases({ db: delinkciousDb, migrationsDir, label: 'link_manager', prefix: 'test_search' });

searchContract('memory', async () => ({ store: new MemoryLinkStore(), events: async () => [], close: async () => {} }), { sql: false });
for (const { name, skip, open } of databases) {
  searchContract(
    name,
    async () => {
      const { db, close } = await open();
      return { store: new SqlLinkStore(db), events: async () => [], close };
    },
    { skip, sql: true },
  );
}

test('migration 007 folds with the same table as searchFold', async () => {
  const sql = await readFile(join(migrationsDir, '007_search.sql'), 'utf8');
  const quoted = (text: string) => `'${text.replaceAll("'", "''")}'`;
  assert.ok(sql.includes(`translate(t,\n    ${quoted(searchFold.from)},\n    ${quoted(searchFold.to)})`), 'letters');
  assert.ok(sql.includes(`${quoted(searchFold.punctuation)}, ${quoted(' '.repeat(searchFold.punctuation.length))}`), 'punctuation');
});

test('a LIKE pattern keeps %, _ and \\ literal', () => {
  assert.equal(containsPattern('sql'), '%sql%');
  assert.equal(containsPattern('a%b_c\\'), '%a\\%b\\_c\\\\%');
});

test('embedded layout: the service role migrates and searches substrings (pg_trgm made by the superuser in pg_catalog)', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'search-embedded-'));
  try {
    const db = await delinkciousDb.openServiceDatabase({ database: 'link_manager', dataDir }, migrationsDir);
    try {
      const store = new SqlLinkStore(db);
      await db.query(
        `INSERT INTO links (username, url, title, description, tags, created_at, updated_at) VALUES ('alice', 'https://www.postgresql.org/', 'PostgreSQL', '', '{}', now(), now())`,
      );
      const found = await store.list('alice', { search: parseSearchQuery('sql '), limit: 10 });
      assert.deepEqual(found.map((link) => link.url), ['https://www.postgresql.org/']);
      const { rows } = await db.query<{ nspname: string }>(
        `SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'`,
      );
      assert.deepEqual(rows, [{ nspname: 'pg_catalog' }]);
      // The service's role may analyse its table and merge its GIN indexes' pending lists.
      const errors: unknown[] = [];
      await new LinkStatistics(db, (error) => errors.push(error)).start();
      assert.deepEqual(errors, []);
    } finally {
      await db.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('old embedded layout: a link-service database upgraded into the shared instance keeps substring search', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'search-upgrade-'));
  try {
    // The old layout: link-service's own PGlite in DATA_DIR/link_manager, migrated up to 009.
    const old = await delinkciousDb.openPglite(join(dataDir, 'link_manager'));
    const all = await delinkciousDb.loadMigrations(migrationsDir);
    await delinkciousDb.migrate(old, all.filter((migration) => migration.version < 10));
    await old.query(
      `INSERT INTO links (username, url, title, created_at, updated_at) VALUES ('alice', 'https://www.postgresql.org/', 'PostgreSQL', now(), now())`,
    );
    await old.close();
    const db = await delinkciousDb.openServiceDatabase({ database: 'link_manager', dataDir }, migrationsDir);
    try {
      const found = await new SqlLinkStore(db).list('alice', { search: parseSearchQuery('gres '), limit: 10 });
      assert.deepEqual(found.map((link) => link.url), ['https://www.postgresql.org/']);
    } finally {
      await db.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
