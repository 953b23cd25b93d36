import assert from 'node:assert/strict';
import type { LinkEvent } from '@delinkcious/object-model';
import { openPglite, openPostgres, loadMigrations, migrate, type Database } from '@delinkcious/db';
import { createTemporaryDatabase, externalService } from '@delinkcious/testing';
import { migrationsDir } from '../src/main.ts';
import { MemoryLinkStore } from '../src/stores/memory-link-store.ts';
import { SqlLinkStore } from '../src/stores/sql-link-store.ts';
import { linkStoreContract } from './support/link-store-contract.ts';

async function sqlFixture(db: Database, cleanup: () => Promise<void> = async () => {}) {
  await migrate(db, await loadMigrations(migrationsDir));
  return {
    store: new SqlLinkStore(db),
    async events() {
      const { rows } = await db.query<{ subject: string; payload: LinkEvent }>('SELECT subject, payload FROM outbox ORDER BY id');
      for (const row of rows) assert.equal(row.subject, row.payload.type, 'published under the event type');
      return rows.map((row) => row.payload);
    },
    async close() {
      await db.close();
      await cleanup();
    },
  };
}

linkStoreContract('memory', async () => {
  const store = new MemoryLinkStore();
  return { store, events: async () => store.outbox, close: async () => {} };
});

linkStoreContract('PGlite', async () => sqlFixture(await openPglite('memory://')));

const postgres = await externalService('TEST_DATABASE_URL');
linkStoreContract(
  'PostgreSQL',
  async () => {
    const temp = await createTemporaryDatabase(postgres.url!, 'test_links');
    return sqlFixture(await openPostgres({ url: temp.url, label: 'link_manager' }), () => temp.drop());
  },
  { skip: postgres.skip },
);
