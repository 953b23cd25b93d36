/**
 * Which database a service uses (docs/design.md §1): its own URL
 * (`LINK_DATABASE_URL`, …), else its own database on the server `DATABASE_URL`
 * names (created when missing), else embedded PGlite under `DATA_DIR`.
 */
import { join } from 'node:path';
import type { Database } from './database.ts';
import { loadMigrations, migrate } from './migrate.ts';
import { ensureDatabase, openPostgres } from './postgres.ts';
import { openPglite } from './pglite.ts';

export interface DatabaseChoice {
  /** The service's database name, e.g. `link_manager`. */
  database: string;
  /** The service's own URL, when set. */
  url?: string | undefined;
  /** `DATABASE_URL`, a server on which the service uses `database`. */
  serverUrl?: string | undefined;
  dataDir: string;
  poolSize?: number;
  onError?: (error: Error) => void;
}

export async function openDatabase(choice: DatabaseChoice): Promise<Database> {
  const url = choice.url ?? (choice.serverUrl ? await ensureDatabase(choice.serverUrl, choice.database) : undefined);
  if (url) {
    return openPostgres({ url, label: choice.database, poolSize: choice.poolSize, onError: choice.onError });
  }
  return openPglite(join(choice.dataDir, choice.database));
}

/** Opens a service's database and brings its schema up to date: what every service does at start-up. */
export async function openServiceDatabase(
  choice: DatabaseChoice,
  migrationsDir: string,
  log?: { info(detail: object, message: string): void; warn(detail: object, message: string): void },
): Promise<Database> {
  const db = await openDatabase({ onError: (error) => log?.warn({ err: error }, 'database connection error'), ...choice });
  try {
    const applied = await migrate(db, await loadMigrations(migrationsDir));
    if (applied.length > 0) log?.info({ applied }, 'migrations applied');
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

/** `delinkcious migrate --service …`: applies the service's migrations, then closes. */
export async function migrateServiceDatabase(choice: DatabaseChoice, migrationsDir: string): Promise<number[]> {
  const db = await openDatabase({ ...choice, poolSize: 1 });
  try {
    return await migrate(db, await loadMigrations(migrationsDir));
  } finally {
    await db.close();
  }
}
