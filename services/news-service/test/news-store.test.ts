import { after } from 'node:test';
import { loadMigrations, migrate, openPglite, openPostgres, type Database } from '@delinkcious/db';
import { createTemporaryDatabase, externalService } from '@delinkcious/testing';
import { migrationsDir } from '../src/main.ts';
import { MemoryNewsStore } from '../src/stores/memory-news-store.ts';
import { SqlNewsStore } from '../src/stores/sql-news-store.ts';
import { newsStoreContract } from './support/news-store-contract.ts';
import { redisStoreFixture } from './support/news-harness.ts';

async function sqlFixture(db: Database, feedMax: number, cleanup: () => Promise<void> = async () => {}) {
  await migrate(db, await loadMigrations(migrationsDir));
  const store = new SqlNewsStore(db, { feedMax });
  return {
    store,
    async close() {
      await store.close();
      await cleanup();
    },
  };
}

newsStoreContract('memory', async ({ feedMax }) => ({ store: new MemoryNewsStore({ feedMax }), close: async () => {} }));

// One PGlite for the suite (opening one takes seconds), emptied between tests.
let pglite: Promise<Database> | undefined;
after(async () => (await pglite)?.close());
newsStoreContract('PGlite', async ({ feedMax }) => {
  pglite ??= openPglite('memory://').then(async (db) => {
    await migrate(db, await loadMigrations(migrationsDir));
    return db;
  });
  const db = await pglite;
  return { store: new SqlNewsStore(db, { feedMax }), close: () => db.exec('TRUNCATE news_feed, news_delivered') };
}, { oneStepDelivery: true });

const postgres = await externalService('TEST_DATABASE_URL');
newsStoreContract(
  'PostgreSQL',
  async ({ feedMax }) => {
    const temp = await createTemporaryDatabase(postgres.url!, 'test_news');
    return sqlFixture(await openPostgres({ url: temp.url, label: 'news_manager' }), feedMax, () => temp.drop());
  },
  { skip: postgres.skip, oneStepDelivery: true },
);

const redis = await externalService('TEST_REDIS_URL');
newsStoreContract(
  'Redis',
  ({ feedMax }) => redisStoreFixture(redis.url!, feedMax, 'news'),
  { skip: redis.skip },
);
