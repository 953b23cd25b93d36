import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { UnavailableError } from '@delinkcious/object-model';
import { createTemporaryDatabase, externalService } from '@delinkcious/testing';
import { ensureDatabase, migrate, openDatabase, openPglite, openPostgres, type Database, type Migration } from '../src/index.ts';

const migrations: Migration[] = [
  { version: 1, name: 'things', sql: 'CREATE TABLE things (id int PRIMARY KEY, name text NOT NULL);' },
  { version: 2, name: 'more', sql: 'ALTER TABLE things ADD COLUMN size int; CREATE INDEX things_size ON things (size);' },
];

function databaseSuite(name: string, open: () => Promise<{ db: Database; close: () => Promise<void> }>, skip: string | false = false) {
  describe(`Database: ${name}`, { skip }, () => {
    test('migrations apply in order, once; a rerun applies nothing', async () => {
      const { db, close } = await open();
      try {
        assert.deepEqual(await migrate(db, [migrations[1]!, migrations[0]!]), [1, 2]);
        assert.deepEqual(await migrate(db, migrations), []);
        await db.query('INSERT INTO things (id, name, size) VALUES ($1, $2, $3)', [1, 'a', 3]);
        const { rows } = await db.query<{ name: string; size: number }>('SELECT name, size FROM things');
        assert.deepEqual(rows, [{ name: 'a', size: 3 }]);
      } finally {
        await close();
      }
    });

    test('an up-to-date database is checked with one read: no transaction, no lock', async () => {
      const { db, close } = await open();
      try {
        await migrate(db, migrations);
        let transactions = 0;
        const counted: Database = { ...db, transaction: (fn) => (transactions++, db.transaction(fn)) };
        assert.deepEqual(await migrate(counted, migrations), []);
        assert.equal(transactions, 0);
        // One more migration: the full path again.
        assert.deepEqual(await migrate(counted, [...migrations, { version: 3, name: 'third', sql: 'CREATE TABLE third (id int);' }]), [3]);
        assert.equal(transactions, 1);
      } finally {
        await close();
      }
    });

    test('a migration edited after it was applied is refused', async () => {
      const { db, close } = await open();
      try {
        await migrate(db, [migrations[0]!]);
        await assert.rejects(
          migrate(db, [{ ...migrations[0]!, sql: 'CREATE TABLE things (id bigint);' }]),
          /migration 1_things was changed after it was applied/,
        );
      } finally {
        await close();
      }
    });

    test('a failing migration applies nothing of the run', async () => {
      const { db, close } = await open();
      try {
        await assert.rejects(migrate(db, [migrations[0]!, { version: 2, name: 'broken', sql: 'ALTER TABLE nope ADD COLUMN x int;' }]));
        const { rows } = await db.query("SELECT to_regclass('things') AS t");
        assert.equal((rows[0] as { t: unknown }).t, null);
      } finally {
        await close();
      }
    });

    test('values come back as they went, however long the answer: multi-byte text, 4 MB of it, arrays, times, JSON, null', async () => {
      const { db, close } = await open();
      try {
        await db.exec('CREATE TABLE v (id int PRIMARY KEY, body text, tags text[], at timestamptz, doc jsonb)');
        const words = 'naïve café 東京 🦊 '.repeat(200_000); // ~4.6 MB of UTF-8: PGlite hands it over in many chunks
        const at = new Date('2026-12-05T10:20:30.456Z');
        await db.query('INSERT INTO v VALUES ($1, $2, $3, $4, $5)', [1, words, ['ä', 'b,c', '"q"'], at, JSON.stringify({ k: 'ü', n: [1, 2] })]);
        await db.query('INSERT INTO v (id) SELECT generate_series(2, 3000)');
        const { rows } = await db.query<{ id: number; body: string | null; tags: string[] | null; at: Date | null; doc: unknown }>('SELECT * FROM v ORDER BY id');
        assert.equal(rows.length, 3000);
        assert.equal(rows[0]!.body, words);
        assert.deepEqual(rows[0]!.tags, ['ä', 'b,c', '"q"']);
        assert.equal(rows[0]!.at?.toISOString(), at.toISOString());
        assert.deepEqual(rows[0]!.doc, { k: 'ü', n: [1, 2] });
        assert.deepEqual(rows[2999], { id: 3000, body: null, tags: null, at: null, doc: null });
      } finally {
        await close();
      }
    });

    test('rowCount is the rows written, or the rows returned', async () => {
      const { db, close } = await open();
      try {
        await db.exec('CREATE TABLE c (n int)');
        assert.equal((await db.query('INSERT INTO c SELECT generate_series(1, 5)')).rowCount, 5);
        assert.equal((await db.query('UPDATE c SET n = n + 1 WHERE n > $1', [2])).rowCount, 3);
        assert.deepEqual(await db.query('DELETE FROM c WHERE n > 5 RETURNING n'), { rows: [{ n: 6 }], rowCount: 1 });
        assert.deepEqual(await db.query('SELECT n FROM c WHERE n < 3 ORDER BY n'), { rows: [{ n: 1 }, { n: 2 }], rowCount: 2 });
        assert.deepEqual(await db.query('SELECT n FROM c WHERE n > 100'), { rows: [], rowCount: 0 });
      } finally {
        await close();
      }
    });

    test("a failed statement raises pg's DatabaseError with its SQLSTATE and constraint; the connection goes on", async () => {
      const { db, close } = await open();
      try {
        await db.exec('CREATE TABLE u (name text CONSTRAINT u_name UNIQUE)');
        await db.query('INSERT INTO u VALUES ($1)', ['a']);
        const failed = await db.query('INSERT INTO u VALUES ($1)', ['a']).then(
          () => assert.fail('a duplicate was inserted'),
          (error: unknown) => error,
        );
        assert.ok(failed instanceof pg.DatabaseError, 'the driver\'s error class');
        assert.equal(failed.code, '23505');
        assert.equal(failed.constraint, 'u_name');
        assert.match(failed.message, /duplicate key value violates unique constraint "u_name"/);
        await assert.rejects(db.exec('SELECT * FROM nowhere'), (error: unknown) => error instanceof pg.DatabaseError && error.code === '42P01');
        assert.deepEqual((await db.query('SELECT count(*)::int AS n FROM u')).rows, [{ n: 1 }]);
      } finally {
        await close();
      }
    });

    test('a transaction commits on success and rolls back on error', async () => {
      const { db, close } = await open();
      try {
        await db.exec('CREATE TABLE t (v int)');
        await db.transaction(async (tx) => void (await tx.query('INSERT INTO t VALUES (1)')));
        await assert.rejects(
          db.transaction(async (tx) => {
            await tx.query('INSERT INTO t VALUES (2)');
            throw new Error('abort');
          }),
          /abort/,
        );
        const { rows, rowCount } = await db.query<{ v: number }>('SELECT v FROM t');
        assert.deepEqual(rows, [{ v: 1 }]);
        assert.equal(rowCount, 1);
        assert.equal((await db.query('UPDATE t SET v = 5')).rowCount, 1);
      } finally {
        await close();
      }
    });
  });
}

