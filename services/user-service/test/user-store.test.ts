/** Every UserStore contract, against memory, PGlite and PostgreSQL. */
import * as delinkciousDb from '@delinkcious/db';
import { storeDatabases } from '@delinkcious/testing';
import { migrationsDir } from '../src/main.ts';
import { MemoryUserStore } from '../src/stores/memory-user-store.ts';
import { keptSettings, SqlUserStore } from '../src/stores/sql-user-store.ts';
import { peopleAndFeedsStoreContract } from './support/people-and-feeds-store-contract.ts';
import { settingsStoreContract } from './support/settings-store-contract.ts';
import { userStoreContract, type StoreFixture } from './support/user-store-contract.ts';

const databases = await storeDatabases({ db: delinkciousDb, migrationsDir, label: 'user_manager', prefix: 'test_users' });
const stores: Array<{ name: string; open: () => Promise<StoreFixture>; skip: string | false }> = [
  { name: 'memory', skip: false, open: async () => ({ store: new MemoryUserStore(), close: async () => {} }) },
  ...databases.flatMap(({ name, skip, open }) => [
    {
      name,
      skip,
      async open() {
        const { db, close } = await open();
        return { store: new SqlUserStore(db), close };
      },
    },
    // Embedded, user-service keeps settings between writes (read-cache.ts): every contract holds with it too.
    ...(name === 'PGlite'
      ? [
          {
            name: 'PGlite, settings kept',
            skip,
            async open() {
              const { db, close } = await open();
              const counted = delinkciousDb.countingWrites(db);
              return { store: new SqlUserStore(counted, keptSettings(counted.generation)), close };
            },
          },
        ]
      : []),
  ]),
];

for (const { name, open, skip } of stores) {
  userStoreContract(name, open, { skip });
  peopleAndFeedsStoreContract(name, open, { skip });
  settingsStoreContract(name, open, { skip });
}
