/**
 * Planner statistics of the links table where nothing else keeps them: PGlite
 * runs no autovacuum, so without this an embedded links table is never
 * analysed, and the planner, guessing, read all of a user's 10,000 links and
 * sorted them for a search's first page (30 ms) instead of walking the
 * (username, created_at) index until the page was full (0.15 ms; measured,
 * docs/design.md §14). As autovacuum would: VACUUM (ANALYZE) after 50 + 10% of
 * the rows changed, and once at start, which also reclaims dead row versions and
 * merges the GIN indexes' pending lists. Check results do not count: they change
 * a link's health, not what the planner estimates from (its text, tags, owner),
 * and the dead row versions they leave are the embedded autovacuum's to reclaim
 * (db's embedded-autovacuum.ts, PostgreSQL's thresholds, as autovacuum would on
 * PostgreSQL). On PostgreSQL autovacuum does all of
 * it, but only on its next round (up to a minute): until then, after an import
 * of 10,000 links, a one-word search took 13 ms instead of 0.4 (a bitmap scan
 * and a sort; measured). So there too a replica analyses (and merges the
 * pending lists) after its own writes passed the same threshold; not at start.
 *
 * On PGlite the VACUUM holds the one connection every service shares (0.2-0.3 s at 10,000 links),
 * and every request waits behind it: run in the middle of a burst of saves, it was their p99 (180 ms)
 * and took a tenth of the burst's throughput. So there it waits for the saves to pause (`quietMs`
 * without a change), as the embedded autovacuum waits for a quiet connection, and runs regardless
 * `maxDelayMs` after the threshold was passed. On PostgreSQL an ANALYZE blocks no one: at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from '@delinkcious/db';

export interface StatisticsTiming {
  /** Embedded: how long without a change counts as a pause in the saves. */
  quietMs: number;
  /** Embedded: the longest it waits for one, after the threshold was passed. */
  maxDelayMs: number;
}

export class LinkStatistics {
  private changes = 0;
  private rows = 0;
  private lastChange = 0;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly db: Pick<Database, 'kind' | 'query'>,
    private readonly onError: (error: unknown) => void = () => {},
    private readonly threshold = { base: 50, fraction: 0.1 },
    private readonly timing: StatisticsTiming = { quietMs: 500, maxDelayMs: 30_000 },
  ) {}

  /** Whether only we keep this database's statistics (no autovacuum on PGlite). */
  get alone(): boolean {
    return this.db.kind === 'pglite';
  }

  /**
   * At start: statistics for what is there already where none were made (a first start, an
   * upgrade). They persist, so a restart only reads the row count: an ANALYZE of 10,000 links
   * held the one embedded connection ~0.2 s while the other services started.
   */
  async start(): Promise<void> {
    try {
      const analysed = await this.countRows();
      if (this.alone && !analysed) await this.analyze();
    } catch (error) {
      this.onError(error);
    }
  }

  /** Called after each committed change (`count` for a change of many links). */
  changed(count = 1): void {
    this.changes += count;
    this.lastChange = performance.now();
    if (this.running === undefined && !this.stopped && this.changes >= this.threshold.base + this.threshold.fraction * this.rows) {
      this.running = this.whenQuiet()
        .then(() => (this.stopped ? undefined : this.analyze()))
        .finally(() => (this.running = undefined));
    }
  }

  /** Resolves when an ANALYZE due or under way has finished (tests). */
  async settled(): Promise<void> {
    await this.running;
  }

  /** No ANALYZE after this; resolves once one under way has finished (before the database closes). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  /** Embedded: until the saves pause (or the longest wait passed). */
  private async whenQuiet(): Promise<void> {
    if (!this.alone) return;
    const due = performance.now();
    for (;;) {
      const now = performance.now();
      const quietFor = now - this.lastChange;
      if (this.stopped || quietFor >= this.timing.quietMs || now - due >= this.timing.maxDelayMs) return;
      await sleep(Math.min(this.timing.quietMs - quietFor, this.timing.maxDelayMs - (now - due)));
    }
  }

  private async analyze(): Promise<void> {
    this.changes = 0;
    try {
      if (this.alone) {
        // What autovacuum would do, all of it: when no VACUUM reclaimed the dead versions updates
        // leave, after 10,000 saves and their checks (which updated links then) a three-term search
        // walked the bloated index (2.7 ms) instead of reading the GIN indexes (1.1 ms; measured).
        // Each check updates link_health now. VACUUM also merges the GIN pending lists (below).
        await this.db.query('VACUUM (ANALYZE) links, link_health, search_vocabulary');
      } else {
        // The vocabulary (migration 012) grows with the links: its statistics and index alike.
        await this.db.query('ANALYZE links, link_health, search_vocabulary');
        // A GIN index gathers new entries in a pending list that every search reads in full until a
        // vacuum merges it: with 10,000 links there, a trigram lookup took 13 ms instead of 0.03.
        await this.db.query(
          `SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           JOIN pg_am a ON a.oid = c.relam WHERE i.indrelid IN ('links'::regclass, 'search_vocabulary'::regclass) AND a.amname = 'gin'`,
        );
      }
      await this.countRows();
    } catch (error) {
      this.onError(error);
    }
  }

  /** The rows as last analysed (the threshold's 10%); false when the table never was (reltuples -1). */
  private async countRows(): Promise<boolean> {
    const { rows } = await this.db.query<{ reltuples: number }>(`SELECT reltuples FROM pg_class WHERE oid = 'links'::regclass`);
    const reltuples = Number(rows[0]?.reltuples ?? -1);
    this.rows = Math.max(0, reltuples);
    return reltuples >= 0;
  }
}
