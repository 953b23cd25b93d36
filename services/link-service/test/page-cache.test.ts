/** The listing cache (docs/design.md §13): reads never empty it, writes always do. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countingWrites, type Database } from '@delinkcious/db';
import { parseSearchQuery } from '@delinkcious/object-model';
import { ListingCache } from '../src/stores/page-cache.ts';
import { SqlLinkStore } from '../src/stores/sql-link-store.ts';

/** A database answering no rows, that keeps the statements it was sent. */
function recording(): Database & { sent: string[] } {
  const sent: string[] = [];
  const answer = async (text: string) => (sent.push(text), { rows: [], rowCount: 0 });
  return { kind: 'pglite', sent, query: answer as Database['query'], exec: async (sql) => void (await answer(sql)), transaction: async (fn) => fn({ query: answer as Database['query'], exec: async () => {} }), ping: async () => {}, close: async () => {} };
}

test('a search read twice asks the database once, until a write', async () => {
  const db = recording();
  const counted = countingWrites(db);
  const store = new SqlLinkStore(counted, new ListingCache(counted.generation));
  const query = { search: parseSearchQuery('kubernetes tutorial -#odd'), limit: 11 };
  await store.list('alice', query);
  assert.equal(db.sent.length, 2, 'the words\' tokens, then the page');
  await store.list('alice', query);
  assert.equal(db.sent.length, 2, 'from the cache');
  await counted.query('INSERT INTO links (url) VALUES ($1)', ['https://a.example/']);
  await store.list('alice', query);
  assert.equal(db.sent.length, 5, 'a write emptied it');
});
