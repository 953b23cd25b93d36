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
// Each function as the translate() it replaced, over the same texts: `fold` (014, the letters), `words` (017, the punctuation).
const replacedTranslations = {
  fold: `link_search_fold(t) AS ours, translate(t, ${quoted(searchFold.from)}, ${quoted(searchFold.to)}) AS translated`,
  words: `link_search_words(t) AS ours,
    translate(link_search_fold(t), ${quoted(searchFold.punctuation)}, ${quoted(' '.repeat(searchFold.punctuation.length))}) AS translated`,
};
for (const { name, skip, open } of databases) {
  test(`migrations 014 and 017: folding and words as translate() made them, ASCII and not (${name})`, { skip }, async () => {
    const { db, close } = await open();
    try {
      const answers: Record<string, string> = {};
      for (const [fn, columns] of Object.entries(replacedTranslations)) {
        const { rows } = await db.query<{ t: string; ours: string; translated: string }>(`SELECT t, ${columns} FROM unnest($1::text[]) AS t`, [foldSamples]);
        assert.equal(rows.length, foldSamples.length);
        for (const row of rows) assert.equal(row.ours, row.translated, `${fn} ${JSON.stringify(row.t)}`);
        answers[fn] = rows[1]!.ours;
      }
      assert.deepEqual(answers, { fold: 'postgresql node.js api (v20)', words: 'postgresql node js api  v20 ' });
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
        { index: 'search_vocabulary_trigram', options: ['gin_pending_list_limit=64'] },
      ]);
    } finally {
      await close();
    }
  });
}

// Texts whose words the text parser may read otherwise than as a run of letters and digits.
const parserSamples = [
  'Crème brûlée, naïve café; Straße',
  'node.js C++ C# e-mail foo@bar.com under_score CamelCase',
  '1e10 3.14 v1.2.3 007 3d -42 10,000 x² ½ Ⅻ ﬁle',
  "it's O'Reilly can't “smart quotes” a—b x–y",
  '日本語のテキスト Привет мир ΑΒΓ Ελληνικά',
  'emoji 🎉party zero\u200bwidth no\u00a0break tab\tsep',
  'The And Of to be or not',
  'www.example.org/path/file.html?q=1#frag user@host',
];
for (const { name, skip, open } of databases) {
  test(`a token matching a word by itself means its link matches the word too (${name}): vocabularyStatement may leave it out`, { skip }, async () => {
    const { db, close } = await open();
    try {
      await db.query(
        `INSERT INTO links (username, url, title, description, tags, created_at, updated_at)
         SELECT 'parser', 'https://p.example/' || n, t, t, ARRAY[t], now(), now() FROM unnest($1::text[]) WITH ORDINALITY AS s(t, n)`,
        [parserSamples],
      );
      // Every marked token T of a link: the link's vector holds what the parser makes of T alone.
      const { rows } = await db.query<{ token: string; held: boolean }>(
        `SELECT substr(lexeme, 2) AS token, search @@ phraseto_tsquery('english', substr(lexeme, 2)) AS held
         FROM links, unnest(tsvector_to_array(search)) AS lexeme
         WHERE username = 'parser' AND starts_with(lexeme, E'\\x01') AND numnode(phraseto_tsquery('english', substr(lexeme, 2))) > 0`,
      );
      assert.ok(rows.length > 50, `${rows.length} tokens`);
      assert.deepEqual(rows.filter((row) => !row.held).map((row) => row.token), []);
    } finally {
      await close();
    }
  });
}

for (const { name, skip, open } of databases) {
  test(`a run of letters longer than a lexeme is no token; its link saves and is found by its other words (${name})`, { skip }, async () => {
    const { db, close } = await open();
    try {
      const store = new SqlLinkStore(db);
      await store.insert(
        { username: 'long', url: 'https://l.example/', title: 'Zymurgy', description: `${'d'.repeat(3000)} brewing`, tags: [], private: false, createdAt: new Date() },
        10,
        () => null,
      );
      const urls = async (q: string) => (await store.list('long', { search: parseSearchQuery(q), limit: 10 })).map((link) => link.url);
      assert.deepEqual(await urls('murgy '), ['https://l.example/']);
      assert.deepEqual(await urls('brew murgy '), ['https://l.example/']);
      assert.deepEqual(await urls('ddd '), [], 'inside the long run: no token holds it');
    } finally {
      await close();
    }
  });
}

