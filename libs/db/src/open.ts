/**
 * Which database a service uses (docs/design.md §1): its own URL
 * (`LINK_DATABASE_URL`, …), else its own database on the server `DATABASE_URL`
 * names (created when missing), else its own schema of the one embedded PGlite
 * instance under `DATA_DIR` (embedded.ts), shared by every service of the process.
 */
import type { Database } from './database.ts';
import { acquireEmbeddedInstance } from './embedded.ts';
import { upgradeOldLayout, type UpgradeLog } from './layout-upgrade.ts';
import { loadMigrations, migrate, type Migration } from './migrate.ts';
import { ensureDatabase, openPostgres } from './postgres.ts';

export interface DatabaseChoice {
  /** The service's database name, e.g. `link_manager`: its schema when embedded. */
  database: string;
  /** The service's own URL, when set. */
  url?: string | undefined;
  /** `DATABASE_URL`, a server on which the service uses `database`. */
  serverUrl?: string | undefined;
  dataDir: string;
  poolSize?: number;
  onError?: (error: Error) => void;
}

type StartLog = UpgradeLog & { warn(detail: object, message: string): void };

async function openPostgresChoice(choice: DatabaseChoice): Promise<Database | undefined> {
  const url = choice.url ?? (choice.serverUrl ? await ensureDatabase(choice.serverUrl, choice.database) : undefined);
  return url ? openPostgres({ url, label: choice.database, poolSize: choice.poolSize, onError: choice.onError }) : undefined;
}

/**
 * The service's schema in the embedded instance; with `migrations`, an old-layout
 * database of the service is upgraded into it first. Closing the handle releases the instance.
 */
async function openEmbedded(choice: DatabaseChoice, migrations?: Migration[], log?: UpgradeLog): Promise<Database> {
  const { instance, release } = await acquireEmbeddedInstance(choice.dataDir, choice.onError);
  try {
    if (migrations) await upgradeOldLayout(instance, choice.database, migrations, { log });
    await instance.ensureSchema(choice.database);
    return instance.handle(choice.database, release);
  } catch (error) {
    await release();
    throw error;
  }
}

export async function openDatabase(choice: DatabaseChoice): Promise<Database> {
  return (await openPostgresChoice(choice)) ?? openEmbedded(choice);
}

async function openMigrated(choice: DatabaseChoice, migrationsDir: string, log?: StartLog): Promise<{ db: Database; applied: number[] }> {
  const migrations = await loadMigrations(migrationsDir);
  const db = (await openPostgresChoice(choice)) ?? (await openEmbedded(choice, migrations, log));
  try {
    return { db, applied: await migrate(db, migrations) };
  } catch (error) {
    await db.close();
    throw error;
  }
}

/** Opens a service's database and brings its schema up to date: what every service does at start-up. */
export async function openServiceDatabase(choice: DatabaseChoice, migrationsDir: string, log?: StartLog): Promise<Database> {
  const { db, applied } = await openMigrated(
    { onError: (error) => log?.warn({ err: error }, 'database connection error'), ...choice },
    migrationsDir,
    log,
  );
  if (applied.length > 0) log?.info({ applied }, 'migrations applied');
  return db;
}

/** `delinkcious migrate --service …`: applies the service's migrations, then closes. */
export async function migrateServiceDatabase(choice: DatabaseChoice, migrationsDir: string, log?: StartLog): Promise<number[]> {
  const { db, applied } = await openMigrated({ ...choice, poolSize: 1 }, migrationsDir, log);
  await db.close();
  return applied;
}
