/** The stores every LinkStore contract runs against: memory, PGlite and PostgreSQL (the latter two migrated, empty). */
import assert from 'node:assert/strict';
import * as delinkciousDb from '@delinkcious/db';
import { countingWrites, type Database } from '@delinkcious/db';
import type { LinkEvent } from '@delinkcious/object-model';
import { storeDatabases } from '@delinkcious/testing';
import { migrationsDir } from '../../src/main.ts';
import { MemoryLinkStore } from '../../src/stores/memory-link-store.ts';
import { ListingCache } from '../../src/stores/page-cache.ts';
import { SqlLinkStore } from '../../src/stores/sql-link-store.ts';
import type { StoreFixture } from './link-store-contract.ts';

export interface LinkStoreChoice {
  name: string;
  skip: string | false;
  open: () => Promise<StoreFixture>;
}

/** `prefix` names the temporary PostgreSQL databases, one test file's own. */
export async function linkStores(prefix: string): Promise<LinkStoreChoice[]> {
  const databases = await storeDatabases({ db: delinkciousDb, migrationsDir, label: 'link_manager', prefix });
  return [
    {
      name: 'memory',
      skip: false,
      async open() {
        const store = new MemoryLinkStore();
        return { store, events: async () => store.outbox, close: async () => {} };
      },
    },
    ...databases.flatMap(({ name, skip, open }) => [
      { name, skip, open: () => sqlFixture(open, false) },
      // Embedded, link-service keeps listings between writes (page-cache.ts): every contract holds with it too.
      ...(name === 'PGlite' ? [{ name: 'PGlite, listings cached', skip, open: () => sqlFixture(open, true) }] : []),
    ]),
  ];
}

async function sqlFixture(open: () => Promise<{ db: Database; close: () => Promise<void> }>, cached: boolean): Promise<StoreFixture> {
  const { db: opened, close } = await open();
  const counted = cached ? countingWrites(opened) : undefined;
  const db = counted ?? opened;
  return {
    store: new SqlLinkStore(db, counted && new ListingCache(counted.generation)),
    async events() {
      const { rows } = await db.query<{ subject: string; payload: LinkEvent }>('SELECT subject, payload FROM outbox ORDER BY id');
      for (const row of rows) assert.equal(row.subject, row.payload.type, 'published under the event type');
      return rows.map((row) => row.payload);
    },
    close,
  };
}
