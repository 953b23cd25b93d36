/** One interface over PostgreSQL (a `pg` pool) and PGlite (PostgreSQL in WebAssembly). */
export interface QueryResult<R> {
  rows: R[];
  /** Rows a write changed (or a read returned). */
  rowCount: number;
}

export interface Queryable {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<R>>;
  /** Runs a script of several statements (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** PostgreSQL's SQLSTATE of an error thrown by either driver, if any. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export const uniqueViolation = '23505';

/**
 * Whether this process alone reads and writes `db`: PGlite, which only one process can open (no
 * replica shares it, so nothing else changes or claims its rows). PostgreSQL: false.
 */
export function aloneOn(db: Database): boolean {
  return db.kind === 'pglite';
}
