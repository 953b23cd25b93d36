/** Answers kept between writes (read-cache.ts): reads never empty the cache, writes always do. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countingWrites, countingWritesWhenAlone, planEachCall, ReadCache, type Database } from '../src/index.ts';

/** A database answering no rows, that keeps the statements it was sent. */
function recording(): Database & { sent: string[] } {
  const sent: string[] = [];
  const answer = async (text: string) => (sent.push(text), { rows: [], rowCount: 0 });
  return { kind: 'pglite', sent, query: answer as Database['query'], exec: async (sql) => void (await answer(sql)), transaction: async (fn) => fn({ query: answer as Database['query'], exec: async () => {} }), ping: async () => {}, close: async () => {} };
}

test('reads, with or without leading comments, leave the generation; any other statement or a transaction moves it', async () => {
  const db = countingWrites(recording());
  const at = db.generation();
  await db.query('SELECT 1');
  await db.query(`${planEachCall}SELECT 1`);
  await db.query('  /* a */ /* b\n */ select 1');
  assert.equal(db.generation(), at);
  await db.query('/* a */ UPDATE links SET title = $1 /* b */ SELECT', ['x']);
  const afterUpdate = db.generation();
  assert.ok(afterUpdate > at);
  await db.transaction(async () => {});
  assert.ok(db.generation() > afterUpdate);
});

test('an answer is kept until a write; a load that a write overlapped is not kept', async () => {
  const db = countingWrites(recording());
  const cache = new ReadCache<number>(db.generation, 10);
  let loads = 0;
  const load = async () => ++loads;
  assert.equal(await cache.through('a', load), 1);
  assert.equal(await cache.through('a', load), 1, 'kept');
  await db.query('UPDATE t SET x = 1');
  assert.equal(await cache.through('a', load), 2, 'a write emptied it');
  // A write while the answer loads: the answer goes to its caller, but is not kept.
  assert.equal(await cache.through('b', async () => (await db.query('DELETE FROM t'), ++loads)), 3);
  assert.equal(await cache.through('b', load), 4);
  assert.equal(await cache.through('b', load), 4);
});

test('at most max answers, the least recently used dropped first; what is kept is keep(answer)', async () => {
  const db = countingWrites(recording());
  const cache = new ReadCache<{ n: number }>(db.generation, 2, (answer) => Object.freeze({ ...answer }));
  let loads = 0;
  const load = async () => ({ n: ++loads });
  const first = await cache.through('a', load);
  assert.equal(Object.isFrozen(first), true, 'the first caller gets the answer as kept');
  assert.equal(await cache.through('a', load), first, 'later callers share it');
  await cache.through('b', load);
  await cache.through('a', load); // a is now the most recently used
  await cache.through('c', load); // drops b
  assert.deepEqual(await cache.through('a', load), { n: 1 });
  assert.deepEqual(await cache.through('b', load), { n: 4 }, 'b was dropped, so it loads again');
  // A load a write overlapped is not kept: its caller gets it as loaded.
  assert.equal(Object.isFrozen(await cache.through('w', async () => (await db.query('DELETE FROM t'), { n: 0 }))), false);
});

test('writes are counted where this process alone writes the database: PGlite, not PostgreSQL', () => {
  assert.equal(typeof countingWritesWhenAlone(recording())?.generation, 'function');
  assert.equal(countingWritesWhenAlone({ ...recording(), kind: 'postgres' }), undefined);
});
