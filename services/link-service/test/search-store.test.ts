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

const quoted = (text: string) => `'${text.replaceAll("'", "''")}'`;

test('migrations 007 and 014 fold with the same table as searchFold', async () => {
  const sql = await readFile(join(migrationsDir, '007_search.sql'), 'utf8');
  assert.ok(sql.includes(`translate(t,\n    ${quoted(searchFold.from)},\n    ${quoted(searchFold.to)})`), 'letters');
  assert.ok(sql.includes(`${quoted(searchFold.punctuation)}, ${quoted(' '.repeat(searchFold.punctuation.length))}`), 'punctuation');
  const ascii = await readFile(join(migrationsDir, '014_ascii_fold.sql'), 'utf8');
  assert.ok(ascii.includes(`translate(t,\n    ${quoted(searchFold.from)},\n    ${quoted(searchFold.to)})`), 'letters (014)');
});

// Every ASCII character, and texts that are not ASCII: the fast path (014) must fold as the table does.
const foldSamples = [
  Array.from({ length: 127 }, (_, i) => String.fromCharCode(i + 1)).join(''),
  'PostgreSQL Node.js API (v20)',
  '',
  'ÀÉÎ Ünïcode façade',
  'Straße İstanbul ıI',
  'ΑΒΓ Ελληνικά',
  'Smile 🙂 — “quoted”',
];
for (const { name, skip, open } of databases) {
  test(`migration 014: ASCII text folds as translate() with the table does (${name})`, { skip }, async () => {
    const { db, close } = await open();
    try {
      const { rows } = await db.query<{ t: string; folded: string; translated: string }>(
        `SELECT t, link_search_fold(t) AS folded, translate(t, ${quoted(searchFold.from)}, ${quoted(searchFold.to)}) AS translated
         FROM unnest($1::text[]) AS t`,
        [foldSamples],
      );
      assert.equal(rows.length, foldSamples.length);
      for (const row of rows) assert.equal(row.folded, row.translated, JSON.stringify(row.t));
      assert.equal(rows[1]!.folded, 'postgresql node.js api (v20)');
    } finally {
      await close();
    }
  });
}

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

for (const { name, skip, open } of databases) {
  test(`migration 013 on ${name}: every GIN index of the search keeps its pending list under 64 kB`, { skip }, async () => {
    const { db, close } = await open();
    try {
      const { rows } = await db.query<{ index: string; options: string[] | null }>(
        `SELECT c.relname AS index, c.reloptions AS options FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
         JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'gin' AND i.indrelid IN ('links'::regclass, 'search_vocabulary'::regclass) ORDER BY 1`,
      );
      assert.deepEqual(rows, [
        { index: 'links_by_tag', options: ['gin_pending_list_limit=64'] },
        { index: 'links_search', options: ['gin_pending_list_limit=64'] },
        { index: 'links_search_tokens', options: ['gin_pending_list_limit=64'] },
        { index: 'search_vocabulary_trigram', options: ['gin_pending_list_limit=64'] },
      ]);
    } finally {
      await close();
    }
  });
}

const unmigrated = await storeDatabases({ db: delinkciousDb, migrationsDir, label: 'link_manager', prefix: 'test_search_tokens', migrated: false });
for (const { name, skip, open } of unmigrated) {
  test(`migration 012 on ${name}: existing links' tokens fill the vocabulary; writes keep it`, { skip }, async () => {
    const { db, close } = await open();
    try {
      const all = await delinkciousDb.loadMigrations(migrationsDir);
      await delinkciousDb.migrate(db, all.filter((migration) => migration.version < 12));
      await db.query(
        `INSERT INTO links (username, url, title, tags, created_at, updated_at) VALUES ('alice', 'https://www.postgresql.org/Docs', 'PostgreSQL: the manual', '{db}', now(), now())`,
      );
      assert.deepEqual(await delinkciousDb.migrate(db, all.filter((migration) => migration.version <= 12)), [12]);
      const vocabulary = async (username: string) =>
        (await db.query<{ token: string }>('SELECT token FROM search_vocabulary WHERE username = $1 ORDER BY token', [username])).rows.map((row) => row.token);
      assert.deepEqual(await vocabulary('alice'), ['db', 'docs', 'manual', 'org', 'postgresql', 'the', 'www']);
      assert.deepEqual((await db.query<{ t: string[] }>("SELECT search_tokens AS t FROM links WHERE username = 'alice'")).rows, [{ t: ['', 'db', 'docs', 'manual', 'org', 'postgresql', 'the', 'www'] }], 'every link holds the empty token');
      const store = new SqlLinkStore(db);
      assert.deepEqual((await store.list('alice', { search: parseSearchQuery('gres '), limit: 10 })).map((link) => link.url), ['https://www.postgresql.org/Docs']);
      // One statement of several links, and an update of the text; a status change adds nothing.
      await db.query(
        `INSERT INTO links (username, url, title, created_at, updated_at) VALUES ('bob', 'https://a.example/', 'Crème', now(), now()), ('bob', 'https://b.example/', 'two-words', now(), now())`,
      );
      await db.query(`UPDATE links SET title = 'Brûlée' WHERE username = 'bob' AND url = 'https://a.example/'`);
      await db.query(`UPDATE links SET status = 'valid' WHERE username = 'bob'`);
      assert.deepEqual(await vocabulary('bob'), ['a', 'b', 'brulee', 'creme', 'example', 'two', 'words'], 'old tokens stay: they only widen a lookup');
      assert.deepEqual((await store.list('bob', { search: parseSearchQuery('rule '), limit: 10 })).map((link) => link.url), ['https://a.example/']);
      assert.deepEqual((await store.list('bob', { search: parseSearchQuery('rem '), limit: 10 })).map((link) => link.url), [], 'the old title is gone');
    } finally {
      await close();
    }
  });
}
