/** The one embedded instance: a schema per service, no service reaching another's, one queue, opened once. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { acquireEmbeddedInstance, embeddedFolder, migrate, openDatabase, planEachCall, sqlState, type Database } from '../src/index.ts';

const base = mkdtempSync(join(tmpdir(), 'embedded-db-'));
after(() => rmSync(base, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(base, `d${dirs++}`);

const open = (dataDir: string, database: string) => openDatabase({ database, dataDir });

describe('one embedded instance, a schema per service', () => {
  test('each service writes into its own schema, and cannot read or write another\'s, qualified or not', async () => {
    const dataDir = freshDir();
    const links = await open(dataDir, 'link_manager');
    const users = await open(dataDir, 'user_manager');
    try {
      await migrate(links, [{ version: 1, name: 'links', sql: 'CREATE TABLE links (id int PRIMARY KEY, url text NOT NULL);' }]);
      await migrate(users, [{ version: 1, name: 'users', sql: 'CREATE TABLE users (username text PRIMARY KEY);' }]);
      await links.query('INSERT INTO links VALUES (1, $1)', ['https://a.example']);
      await users.query('INSERT INTO users VALUES ($1)', ['alice']);

      const where = await links.query<{ schemaname: string; tablename: string; tableowner: string }>(
        "SELECT schemaname, tablename, tableowner FROM pg_tables WHERE tablename IN ('links', 'users', 'schema_migrations') ORDER BY 1, 2",
      );
      assert.deepEqual(where.rows, [
        { schemaname: 'link_manager', tablename: 'links', tableowner: 'link_manager' },
        { schemaname: 'link_manager', tablename: 'schema_migrations', tableowner: 'link_manager' },
        { schemaname: 'user_manager', tablename: 'schema_migrations', tableowner: 'user_manager' },
        { schemaname: 'user_manager', tablename: 'users', tableowner: 'user_manager' },
      ]);

      const denied = async (db: Database, sql: string, state: string) =>
        assert.rejects(db.query(sql), (error: unknown) => sqlState(error) === state || assert.fail(`${sql}: ${String(error)}`));
      await denied(links, 'SELECT * FROM user_manager.users', '42501'); // permission denied for schema
      await denied(links, "INSERT INTO user_manager.users VALUES ('mallory')", '42501');
      await denied(links, 'SELECT * FROM users', '42P01'); // not on its search_path: no such table
      await denied(users, 'SELECT * FROM link_manager.links', '42501');
      await denied(users, 'SELECT * FROM public.pg_class_nope', '42501'); // nor the shared public schema
      await denied(users, 'CREATE TABLE public.spill (x int)', '42501');
      await denied(links, 'SELECT * FROM delinkcious_admin.upgraded_layouts', '42501');

      // Each handle's schema_migrations is its own.
      assert.deepEqual((await users.query('SELECT version FROM schema_migrations')).rows, [{ version: 1 }]);
      assert.deepEqual((await users.query('SELECT username FROM users')).rows, [{ username: 'alice' }]);
    } finally {
      await links.close();
      await users.close();
    }
  });

  test('interleaved statements and transactions of two services each run as their own service', async () => {
    const dataDir = freshDir();
    const a = await open(dataDir, 'link_manager');
    const b = await open(dataDir, 'news_manager');
    try {
      await a.exec('CREATE TABLE t (who text)');
      await b.exec('CREATE TABLE t (who text)');
      const work: Promise<unknown>[] = [];
      for (let i = 0; i < 50; i++) {
        work.push(a.query("INSERT INTO t VALUES ('a')"));
        work.push(b.transaction(async (tx) => tx.query("INSERT INTO t VALUES (current_user || '')")));
        work.push(a.query('SELECT current_user AS u').then(({ rows }) => assert.equal((rows[0] as { u: string }).u, 'link_manager')));
      }
      // A failing statement of one service leaves the connection usable, as the right role, for the next.
      work.push(assert.rejects(b.query('SELECT * FROM nope')));
      await Promise.all(work);
      assert.deepEqual((await a.query("SELECT count(*)::int AS n FROM t WHERE who = 'a'")).rows, [{ n: 50 }]);
      assert.deepEqual((await b.query("SELECT count(*)::int AS n FROM t WHERE who = 'news_manager'")).rows, [{ n: 50 }]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('a statement run again is prepared once per service: the same text reads each service\'s own table, and survives failures and DDL', async () => {
    const dataDir = freshDir();
    const a = await open(dataDir, 'link_manager');
    const b = await open(dataDir, 'news_manager');
    try {
      await a.exec("CREATE TABLE t (id int PRIMARY KEY, who text); INSERT INTO t VALUES (1, 'a')");
      await b.exec("CREATE TABLE t (id int PRIMARY KEY, who text); INSERT INTO t VALUES (1, 'b')");
      const read = 'SELECT who FROM t WHERE id = $1';
      const prepared = async (db: Database) =>
        (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = $1', [read])).rows[0]!.n;
      for (let i = 0; i < 5; i++) {
        assert.deepEqual((await a.query(read, [1])).rows, [{ who: 'a' }]);
        assert.deepEqual((await b.query(read, [1])).rows, [{ who: 'b' }]);
      }
      assert.equal(await prepared(a), 2, "one prepared statement per service, not the other's");
      const search = `${planEachCall}SELECT who FROM t WHERE id = $1`;
      for (let i = 0; i < 5; i++) assert.deepEqual((await a.query(search, [1])).rows, [{ who: 'a' }]);
      const named = await a.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = $1', [search]);
      assert.deepEqual(named.rows, [{ n: 0 }], 'a statement planned on each call is never prepared');

      // A failure after the parse (a duplicate key) keeps the statement; the next run uses it.
      const insert = 'INSERT INTO t VALUES ($1, $2)';
      await a.query(insert, [2, 'x']);
      await assert.rejects(a.query(insert, [2, 'y']), (error: unknown) => sqlState(error) === '23505');
      await a.query(insert, [3, 'z']);
      assert.deepEqual((await a.query('SELECT id FROM t ORDER BY id')).rows, [{ id: 1 }, { id: 2 }, { id: 3 }]);
      // Inside a failed transaction the parse itself fails: nothing is remembered that does not exist.
      await assert.rejects(
        a.transaction(async (tx) => {
          await assert.rejects(tx.query(insert, [1, 'dup']));
          await tx.query('SELECT 42 AS never_prepared_before');
        }),
      );
      for (let i = 0; i < 3; i++) assert.deepEqual((await a.query('SELECT 42 AS never_prepared_before')).rows, [{ never_prepared_before: 42 }]);

      // A migration changes the table: the prepared read is planned again, as PostgreSQL does.
      await a.exec('ALTER TABLE t ADD COLUMN extra int; CREATE INDEX t_who ON t (who)');
      assert.deepEqual((await a.query(read, [1])).rows, [{ who: 'a' }]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('queued work of the service on the connection goes first, in its order; another service waits at most 8 pieces', async () => {
    const dataDir = freshDir();
    const a = await open(dataDir, 'link_manager');
    const b = await open(dataDir, 'news_manager');
    try {
      const order: string[] = [];
      const run = (db: Database, label: string) => db.query('SELECT current_user AS u').then(() => order.push(label));
      await a.query('SELECT 1');
      // a0 takes the connection at once; b1 is then the oldest waiting, but a's queued work skips the role switch.
      const as = Array.from({ length: 21 }, (_, i) => `a${i}`);
      await Promise.all([run(a, 'a0'), run(b, 'b1'), ...as.slice(1).map((label) => run(a, label))]);
      assert.deepEqual(order, [...as.slice(0, 9), 'b1', ...as.slice(9)]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('the services of a process share one instance, opened once and closed with the last handle; data survives', async () => {
    const dataDir = freshDir();
    const first = await acquireEmbeddedInstance(dataDir);
    const second = await acquireEmbeddedInstance(dataDir);
    assert.equal(first.instance, second.instance);
    const db = await open(dataDir, 'user_manager');
    await db.exec("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('yes')");
    await first.release();
    await second.release();
    await db.close(); // the last user: the instance closes now
    const third = await acquireEmbeddedInstance(dataDir);
    assert.notEqual(third.instance, first.instance);
    await third.release();

    const again = await open(dataDir, 'user_manager');
    assert.deepEqual((await again.query('SELECT v FROM kept')).rows, [{ v: 'yes' }]);
    assert.equal(again.kind, 'pglite');
    await again.close();
    assert.ok(existsSync(join(dataDir, embeddedFolder, 'PG_VERSION')));
    assert.ok(!existsSync(join(dataDir, 'user_manager')), 'no folder per service');
  });

  test('autovacuum: a table past the thresholds is vacuumed and analysed, its dead rows gone; one under them is left', async () => {
    const dataDir = freshDir();
    const { instance, release } = await acquireEmbeddedInstance(dataDir);
    const db = await open(dataDir, 'news_manager');
    try {
      await db.exec(`CREATE TABLE churned (id int PRIMARY KEY, v text);
        CREATE TABLE calm (id int PRIMARY KEY);
        INSERT INTO churned SELECT n, 'x' FROM generate_series(1, 1000) AS n;
        INSERT INTO calm SELECT n FROM generate_series(1, 1000) AS n;`);
      await db.query('SELECT pg_stat_force_next_flush()');
      // The connection's queue is free a tick after the last answer: a round while it is busy is put off.
      const quiet = () => new Promise((resolve) => setImmediate(resolve));
      await quiet();
      assert.deepEqual((await instance.autovacuum.pass()).sort(), ['news_manager.calm', 'news_manager.churned'], 'new rows: both analysed');
      await db.query('DELETE FROM churned WHERE id <= 600');
      await db.query('DELETE FROM calm WHERE id <= 10');
      // Statistics reach the views at most once a second; a test asks for them now.
      await db.query('SELECT pg_stat_force_next_flush()');
      const dead = async (table: string) =>
        Number((await db.query<{ n: string }>('SELECT n_dead_tup AS n FROM pg_stat_user_tables WHERE relname = $1', [table])).rows[0]?.n);
      assert.equal(await dead('churned'), 600, 'the deletes are counted');

      await quiet();
      assert.deepEqual(await instance.autovacuum.pass(), ['news_manager.churned']);
      assert.equal(await dead('churned'), 0);
      assert.equal(await dead('calm'), 10, '10 dead of 1,000: under 50 + 20%');
      const planned = await db.query<{ reltuples: number }>("SELECT reltuples FROM pg_class WHERE relname = 'churned'");
      assert.equal(Number(planned.rows[0]?.reltuples), 400, 'the planner sees the rows left');
    } finally {
      await db.close();
      await release();
    }
  });

  test('an instance whose creation was interrupted is built again', async () => {
    const dataDir = freshDir();
    // What a crash during initdb leaves: a half-built side folder, nothing in place.
    mkdirSync(join(dataDir, `${embeddedFolder}.partial`, 'base'), { recursive: true });
    writeFileSync(join(dataDir, `${embeddedFolder}.partial`, 'base', 'junk'), 'x');
    const db = await open(dataDir, 'link_manager');
    await db.exec('CREATE TABLE t (v int)');
    await db.close();
    assert.ok(!existsSync(join(dataDir, `${embeddedFolder}.partial`)));
    assert.ok(existsSync(join(dataDir, embeddedFolder, 'PG_VERSION')));
  });
});
