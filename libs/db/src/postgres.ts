/** PostgreSQL through a `pg` pool. A lost connection surfaces as UnavailableError, never a hang. */
// The driver loads when a PostgreSQL database is opened: an embedded process (PGlite) never loads it.
import type pg from 'pg';
import { UnavailableError } from '@delinkcious/object-model';
import type { Database, Queryable, QueryResult } from './database.ts';

export interface PostgresOptions {
  url: string;
  /** Named in errors: "the link_manager database is unavailable". */
  label: string;
  poolSize?: number;
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
  onError?: (error: Error) => void;
}

// Connection failures, and the server going away: SQLSTATE classes 08 and 57P0x.
const unavailableStates = /^(08|57P0)/;
const unavailableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (unavailableStates.test(code) || unavailableCodes.has(code))) return true;
  const message = error instanceof Error ? error.message : '';
  return /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED|is not queryable/i.test(message);
}

export async function openPostgres(options: PostgresOptions): Promise<Database> {
  const { default: driver } = await import('pg');
  const pool = new driver.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    statement_timeout: options.statementTimeoutMs ?? 15_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', (error) => options.onError?.(error));

  const translate = (error: unknown): never => {
    if (isUnavailable(error)) throw new UnavailableError(`the ${options.label} database is unavailable`, { cause: error });
    throw error;
  };
  const on = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query<R>(text: string, params?: unknown[]): Promise<QueryResult<R>> {
      try {
        const result = await client.query(text, params);
        return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
      } catch (error) {
        return translate(error);
      }
    },
    async exec(sql: string) {
      try {
        await client.query(sql);
      } catch (error) {
        translate(error);
      }
    },
  });

  return {
    kind: 'postgres',
    ...on(pool),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect().catch(translate);
      // The pool stops listening to a client it lends out: without a listener, the
      // connection dying mid-transaction (a server restart) is an unhandled 'error'
      // event that ends the process. The failed query reports it; the client is discarded.
      let lost: Error | undefined;
      const onLost = (error: Error) => (lost = error);
      client.on('error', onLost);
      try {
        await client.query('BEGIN');
        const result = await fn(on(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        if (isUnavailable(error)) lost ??= error as Error;
        else await client.query('ROLLBACK').catch((rollbackError: Error) => (lost = rollbackError));
        return translate(error);
      } finally {
        client.off('error', onLost);
        client.release(lost);
      }
    },
    async ping() {
      await on(pool).query('SELECT 1');
    },
    async close() {
      await pool.end();
    },
  };
}

/** Creates `database` on the server `serverUrl` names, unless it exists; answers its URL. */
export async function ensureDatabase(serverUrl: string, database: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`bad database name ${database}`);
  const { default: driver } = await import('pg');
  const client = new driver.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      // Two replicas may race to create it; the loser sees duplicate_database (42P04).
      await client.query(`CREATE DATABASE ${database}`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error;
      });
    }
  } catch (error) {
    if (isUnavailable(error)) throw new UnavailableError(`the PostgreSQL server for ${database} is unavailable`, { cause: error });
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
