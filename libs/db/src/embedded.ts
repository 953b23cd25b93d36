/**
 * The embedded database (docs/design.md, "The embedded database"): ONE PGlite
 * instance under `DATA_DIR/pglite` serves every embedded service, each in a
 * schema named after its database (`link_manager`, …), owned by a role of the
 * same name that has no rights on any other schema. PGlite is one connection:
 * every statement of every service passes through one queue here, and the
 * connection switches role and `search_path` only when the next statement
 * comes from another service than the last.
 *
 * One instance per folder per process (two PGlite instances on one folder
 * would corrupt it): `openEmbeddedSchema` opens it on first use and closes it
 * when the last schema handle closes.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable } from './database.ts';
import { EmbeddedAutovacuum, dueTablesSql } from './embedded-autovacuum.ts';
import { createPglite, initCluster, transactionOn, wireQueryable } from './pglite.ts';
import { runScript, runStatement, Statements } from './pglite-wire.ts';

/** The folder of the instance under DATA_DIR, and where a new one is built before it is renamed into place. */
export const embeddedFolder = 'pglite';
const buildingFolder = `${embeddedFolder}.partial`;

/** The superuser's own schema: the record of upgraded old-layout databases; no service role may read it. */
export const adminSchema = 'delinkcious_admin';

const namePattern = /^[a-z_][a-z0-9_]*$/;

export function assertSchemaName(name: string): void {
  if (!namePattern.test(name)) throw new Error(`bad schema name ${name}: lower-case letters, digits and _ only`);
}

/** Who runs the next statement: a service's role (and schema), or the superuser. */
type Actor = string | typeof superuser;
const superuser = Symbol('superuser');

/** How many times in a row work of the active service may run before older work of another. */
const maxStreak = 8;

/**
 * The connection's queue: one piece of work at a time (a transaction is one piece, so it stays
 * whole). The next piece is the oldest of the service already on the connection when it has one
 * queued, not the oldest of all: a role switch costs as much as a small statement, and under load
 * the services' statements interleave. Each service's own work keeps its order; work of another
 * service waits for at most `maxStreak` pieces that jumped it.
 */
class ActorQueue {
  private readonly waiting: Array<{ actor: Actor; start: () => void }> = [];
  private busy = false;
  private streak = 0;
  private idlers: Array<() => void> = [];

  constructor(private readonly active: () => Actor | undefined) {}

  run<T>(actor: Actor, fn: () => T | Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () =>
        void Promise.resolve()
          .then(fn)
          .then(resolve, reject)
          .finally(() => {
            this.busy = false;
            this.next();
          });
      this.waiting.push({ actor, start });
      this.next();
    });
  }

  /** Whether work is queued or running now. */
  get hasWork(): boolean {
    return this.busy || this.waiting.length > 0;
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (!this.busy && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idlers.push(resolve));
  }

  private next(): void {
    if (this.busy) return;
    if (this.waiting.length === 0) {
      for (const resolve of this.idlers.splice(0)) resolve();
      return;
    }
    const active = this.active();
    const same = this.streak < maxStreak ? this.waiting.findIndex((work) => work.actor === active) : -1;
    const index = same > 0 ? same : 0;
    this.streak = same > 0 ? this.streak + 1 : 0;
    const [work] = this.waiting.splice(index, 1);
    this.busy = true;
    work!.start();
  }
}

export class EmbeddedInstance {
  private active: Actor | undefined = superuser;
  private readonly queue = new ActorQueue(() => this.active);
  private readonly schemas = new Set<string>();
  /** Prepared statements per actor: planned under the schema they run in. */
  private readonly superuserStatements = new Statements();
  private readonly schemaStatements = new Map<string, Statements>();
  /** What autovacuum would do on a server (embedded-autovacuum.ts); started once the instance is open. */
  readonly autovacuum: EmbeddedAutovacuum;

  private constructor(
    readonly dataDir: string,
    private readonly pg: PGlite,
    onError?: (error: Error) => void,
  ) {
    this.autovacuum = new EmbeddedAutovacuum({
      dueTables: async () =>
        (await this.exclusive(superuser, () => runStatement<{ schemaname: string; relname: string }>(this.pg, dueTablesSql, [], this.superuserStatements))).rows,
      run: (sql) => this.exclusive(superuser, () => runScript(this.pg, sql)),
      busy: () => this.queue.hasWork,
      ...(onError && { onError: (error) => onError(new Error(`embedded autovacuum failed: ${error.message}`, { cause: error })) }),
    });
  }

