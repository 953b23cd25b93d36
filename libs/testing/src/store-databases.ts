/**
 * The SQL databases a service's store tests run against: PGlite in memory and
 * a fresh PostgreSQL database (TEST_DATABASE_URL, skipped or failing as
 * externalService says), each migrated with the service's own migrations.
 * One place, so every store contract meets the same databases set up the same way.
 *
 * The caller hands in @delinkcious/db (`import * as db from '@delinkcious/db'`)
 * rather than this package importing it: db's own tests use this package, and
 * the package graph has no cycles (test/architecture).
 */
import { externalService } from './external.ts';
import { createTemporaryDatabase } from './postgres.ts';

interface Closable {
  close(): Promise<void>;
}

/** What is used of @delinkcious/db. */
export interface DatabaseFunctions<D extends Closable, M> {
  openPglite(dataDir: string): Promise<D>;
  openPostgres(options: { url: string; label: string }): Promise<D>;
  loadMigrations(dir: string): Promise<M[]>;
  migrate(db: D, migrations: M[]): Promise<unknown>;
}

export interface TestDatabase<D> {
  db: D;
  /** Closes the database; a PostgreSQL one is dropped as well. */
  close(): Promise<void>;
}

export interface StoreDatabase<D> {
  name: 'PGlite' | 'PostgreSQL';
  open(): Promise<TestDatabase<D>>;
  /** Why tests on it are skipped; false when it is there. */
  skip: string | false;
}

export interface StoreDatabaseOptions<D extends Closable, M> {
  db: DatabaseFunctions<D, M>;
  migrationsDir: string;
  /** The service's database label ("link_manager"), named in its errors. */
  label: string;
  /** Start of each temporary PostgreSQL database's name. */
  prefix: string;
  /** false: left empty, for tests that migrate step by step themselves. Default true. */
  migrated?: boolean;
}

export async function storeDatabases<D extends Closable, M>({ db: functions, migrationsDir, label, prefix, migrated: applyMigrations = true }: StoreDatabaseOptions<D, M>): Promise<Array<StoreDatabase<D>>> {
  const migrated = async (db: D, drop: () => Promise<void> = async () => {}): Promise<TestDatabase<D>> => {
    if (applyMigrations) await functions.migrate(db, await functions.loadMigrations(migrationsDir));
    return {
      db,
      async close() {
        await db.close();
        await drop();
      },
    };
  };
  const postgres = await externalService('TEST_DATABASE_URL');
  return [
    { name: 'PGlite', skip: false, open: async () => migrated(await functions.openPglite('memory://')) },
    {
      name: 'PostgreSQL',
      skip: postgres.skip,
      async open() {
        const temp = await createTemporaryDatabase(postgres.url!, prefix);
        return migrated(await functions.openPostgres({ url: temp.url, label }), () => temp.drop());
      },
    },
  ];
}
