/**
 * Versioned migrations: files `NNN_name.sql` in a service's `migrations/`
 * folder, applied in order, each once, all in one transaction under an
 * advisory lock (replicas starting together do not race). A migration edited
 * after it was applied is refused: its checksum no longer matches.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database, Queryable } from './database.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export async function loadMigrations(dir: string): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = /^(\d+)_([\w-]+)\.sql$/.exec(file);
    if (!match) throw new Error(`migration file ${file} must be named NNN_name.sql`);
    migrations.push({ version: Number(match[1]), name: match[2]!, sql: await readFile(join(dir, file), 'utf8') });
  }
  const versions = new Set(migrations.map((m) => m.version));
  if (versions.size !== migrations.length) throw new Error(`two migrations in ${dir} share a version`);
  return migrations;
}

const checksum = (sql: string) => createHash('sha256').update(sql).digest('hex');

// Any fixed number: every service's migrations run in its own database.
const migrationLock = 4_137_271;

/** Applies what is missing; answers the versions applied now. */
export async function migrate(db: Database, migrations: Migration[]): Promise<number[]> {
  if (await allApplied(db, migrations)) return [];
  return db.transaction((tx) => migrateIn(tx, migrations));
}

/**
 * The usual start: everything applied already, seen with one read and no lock or transaction.
 * Anything else (no table yet, a migration missing or changed) takes the full path, which also
 * reports a changed migration.
 */
async function allApplied(db: Queryable, migrations: Migration[]): Promise<boolean> {
  let rows: { version: number; checksum: string }[];
  try {
    ({ rows } = await db.query<{ version: number; checksum: string }>('SELECT version, checksum FROM schema_migrations'));
  } catch {
    return false;
  }
  const applied = new Map(rows.map((row) => [Number(row.version), row.checksum]));
  return migrations.every((migration) => applied.get(migration.version) === checksum(migration.sql));
}

/** migrate() inside a transaction the caller holds (the embedded layout upgrade). */
export async function migrateIn(tx: Queryable, migrations: Migration[]): Promise<number[]> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [migrationLock]);
  await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const { rows } = await tx.query<{ version: number; checksum: string }>('SELECT version, checksum FROM schema_migrations');
  const applied = new Map(rows.map((row) => [Number(row.version), row.checksum]));
  const done: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    const sum = checksum(migration.sql);
    const previous = applied.get(migration.version);
    if (previous !== undefined) {
      if (previous !== sum) {
        throw new Error(`migration ${migration.version}_${migration.name} was changed after it was applied`);
      }
      continue;
    }
    await tx.exec(migration.sql);
    await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
      migration.version,
      migration.name,
      sum,
    ]);
    done.push(migration.version);
  }
  return done;
}