  /** Opens the instance under `dataDir`, creating it (in a side folder, renamed into place when complete) if missing. */
  static async open(dataDir: string, onError?: (error: Error) => void): Promise<EmbeddedInstance> {
    const folder = join(dataDir, embeddedFolder);
    if (!existsSync(join(folder, 'PG_VERSION'))) {
      // A crash during initdb leaves only the side folder, which the next start builds again.
      const building = join(dataDir, buildingFolder);
      rmSync(building, { recursive: true, force: true });
      await initCluster(building);
      rmSync(folder, { recursive: true, force: true });
      renameSync(building, folder);
    }
    const instance = new EmbeddedInstance(dataDir, await createPglite(folder), onError);
    await instance.asSuperuser((tx) =>
      tx.exec(`
        REVOKE ALL ON SCHEMA public FROM PUBLIC;
        -- In pg_catalog, so each service's role resolves its operator classes from its own search_path
        -- (it has no rights on public); a service's migration then finds it there (pglite.ts).
        CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA pg_catalog;
        CREATE SCHEMA IF NOT EXISTS ${adminSchema};
        CREATE TABLE IF NOT EXISTS ${adminSchema}.upgraded_layouts (
          database text PRIMARY KEY,
          upgraded_at timestamptz NOT NULL DEFAULT now(),
          rows jsonb NOT NULL
        );`),
    );
    instance.autovacuum.start();
    return instance;
  }

  /** Runs `fn` alone on the connection as `actor`, switching role and search_path first if another ran last. */
  private exclusive<T>(actor: Actor, fn: () => T | Promise<T>): Promise<T> {
    return this.queue.run(actor, async () => {
      if (this.active !== actor) {
        this.active = undefined; // unknown until the switch succeeded
        await runScript(this.pg, actor === superuser ? 'RESET ROLE; SET search_path TO public' : `SET ROLE ${actor}; SET search_path TO ${actor}`);
        this.active = actor;
      }
      return fn();
    });
  }

  /**
   * Work of the instance itself (creating schemas, the layout upgrade), as the superuser, in one
   * transaction; `pg` is the connection itself, for what only PGlite's own API does (COPY with a blob).
   */
  asSuperuser<T>(fn: (tx: Queryable, pg: PGlite) => Promise<T>): Promise<T> {
    return this.exclusive(superuser, () => transactionOn(this.pg, this.superuserStatements, (tx) => fn(tx, this.pg)));
  }

  /** Creates the schema and its role unless they exist. */
  async ensureSchema(schema: string): Promise<void> {
    assertSchemaName(schema);
    if (this.schemas.has(schema)) return;
    await this.asSuperuser((tx) => createSchemaIn(tx, schema));
    this.schemas.add(schema);
  }

  /** A Database confined to `schema` (which ensureSchema made); closing it does not close the instance. */
  handle(schema: string, onClose: () => Promise<void>): Database {
    assertSchemaName(schema);
    let statements = this.schemaStatements.get(schema);
    if (!statements) this.schemaStatements.set(schema, (statements = new Statements()));
    const prepared = statements;
    const direct = wireQueryable(this.pg, prepared);
    let closed = false;
    return {
      kind: 'pglite',
      query: (text, params) => this.exclusive(schema, () => direct.query(text, params)),
      exec: (sql) => this.exclusive(schema, () => direct.exec(sql)),
      transaction: (fn) => this.exclusive(schema, () => transactionOn(this.pg, prepared, fn)),
      ping: () => this.exclusive(schema, async () => void (await runStatement(this.pg, 'SELECT 1'))),
      async close() {
        if (closed) return;
        closed = true;
        await onClose();
      },
    };
  }

  async close(): Promise<void> {
    await this.autovacuum.stop();
    await this.queue.idle();
    await this.pg.close();
  }
}

/** The role and schema of a service, in a transaction the superuser holds. */
export async function createSchemaIn(tx: Queryable, schema: string): Promise<void> {
  assertSchemaName(schema);
  const { rowCount } = await tx.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [schema]);
  if (rowCount === 0) await tx.exec(`CREATE ROLE ${schema} NOLOGIN`);
  await tx.exec(`CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION ${schema}`);
}

const instances = new Map<string, { instance: Promise<EmbeddedInstance>; users: number }>();
/** Instances being closed: one opened again on the same folder waits for that. */
const closing = new Map<string, Promise<void>>();

/**
 * The process's instance under `dataDir`, opened on first use; `release` when done with it.
 * The last release closes it, so it closes after every service that used it.
 */
export async function acquireEmbeddedInstance(
  dataDir: string,
  onError?: (error: Error) => void,
): Promise<{ instance: EmbeddedInstance; release: () => Promise<void> }> {
  const key = resolve(dataDir);
  let entry = instances.get(key);
  if (!entry) {
    // onError: the first user's, for the instance's own work (autovacuum).
    entry = { instance: (closing.get(key) ?? Promise.resolve()).then(() => EmbeddedInstance.open(key, onError)), users: 0 };
    instances.set(key, entry);
    entry.instance.catch(() => instances.delete(key));
  }
  entry.users++;
  const current = entry;
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    if (--current.users > 0) return;
    if (instances.get(key) === current) instances.delete(key);
    const closed = current.instance.then((instance) => instance.close()).finally(() => closing.delete(key));
    closing.set(key, closed.catch(() => undefined));
    await closed;
  };
  try {
    return { instance: await current.instance, release };
  } catch (error) {
    current.users--;
    throw error;
  }
}
