import assert from 'node:assert/strict';
import fs, { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { PGlite } from '@electric-sql/pglite';
import { createPglite } from '../src/index.ts';

const scratch = mkdtempSync(join(tmpdir(), 'delinkcious-file-sizes-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** What PostgreSQL takes each relation's length for, next to its file's size on disk. */
async function lengths(db: PGlite, folder: string, relations: string[]): Promise<Array<{ relation: string; postgres: number; disk: number }>> {
  const out = [];
  for (const relation of relations) {
    const { rows } = await db.query<{ size: number; path: string }>('SELECT pg_relation_size($1::regclass)::int AS size, pg_relation_filepath($1::regclass) AS path', [relation]);
    const { size, path } = rows[0]!;
    out.push({ relation, postgres: size, disk: statSync(join(folder, path)).size });
  }
  return out;
}

function assertSame(found: Array<{ relation: string; postgres: number; disk: number }>, when: string): void {
  for (const { relation, postgres, disk } of found) assert.equal(postgres, disk, `${relation} ${when}: PostgreSQL's length is the file's`);
}

test("PostgreSQL's idea of each file's length stays the file's own as tables grow, shrink, are truncated and reopened", async () => {
  const folder = join(scratch, 'grow');
  const relations = ['items', 'items_pkey', 'items_by_text'];
  let db = await createPglite(folder);
  await db.exec('CREATE TABLE items (id serial PRIMARY KEY, text text); CREATE INDEX items_by_text ON items (text)');
  for (let round = 0; round < 3; round++) {
    await db.query("INSERT INTO items (text) SELECT repeat(md5(n::text), 8) FROM generate_series(1, 2000) AS n");
    assertSame(await lengths(db, folder, relations), `after insert ${round + 1}`);
  }
  const grown = (await lengths(db, folder, ['items']))[0]!.disk;

  // VACUUM cuts the table's empty pages off its end.
  await db.exec('DELETE FROM items WHERE id > 100');
  await db.exec('VACUUM items');
  const shrunk = await lengths(db, folder, relations);
  assertSame(shrunk, 'after VACUUM');
  assert.ok(shrunk[0]!.disk < grown / 10, `the table's file shrank (${grown} → ${shrunk[0]!.disk} bytes)`);
  await db.query("INSERT INTO items (text) SELECT 'again' FROM generate_series(1, 500)");
  assertSame(await lengths(db, folder, relations), 'after growing again');

  await db.exec('TRUNCATE items');
  assertSame(await lengths(db, folder, relations), 'after TRUNCATE');
  await db.query("INSERT INTO items (text) SELECT 'after truncate' FROM generate_series(1, 300)");
  assertSame(await lengths(db, folder, relations), 'after TRUNCATE and insert');
  await db.close();

  db = await createPglite(folder);
  assert.deepEqual((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM items')).rows, [{ n: 300 }]);
  await db.query("INSERT INTO items (text) SELECT 'reopened' FROM generate_series(1, 300)");
  assertSame(await lengths(db, folder, relations), 'reopened');
  assert.deepEqual((await db.query<{ n: number }>("SELECT count(*)::int AS n FROM items WHERE text = 'reopened'")).rows, [{ n: 300 }]);
  await db.close();
});

test('planning and scanning a table ask the OS for no file size once it is known', async () => {
  const db = await createPglite(join(scratch, 'asks'));
  await db.exec("CREATE TABLE items (id serial PRIMARY KEY, text text); INSERT INTO items (text) SELECT 'x' FROM generate_series(1, 100)");
  await db.query('SELECT count(*) FROM items');
  const fstatSync = fs.fstatSync;
  let asked = 0;
  fs.fstatSync = ((...args: Parameters<typeof fstatSync>) => {
    asked++;
    return fstatSync(...args);
  }) as typeof fstatSync;
  try {
    for (let i = 0; i < 50; i++) await db.query(`SELECT count(*) FROM items WHERE id > ${i}`);
  } finally {
    fs.fstatSync = fstatSync;
  }
  // Unpatched, each of the 50 asks at least twice (the table and its index while planning).
  assert.ok(asked < 5, `fstat was called ${asked} times for 50 statements`);
  await db.close();
});
