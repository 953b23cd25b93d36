/** Embedded PostgreSQL (PGlite, WebAssembly) in a folder of its own; `memory://` keeps it in memory. */
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { Database, Queryable } from './database.ts';
import { rememberFileSizes } from './pglite-file-sizes.ts';
import { pgliteTemplate } from './pglite-template.ts';
import { runScript, runStatement, Statements } from './pglite-wire.ts';

/**
 * PostgreSQL settings of every PGlite instance (docs/design.md, "The embedded database"):
 * - 16 MB of shared buffers, not the default 128 MB, which cost ~130 MB of RSS for no gain at this size;
 * - WAL in 1 MB segments (set at initdb) and at most 32 MB of it between checkpoints, not 16 MB
 *   segments and 1 GB: the data directory of an empty instance stays near 25 MB instead of 40+.
 * - random_page_cost 1.1, not 4: the pages are in memory or the OS's cache, never a seek away. At 4,
 *   a statement joining a batch's rows (`jsonb_to_recordset`, estimated at 100) to a table of a few
 *   thousand rows read the whole table instead of looking each row up: a check result's batch of 50
 *   took 17.6 ms instead of 7.8, and grew with the table (measured).
 * Durability is kept: every commit writes its WAL to the files before it returns (PGlite's `-F` skips
 * only fsync, so a killed process loses nothing the OS received; an OS crash is not covered).
 */
const startParams = [
  ...PGlite.defaultStartParams,
  '-c', 'shared_buffers=16MB',
  '-c', 'work_mem=4MB',
  '-c', 'min_wal_size=2MB',
  '-c', 'max_wal_size=32MB',
  '-c', 'random_page_cost=1.1',
];
const initDbStartParams = ['--wal-segsize=1'];
/**
 * Extensions a migration may create: their files are loaded into each instance (CREATE EXTENSION
 * still has to be run). pg_trgm: link-service's substring search (docs/design.md §14).
 */
const extensions = { pg_trgm };

/** A raw PGlite instance with the settings above (`dataDir` created when missing, from the template: pglite-template.ts). */
export async function createPglite(dataDir: string): Promise<PGlite> {
  if (dataDir.startsWith('memory://')) {
    const template = await pgliteTemplate(initDbStartParams);
    return PGlite.create(dataDir, { startParams, initDbStartParams, extensions, ...(template && { loadDataDir: template.tarball() }) });
  }
  await initCluster(dataDir);
  const pglite = await PGlite.create(dataDir, { startParams, initDbStartParams, extensions });
  rememberFileSizes(pglite);
  return pglite;
}

/**
 * Makes `dataDir` hold a new cluster without opening it (a copy of the template; initdb when there is
 * none), unless it holds one already.
 */
export async function initCluster(dataDir: string): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  const template = await pgliteTemplate(initDbStartParams);
  if (template) copyCluster(template.folder, dataDir);
  else await (await PGlite.create(dataDir, { startParams, initDbStartParams })).close();
}

/** A copy of the cluster, PG_VERSION last: a copy cut short is not taken for a database. */
function copyCluster(from: string, to: string): void {
  const versionFile = join(from, 'PG_VERSION');
  cpSync(from, to, { recursive: true, filter: (source) => source !== versionFile });
  cpSync(versionFile, join(to, 'PG_VERSION'));
}

/** Statements straight on the connection, prepared in `statements`: the caller holds it (see Serial). */
export function wireQueryable(pglite: PGlite, statements: Statements): Queryable {
  return {
    query: <R>(text: string, params?: unknown[]) => runStatement<R>(pglite, text, params, statements),
    exec: (sql: string) => runScript(pglite, sql),
  };
}

/** BEGIN, `fn`, COMMIT, or ROLLBACK when `fn` throws; the caller holds the connection. */
export async function transactionOn<T>(pglite: PGlite, statements: Statements, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  await runScript(pglite, 'BEGIN');
  try {
    const result = await fn(wireQueryable(pglite, statements));
    await runScript(pglite, 'COMMIT');
    return result;
  } catch (error) {
    try {
      await runScript(pglite, 'ROLLBACK');
    } catch {
      // The error that aborted the transaction is the one to report.
    }
    throw error;
  }
}

/** One connection, one user at a time: work queued here runs alone, in order. */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn);
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Resolves when everything queued so far has run. */
  async idle(): Promise<void> {
    await this.tail;
  }
}

/** The Database interface over a whole PGlite instance (its `public` schema). */
export function pgliteDatabase(pglite: PGlite): Database {
  const serial = new Serial();
  const statements = new Statements();
  const direct = wireQueryable(pglite, statements);
  return {
    kind: 'pglite',
    query: (text, params) => serial.run(() => direct.query(text, params)),
    exec: (sql) => serial.run(() => direct.exec(sql)),
    transaction: (fn) => serial.run(() => transactionOn(pglite, statements, fn)),
    ping: () => serial.run(async () => void (await runStatement(pglite, 'SELECT 1'))),
    async close() {
      await serial.idle();
      await pglite.close();
    },
  };
}

/** One database in a PGlite instance of its own, in its `public` schema (tests, `memory://`). */
export async function openPglite(dataDir: string): Promise<Database> {
  return pgliteDatabase(await createPglite(dataDir));
}
