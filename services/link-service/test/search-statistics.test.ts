/**
 * PGlite runs no autovacuum: LinkStatistics analyses the links table as autovacuum
 * would, so a search's first page walks the (username, created_at) index instead of
 * reading and sorting all of a user's links (docs/design.md §14).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as delinkciousDb from '@delinkcious/db';
import type { Database } from '@delinkcious/db';
import { parseSearchQuery } from '@delinkcious/object-model';
import { storeDatabases } from '@delinkcious/testing';
import { migrationsDir } from '../src/main.ts';
import { listingStatement } from '../src/search/sql.ts';
import { LinkStatistics } from '../src/search/statistics.ts';
import { SqlLinkStore } from '../src/stores/sql-link-store.ts';

const [pglite] = (await storeDatabases({ db: delinkciousDb, migrationsDir, label: 'link_manager', prefix: 'test_stats' })).filter((d) => d.name === 'PGlite');

describe('LinkStatistics on PGlite', () => {
  let db: Database;
  let close: () => Promise<void>;
  before(async () => {
    ({ db, close } = await pglite!.open());
  });
  after(async () => close?.());

  const plan = async () => {
    const statement = await listingStatement(db, 'reader', { search: parseSearchQuery('kubernetes'), sort: 'newest', limit: 11 }, 'id');
    const { rows } = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${statement.text}`, statement.params);
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  };
  const reltuples = async () => Number((await db.query<{ reltuples: number }>(`SELECT reltuples FROM pg_class WHERE oid = 'links'::regclass`)).rows[0]!.reltuples);

  test('analyses after 50 + 10% of the rows changed; then the first page of a search walks the newest-first index', async () => {
    const statistics = new LinkStatistics(db);
    assert.equal(statistics.alone, true);
    await statistics.start();
    await db.query(
      `INSERT INTO links (username, url, title, created_at, updated_at)
       SELECT 'reader', 'https://s.example/' || n, CASE WHEN n % 10 = 0 THEN 'kubernetes ' ELSE 'other ' END || n, now(), now()
       FROM generate_series(1, 3000) n`,
    );
    for (let i = 0; i < 49; i++) statistics.changed();
    await statistics.settled();
    assert.ok((await reltuples()) <= 0, 'not yet: 49 changes');
    statistics.changed();
    await statistics.settled();
    assert.equal(await reltuples(), 3000);
    assert.match(await plan(), /Index Scan using links_by_user_created/);
    // Now 50 + 10% of 3,000 changes are needed for the next.
    await db.query(`INSERT INTO links (username, url, title, created_at, updated_at) SELECT 'reader', 'https://t.example/' || n, 't', now(), now() FROM generate_series(1, 100) n`);
    statistics.changed(300);
    await statistics.settled();
    assert.equal(await reltuples(), 3000, 'not yet: 300 changes');
    statistics.changed(50);
    await statistics.settled();
    assert.equal(await reltuples(), 3100);
  });

  test('a narrow query of two words finds its few links in one scan of one index; one common word walks newest first', async () => {
    // Word a in 1 of 20 links, word b in 1 of 11: both in 13 of 3,000, the 11th of them ~2,300 links deep.
    await db.query(
      `INSERT INTO links (username, url, title, created_at, updated_at)
       SELECT 'narrow', 'https://n.example/' || n, 'topic' || (n % 20) || 'x kind' || (n % 11) || 'y', now() - n * interval '1 minute', now()
       FROM generate_series(1, 3000) n`,
    );
    const statistics = new LinkStatistics(db);
    statistics.changed(10_000);
    await statistics.settled();
    const store = new SqlLinkStore(db);
    const planOf = async (q: string) => {
      const statement = await listingStatement(db, 'narrow', { search: parseSearchQuery(q), sort: 'newest', limit: 11 }, 'id');
      return (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${statement.text}`, statement.params)).rows.map((row) => row['QUERY PLAN']).join('\n');
    };
    const narrow = await planOf('topic3x kind5y');
    assert.match(narrow, /Bitmap Index Scan on links_search\s/);
    // Of the links, one index read (the page's health is then read by primary key).
    const linkScans = narrow.split('\n').filter((line) => /Index Scan/.test(line) && !/link_health/.test(line));
    assert.equal(linkScans.length, 1, narrow);
    assert.match(narrow, /Index Scan using link_health_pkey/);
    assert.match(await planOf('topic3x'), /Index Scan using links_by_user_created/);
    const found = await store.list('narrow', { search: parseSearchQuery('pic3x ind5y'), sort: 'newest', limit: 100 });
    assert.equal(found.length, 13, 'substrings of the two tokens');
  });

  test('reclaims the dead row versions that updates leave (no autovacuum does it on PGlite)', async () => {
    await db.query(`INSERT INTO links (username, url, title, created_at, updated_at) SELECT 'dead', 'https://d.example/' || n, 'd', now(), now() FROM generate_series(1, 300) n`);
    // An edit updates links; a check result, the link's health (migration 018).
    await db.query(`UPDATE links SET title = 'edited' WHERE username = 'dead'`);
    await db.query(`UPDATE link_health SET status = 'valid', checked_at = now() WHERE link_id IN (SELECT id FROM links WHERE username = 'dead')`);
    const dead = async (table: string) => {
      await db.query('SELECT pg_stat_force_next_flush()');
      return Number((await db.query<{ n: string }>(`SELECT n_dead_tup AS n FROM pg_stat_user_tables WHERE relid = $1::regclass`, [table])).rows[0]!.n);
    };
    for (const table of ['links', 'link_health']) assert.ok((await dead(table)) >= 300, `each update of ${table} left a dead version`);
    const statistics = new LinkStatistics(db);
    statistics.changed(10_000);
    await statistics.settled();
    assert.deepEqual([await dead('links'), await dead('link_health')], [0, 0]);
  });

  test('merges the GIN indexes\' pending lists (no autovacuum does it on PGlite)', async () => {
    /** Pages moved out of the GIN pending lists of the links and their vocabulary now (gin_clean_pending_list answers that). */
    const merge = async () =>
      (await db.query<{ pages: number }>(
        `SELECT coalesce(sum(gin_clean_pending_list(i.indexrelid)), 0)::int AS pages FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
         JOIN pg_am a ON a.oid = c.relam WHERE i.indrelid IN ('links'::regclass, 'search_vocabulary'::regclass) AND a.amname = 'gin'`,
      )).rows[0]!.pages;
    const insert = (from: number) =>
      db.query(`INSERT INTO links (username, url, title, created_at, updated_at) SELECT 'pending', 'https://g.example/' || n, 'zebra ' || n, now(), now() FROM generate_series($1::int, $1::int + 499) n`, [from]);
    await insert(1);
    const statistics = new LinkStatistics(db);
    await statistics.start();
    statistics.changed(10_000);
    await statistics.settled();
    assert.equal(await merge(), 0, 'merged with the ANALYZE');
    await insert(1000);
    assert.ok((await merge()) > 0, 'new links wait in the pending lists until merged');
  });

  test('embedded, it waits for the saves to pause, and no longer than maxDelayMs', async () => {
    const rowsNow = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM links')).rows[0]!.n);
    const insert = (label: string) =>
      db.query(`INSERT INTO links (username, url, title, created_at, updated_at) SELECT 'quiet', 'https://${label}.example/' || n, 'q', now(), now() FROM generate_series(1, 200) n`);
    // A save every ~50 ms is never a pause of 1 s, even on a loaded machine.
    const statistics = new LinkStatistics(db, undefined, undefined, { quietMs: 1000, maxDelayMs: 4000 });
    /** Saves every 50 ms for `ms`; answers whether the statistics were made meanwhile. */
    const savesFor = async (ms: number, expected: number) => {
      for (const started = performance.now(); performance.now() - started < ms; ) {
        statistics.changed(10_000);
        await new Promise((resolve) => setTimeout(resolve, 50));
        if ((await reltuples()) === expected) return true;
      }
      return false;
    };

    await insert('pause');
    let expected = await rowsNow();
    assert.equal(await savesFor(2500, expected), false, 'not while the saves go on');
    const lastSave = performance.now();
    await statistics.settled();
    assert.equal(await reltuples(), expected, 'made once they paused');
    assert.ok(performance.now() - lastSave >= 900, 'after the pause');

    await insert('busy');
    expected = await rowsNow();
    assert.equal(await savesFor(10_000, expected), true, 'made under saves that never pause, after maxDelayMs');
    await statistics.settled();

    await insert('stopped');
    statistics.changed(10_000);
    await statistics.stop();
    assert.notEqual(await reltuples(), await rowsNow(), 'stopped while waiting: nothing after stop()');
  });

  test('at start, only a table never analysed is analysed: a restart reads the row count', async () => {
    const started = async (reltuples: number) => {
      const queries: string[] = [];
      const fake = { kind: 'pglite', query: async (text: string) => (queries.push(text.split(' ')[0]!), { rows: [{ reltuples }], rowCount: 1 }) };
      await new LinkStatistics(fake as never).start();
      return queries;
    };
    assert.deepEqual(await started(-1), ['SELECT', 'VACUUM', 'SELECT'], 'never analysed (a first start, an upgrade): vacuumed and analysed');
    assert.deepEqual(await started(10_000), ['SELECT'], 'a restart');
  });

  test('on PostgreSQL (autovacuum) nothing at start, and the same threshold after writes', async () => {
    const queries: string[] = [];
    const statistics = new LinkStatistics({ kind: 'postgres', query: async (text: string) => (queries.push(text), { rows: [], rowCount: 0 }) } as never);
    assert.equal(statistics.alone, false);
    await statistics.start();
    assert.deepEqual(queries, ["SELECT reltuples FROM pg_class WHERE oid = 'links'::regclass"], 'autovacuum made the statistics of what was there');
    statistics.changed(49);
    await statistics.settled();
    assert.equal(queries.length, 1, 'under 50 + 10% of the rows');
    statistics.changed(1);
    await statistics.settled();
    assert.equal(queries[1], 'ANALYZE links, link_health, search_vocabulary');
  });
});