databaseSuite('PGlite', async () => {
  const db = await openPglite('memory://');
  return { db, close: () => db.close() };
});

const postgres = await externalService('TEST_DATABASE_URL');
databaseSuite(
  'PostgreSQL',
  async () => {
    const temp = await createTemporaryDatabase(postgres.url!, 'test_db');
    const db = await openPostgres({ url: temp.url, label: 'test' });
    return { db, close: async () => (await db.close(), await temp.drop()) };
  },
  postgres.skip,
);

describe('PGlite persistence', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pglite-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('data under DATA_DIR survives a restart', async () => {
    const first = await openDatabase({ database: 'link_manager', dataDir: dir });
    await migrate(first, [migrations[0]!]);
    await first.query('INSERT INTO things VALUES (1, $1)', ['kept']);
    await first.close();
    const second = await openDatabase({ database: 'link_manager', dataDir: dir });
    const { rows } = await second.query('SELECT name FROM things');
    assert.deepEqual(rows, [{ name: 'kept' }]);
    assert.equal(second.kind, 'pglite');
    await second.close();
  });
});

describe('PostgreSQL server', { skip: postgres.skip }, () => {
  test('DATABASE_URL: the service database is created when missing, and found when present', async () => {
    const name = `test_ensure_${Date.now().toString(36)}`;
    const url = await ensureDatabase(postgres.url!, name);
    assert.equal(new URL(url).pathname, `/${name}`);
    assert.equal(await ensureDatabase(postgres.url!, name), url);
    const db = await openDatabase({ database: name, serverUrl: postgres.url!, dataDir: '/nonexistent' });
    assert.equal(db.kind, 'postgres');
    await db.close();
    const admin = new pg.Client({ connectionString: postgres.url! });
    await admin.connect();
    await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
    await admin.end();
  });

  test('replicas migrating at once apply each migration exactly once', async () => {
    const temp = await createTemporaryDatabase(postgres.url!, 'test_race');
    const dbs = await Promise.all([1, 2, 3].map(() => openPostgres({ url: temp.url, label: 'race' })));
    try {
      const applied = await Promise.all(dbs.map((db) => migrate(db, migrations)));
      assert.deepEqual(applied.flat().sort(), [1, 2]);
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
      await temp.drop();
    }
  });
});

test('an unreachable PostgreSQL is UnavailableError naming the database and keeping the driver\'s error, not a hang', async () => {
  const db = await openPostgres({ url: 'postgres://nobody@127.0.0.1:1/none', label: 'link_manager', connectTimeoutMs: 1000 });
  await assert.rejects(db.query('SELECT 1'), (error: Error) =>
    error instanceof UnavailableError && error.message === 'the link_manager database is unavailable' && error.cause instanceof Error);
  await assert.rejects(db.ping(), UnavailableError);
  await db.close();
});
