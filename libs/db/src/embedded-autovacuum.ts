/**
 * Autovacuum for the embedded instance (docs/design.md §13). PGlite runs no autovacuum worker: without
 * this, the tables that churn (a feed trimmed at every delivery, the outbox, link checks) kept every
 * dead row version and index entry, and the planner the statistics of their first day. After the
 * benchmark's run, one news delivery walked 13,500 index entries of a 1,000-item feed and sorted
 * them (3.8 ms a delivery, half of a save's database time; 1.1 ms once vacuumed and analysed).
 *
 * Every `everyMs`, the tables past PostgreSQL's own autovacuum thresholds (its defaults: dead rows
 * over 50 + 20% of the live ones, or rows changed since the last ANALYZE over 50 + 10%) get
 * `VACUUM (ANALYZE)`, one table at a time, each its own turn on the connection, so the services'
 * statements go on between them. A table of 10,000 links takes ~0.3 s, which a request queued
 * behind it waits: while the connection is busy the round is put off, at most `maxPutOff` rounds in a row.
 */

/** Tables due, from the statistics PostgreSQL keeps while it runs (a restart starts them again). */
export const dueTablesSql = `
  SELECT schemaname, relname FROM pg_stat_user_tables
  WHERE n_dead_tup > 50 + 0.2 * n_live_tup OR n_mod_since_analyze > 50 + 0.1 * n_live_tup
  ORDER BY n_dead_tup DESC`;

export interface AutovacuumOptions {
  /** The tables due (runs dueTablesSql as the superuser). */
  dueTables: () => Promise<Array<{ schemaname: string; relname: string }>>;
  /** Runs one statement as the superuser, outside any transaction (VACUUM cannot run inside one). */
  run: (sql: string) => Promise<void>;
  everyMs?: number;
  /** Whether the connection has work queued or running now: a round waits for a quiet moment. */
  busy?: () => boolean;
  onError?: (error: Error) => void;
}

/** Rounds in a row a busy connection may put the vacuums off (a minute at 10 s); then they run regardless. */
export const maxPutOff = 6;

/** An identifier from the catalog, quoted. */
const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

export class EmbeddedAutovacuum {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<string[]> | undefined;
  private stopped = false;
  private putOff = 0;

  constructor(private readonly options: AutovacuumOptions) {}

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.pass().catch((error: unknown) => this.options.onError?.(error as Error)), this.options.everyMs ?? 10_000);
    this.timer.unref();
  }

  /** One round: vacuums and analyses each table due; answers their names (schema.table). */
  pass(): Promise<string[]> {
    this.running ??= this.vacuumDue().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops the rounds; resolves once a round under way has finished its table. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private async vacuumDue(): Promise<string[]> {
    const done: string[] = [];
    if (this.putOff < maxPutOff && this.options.busy?.() === true) {
      this.putOff++;
      return done;
    }
    const forced = this.putOff >= maxPutOff;
    this.putOff = 0;
    for (const { schemaname, relname } of await this.options.dueTables()) {
      if (this.stopped) break;
      if (!forced && done.length > 0) {
        // A tick first: the connection is free of our own last VACUUM only once its turn ended.
        await new Promise((resolve) => setImmediate(resolve));
        // Busy again between two tables: the rest wait for the next round.
        if (this.options.busy?.() === true) break;
      }
      await this.options.run(`VACUUM (ANALYZE) ${quoted(schemaname)}.${quoted(relname)}`);
      done.push(`${schemaname}.${relname}`);
    }
    return done;
  }
}
