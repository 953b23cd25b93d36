/** The listing cache (docs/design.md §13): reads never empty it, writes always do; a kept listing's page is shared. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { countingWrites, type Database } from '@delinkcious/db';
import { isImmutable } from '@delinkcious/kit';
import { parseSearchQuery } from '@delinkcious/object-model';
import { DefaultLinkManager } from '../src/manager.ts';
import { MemoryLinkStore } from '../src/stores/memory-link-store.ts';
import { ListingCache } from '../src/stores/page-cache.ts';
import { SqlLinkStore } from '../src/stores/sql-link-store.ts';
import type { StoreFixture } from './support/link-store-contract.ts';
import { linkStores } from './support/link-stores.ts';

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

describe('pages of kept listings (embedded)', () => {
  let fixture: StoreFixture;
  let manager: DefaultLinkManager;
  before(async () => {
    const cached = (await linkStores('test_page_share')).find((choice) => choice.name === 'PGlite, listings cached')!;
    fixture = await cached.open();
    manager = new DefaultLinkManager({ store: fixture.store, onChange: () => {}, maxLinksPerUser: 1000 });
    for (const n of [1, 2, 3]) await manager.addLink({ username: 'alice', url: `https://a.example/${n}`, title: `A ${n}`, tags: ['x'] });
  });
  after(async () => fixture?.close());

  test('a listing read again gives the same page, immutable, until a write', async () => {
    const first = await manager.getLinks({ username: 'alice', limit: 2 });
    assert.ok(isImmutable(first) && isImmutable(first.links[0]!.createdAt), 'shared, not copied, by in-process callers');
    assert.throws(() => first.links[0]!.createdAt.setTime(0), TypeError);
    assert.equal(await manager.getLinks({ username: 'alice', limit: 2 }), first);
    assert.deepEqual(first.links.map((link) => link.url), ['https://a.example/3', 'https://a.example/2']);
    assert.notEqual(first.nextPageToken, '');

    const other = await manager.getLinks({ username: 'alice', limit: 3 });
    assert.notEqual(other, first, 'another page size is another page');
    assert.equal(other.links.length, 3);
    const filtered = await manager.getLinks({ username: 'alice', limit: 2, urlRegex: 'a' });
    assert.equal(isImmutable(filtered), false, 'a filtered page is made for its request');

    await manager.addLink({ username: 'alice', url: 'https://a.example/4', title: 'A 4' });
    const after = await manager.getLinks({ username: 'alice', limit: 2 });
    assert.notEqual(after, first);
    assert.deepEqual(after.links.map((link) => link.url), ['https://a.example/4', 'https://a.example/3']);
    assert.deepEqual(first.links.map((link) => link.url), ['https://a.example/3', 'https://a.example/2'], 'the page handed out before is as it was');
  });

  test('without kept listings every read is a page of its own', async () => {
    const memory = new DefaultLinkManager({ store: new MemoryLinkStore(), onChange: () => {}, maxLinksPerUser: 1000 });
    await memory.addLink({ username: 'alice', url: 'https://a.example/1', title: 'A 1' });
    const first = await memory.getLinks({ username: 'alice', limit: 2 });
    assert.equal(isImmutable(first), false);
    assert.notEqual(await memory.getLinks({ username: 'alice', limit: 2 }), first);
  });
});
