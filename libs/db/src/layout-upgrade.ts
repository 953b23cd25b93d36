/**
 * The upgrade of the old embedded layout, where each service had a PGlite
 * instance of its own in `DATA_DIR/<database>`, into its schema of the one
 * instance (embedded.ts). Per service, at its first start on the new code:
 *  1. the old database is brought up to date with the service's migrations;
 *  2. in ONE transaction of the new instance, as the superuser: the schema is
 *     created and migrated, every table's rows are copied in (binary COPY
 *     through PGlite's /dev/blob, FK triggers off), every sequence is set where
 *     the old one was, and the upgrade is recorded in delinkcious_admin;
 *  3. only then is the old folder removed.
 * A crash before 2 commits leaves the old folder as it was (the next start
 * does it again); a crash between 2 and 3 leaves the record, and the next
 * start only removes the old folder.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { adminSchema, assertSchemaName, createSchemaIn, type EmbeddedInstance } from './embedded.ts';
import { migrate, migrateIn, type Migration } from './migrate.ts';
import { createPglite, pgliteDatabase } from './pglite.ts';

export interface UpgradeLog {
  info(detail: object, message: string): void;
}

export interface UpgradeOptions {
  log?: UpgradeLog | undefined;
  /** Called after each table's rows were copied, inside the transaction (tests interrupt the upgrade here). */
  onTableCopied?: (table: string) => void | Promise<void>;
}

/** The folder of `database` in the old layout, if DATA_DIR has one. */
export function oldLayoutFolder(dataDir: string, database: string): string | undefined {
  const folder = join(dataDir, database);
  return existsSync(join(folder, 'PG_VERSION')) ? folder : undefined;
}

/** Upgrades `database` from the old layout if DATA_DIR holds it; answers the rows copied per table, or undefined when there was nothing to do. */
export async function upgradeOldLayout(
  instance: EmbeddedInstance,
  database: string,
  migrations: Migration[],
  options: UpgradeOptions = {},
): Promise<Record<string, number> | undefined> {
  assertSchemaName(database);
  const folder = oldLayoutFolder(instance.dataDir, database);
  if (!folder) return undefined;

  const state = await instance.asSuperuser(async (tx) => {
    const done = await tx.query(`SELECT 1 FROM ${adminSchema}.upgraded_layouts WHERE database = $1`, [database]);
    if (done.rowCount > 0) return 'done';
    const tables = await tx.query('SELECT 1 FROM pg_tables WHERE schemaname = $1', [database]);
    return tables.rowCount > 0 ? 'conflict' : 'todo';
  });
  if (state === 'conflict') {
    throw new Error(
      `DATA_DIR holds ${database} twice: in the old layout (${folder}) and in the embedded database; move one of them away`,
    );
  }
  if (state === 'done') {
    // The upgrade committed, then the process stopped before the old folder was removed.
    rmSync(folder, { recursive: true, force: true });
    options.log?.info({ database, folder }, 'old-layout folder removed: its upgrade had completed');
    return undefined;
  }

  const old = await createPglite(folder);
  let copied: Record<string, number>;
  try {
    const applied = await migrate(pgliteDatabase(old), migrations);
    if (applied.length > 0) options.log?.info({ database, applied }, 'old-layout database migrated before its upgrade');
    copied = await copyInto(instance, old, database, migrations, options);
  } finally {
    await old.close();
  }
  rmSync(folder, { recursive: true, force: true });
  options.log?.info({ database, from: folder, rows: copied }, 'upgraded from the old data-directory layout into the embedded database');
  return copied;
}

async function copyInto(
  instance: EmbeddedInstance,
  old: PGlite,
  schema: string,
  migrations: Migration[],
  options: UpgradeOptions,
): Promise<Record<string, number>> {
  const oldTables = (await old.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)).rows.map((r) => r.name);
  const sequences = (await old.query<{ name: string; last_value: string | null }>(
    `SELECT sequencename AS name, last_value::text FROM pg_sequences WHERE schemaname = 'public'`,
  )).rows;

  return instance.asSuperuser(async (tx, pg) => {
    await createSchemaIn(tx, schema);
    // The schema built by the service's own migrations, as its role, so it owns what they create.
    await tx.exec(`SET LOCAL ROLE ${schema}; SET LOCAL search_path TO ${schema}`);
    await migrateIn(tx, migrations);
    await tx.exec('RESET ROLE; SET LOCAL search_path TO public; SET LOCAL session_replication_role = replica');

    const newTables = (await tx.query<{ name: string }>('SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 ORDER BY tablename', [schema])).rows.map((r) => r.name);
    if (newTables.join() !== oldTables.join()) {
      throw new Error(`the old ${schema} database has tables ${oldTables.join(', ')} but its migrations make ${newTables.join(', ')}`);
    }
    // What the migrations wrote (their own records) is replaced by the old rows.
    if (newTables.length > 0) await tx.exec(`TRUNCATE ${newTables.map((t) => `${schema}."${t}"`).join(', ')}`);

    const copied: Record<string, number> = {};
    for (const table of oldTables) {
      const columns = (await old.query<{ name: string }>(
        `SELECT attname AS name FROM pg_attribute
         WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`,
        [`public."${table}"`],
      )).rows.map((r) => `"${r.name}"`).join(', ');
      const out = await old.query(`COPY public."${table}" (${columns}) TO '/dev/blob' WITH (FORMAT binary)`);
      const into = await pg.query(`COPY ${schema}."${table}" (${columns}) FROM '/dev/blob' WITH (FORMAT binary)`, [], { blob: out.blob! });
      copied[table] = into.affectedRows ?? 0;
      await options.onTableCopied?.(table);
    }
    for (const sequence of sequences) {
      if (sequence.last_value !== null) await tx.query('SELECT setval($1::regclass, $2::bigint, true)', [`${schema}."${sequence.name}"`, sequence.last_value]);
    }
    await tx.query(`INSERT INTO ${adminSchema}.upgraded_layouts (database, rows) VALUES ($1, $2::jsonb)`, [schema, JSON.stringify(copied)]);
    return copied;
  });
}
