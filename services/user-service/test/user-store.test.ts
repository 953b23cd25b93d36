import { openPglite, openPostgres, loadMigrations, migrate, type Database } from '@delinkcious/db';
import { createTemporaryDatabase, externalService } from '@delinkcious/testing';
import { migrationsDir } from '../src/main.ts';
import { MemoryUserStore } from '../src/stores/memory-user-store.ts';
import { SqlUserStore } from '../src/stores/sql-user-store.ts';
import { userStoreContract } from './support/user-store-contract.ts';

async function sqlFixture(db: Database, cleanup: () => Promise<void> = async () => {}) {
  await migrate(db, await loadMigrations(migrationsDir));
  return {
    store: new SqlUserStore(db),
    async close() {
      await db.close();
      await cleanup();
    },
  };
}

userStoreContract('memory', async () => ({ store: new MemoryUserStore(), close: async () => {} }));

userStoreContract('PGlite', async () => sqlFixture(await openPglite('memory://')));

const postgres = await externalService('TEST_DATABASE_URL');
userStoreContract(
  'PostgreSQL',
  async () => {
    const temp = await createTemporaryDatabase(postgres.url!, 'test_users');
    return sqlFixture(await openPostgres({ url: temp.url, label: 'user_manager' }), () => temp.drop());
  },
  { skip: postgres.skip },
);
