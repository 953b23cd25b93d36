/** Every LinkStore contract, against memory, PGlite and PostgreSQL. */
import assert from 'node:assert/strict';
import * as delinkciousDb from '@delinkcious/db';
import type { LinkEvent } from '@delinkcious/object-model';
import { storeDatabases } from '@delinkcious/testing';
import { migrationsDir } from '../src/main.ts';
import { MemoryLinkStore } from '../src/stores/memory-link-store.ts';
import { SqlLinkStore } from '../src/stores/sql-link-store.ts';
import { linkStoreContract, type StoreFixture } from './support/link-store-contract.ts';
import { privateLinksContract } from './support/private-links-contract.ts';

const databases = await storeDatabases({ db: delinkciousDb, migrationsDir, label: 'link_manager', prefix: 'test_links' });
const stores: Array<{ name: string; open: () => Promise<StoreFixture>; skip: string | false }> = [
  {
    name: 'memory',
    skip: false,
    async open() {
      const store = new MemoryLinkStore();
      return { store, events: async () => store.outbox, close: async () => {} };
    },
  },
  ...databases.map(({ name, skip, open }) => ({
    name,
    skip,
    async open() {
      const { db, close } = await open();
      return {
        store: new SqlLinkStore(db),
        async events() {
          const { rows } = await db.query<{ subject: string; payload: LinkEvent }>('SELECT subject, payload FROM outbox ORDER BY id');
          for (const row of rows) assert.equal(row.subject, row.payload.type, 'published under the event type');
          return rows.map((row) => row.payload);
        },
        close,
      };
    },
  })),
];

for (const { name, open, skip } of stores) {
  linkStoreContract(name, open, { skip });
  privateLinksContract(name, open, { skip });
}