for (const { name, skip, open } of databases) {
  test(`the words' tokens are kept between searches, and a change of the user's links on another replica is seen at once (${name})`, { skip }, async () => {
    const { db, close } = await open();
    try {
      const sent: string[] = [];
      const recorded: delinkciousDb.Database = { ...db, query: (text, params) => (sent.push(text), db.query(text, params)) };
      const reader = new SqlLinkStore(recorded);
      const writer = new SqlLinkStore(db);
      const save = (url: string, title: string) =>
        writer.insert({ username: 'kept', url, title, description: '', tags: [], private: false, createdAt: new Date() }, 100, () => null);
      await save('https://k.example/1', 'Kubernetes tutorial');
      await save('https://k.example/2', 'Kubernetes reference');
      const search = async (q: string) => {
        sent.length = 0;
        const urls = (await reader.list('kept', { search: parseSearchQuery(q), limit: 10 })).map((link) => link.url);
        return { urls, statements: sent.length };
      };
      assert.deepEqual(await search('kubernetes tutorial'), { urls: ['https://k.example/1'], statements: 2 }, 'the tokens looked up, then the page');
      assert.deepEqual(await search('-#none kubernetes tutorial'), { urls: ['https://k.example/1'], statements: 1 }, 'the same words: the page alone');

      // Another replica saves a link whose only match is a token containing the word.
      await save('https://k.example/3', 'Superkubernetesx tutorial');
      assert.deepEqual(await search('kubernetes tutorial'), { urls: ['https://k.example/3', 'https://k.example/1'], statements: 3 }, 'the stamp moved: looked up again');
      assert.deepEqual((await search('kubernetes tutorial')).statements, 1);

      // An edit, and a search that finds nothing (its stamp is read on its own).
      assert.deepEqual(await search('kubernetes walkthrough'), { urls: [], statements: 2 });
      assert.deepEqual(await search('kubernetes walkthrough'), { urls: [], statements: 2 }, 'no row carries the stamp: it is read');
      await writer.update('kept', 'https://k.example/2', () => ({ title: 'Hyperkubernetes walkthrough' }), new Date(), () => null);
      assert.deepEqual((await search('kubernetes walkthrough')).urls, ['https://k.example/2']);
      await writer.delete('kept', 'https://k.example/2', () => null);
      assert.deepEqual((await search('kubernetes walkthrough')).urls, []);
    } finally {
      await close();
    }
  });
}

for (const { name, skip, open } of databases) {
  test(`migration 015 on ${name}: a replica of the release before it, still running during the upgrade, answers its searches`, { skip }, async () => {
    const { db, close } = await open();
    try {
      await new SqlLinkStore(db).insert(
        { username: 'older', url: 'https://www.postgresql.org/docs/', title: 'PostgreSQL manual', description: '', tags: [], private: false, createdAt: new Date() },
        10,
        () => null,
      );
      // The form of migration 012's search (search/sql.ts before 015), with the tokens' column.
      const { rows } = await db.query<{ url: string }>(
        `SELECT url FROM links WHERE username = $1 AND (search @@ to_tsquery('english'::regconfig, $2) OR (search_text LIKE $3 AND search_tokens &&
           ARRAY(SELECT token FROM search_vocabulary WHERE username = $1 AND token LIKE $3 LIMIT 201)))`,
        ['older', "'manual'", '%manual%'],
      );
      assert.deepEqual(rows, [{ url: 'https://www.postgresql.org/docs/' }]);
    } finally {
      await close();
    }
  });
}

const unmigrated = await storeDatabases({ db: delinkciousDb, migrationsDir, label: 'link_manager', prefix: 'test_search_tokens', migrated: false });
for (const { name, skip, open } of unmigrated) {
  test(`migrations 012 and 015 on ${name}: existing links' tokens fill the vocabulary and their search vectors; writes keep both`, { skip }, async () => {
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
      assert.deepEqual(await delinkciousDb.migrate(db, all), all.filter((migration) => migration.version > 12).map((migration) => migration.version));
      const marked = async (username: string) =>
        (await db.query<{ tokens: string[] }>(
          `SELECT ARRAY(SELECT substr(l, 2) FROM unnest(tsvector_to_array(search)) AS l WHERE starts_with(l, E'\\x01') ORDER BY 1) AS tokens
           FROM links WHERE username = $1 ORDER BY url`,
          [username],
        )).rows.map((row) => row.tokens);
      assert.deepEqual(await marked('alice'), [['db', 'docs', 'manual', 'org', 'postgresql', 'the', 'www']]);
      const store = new SqlLinkStore(db);
      assert.deepEqual((await store.list('alice', { search: parseSearchQuery('gres '), limit: 10 })).map((link) => link.url), ['https://www.postgresql.org/Docs']);
      // One statement of several links, and an update of the text; an update that leaves the text adds nothing.
      await db.query(
        `INSERT INTO links (username, url, title, created_at, updated_at) VALUES ('bob', 'https://a.example/', 'Crème', now(), now()), ('bob', 'https://b.example/', 'two-words', now(), now())`,
      );
      await db.query(`UPDATE links SET title = 'Brûlée' WHERE username = 'bob' AND url = 'https://a.example/'`);
      await db.query(`UPDATE links SET unread = true WHERE username = 'bob'`);
      assert.deepEqual(await vocabulary('bob'), ['a', 'b', 'brulee', 'creme', 'example', 'two', 'words'], 'old tokens stay: they only widen a lookup');
      assert.deepEqual(await marked('bob'), [['a', 'brulee', 'example'], ['b', 'example', 'two', 'words']]);
      assert.deepEqual((await store.list('bob', { search: parseSearchQuery('rule '), limit: 10 })).map((link) => link.url), ['https://a.example/']);
      assert.deepEqual((await store.list('bob', { search: parseSearchQuery('rem '), limit: 10 })).map((link) => link.url), [], 'the old title is gone');
    } finally {
      await close();
    }
  });
}
