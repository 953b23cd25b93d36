/**
 * The transactional outbox (docs/design.md §4): a service writes each event into
 * its own database in the same transaction as the change it describes, and a
 * relay publishes what is unpublished, then marks it. The bus being down
 * never fails a write; a crash loses nothing (unmarked rows are published
 * again, and consumers dedupe by event id). A bus that loses its store (NATS
 * back without its volume) takes again what was published since its lost
 * stream was created, from the rows kept for `retentionMs`.
 *
 * The table, created by the owning service's migrations:
 *   outbox (id bigint identity primary key, event_id text unique, subject text,
 *           payload jsonb, headers jsonb, created_at timestamptz,
 *           claimed_until timestamptz, published_at timestamptz)
 */
import { aloneOn, type Database, type Queryable } from '@delinkcious/db';
import { inSpan, traceHeaders } from '@delinkcious/kit';
import { isStreamLossAware, type Bus, type BusEvent } from './bus.ts';

/** Clock skew allowed between the bus's server and the database when replaying after a lost stream. */
const replaySkewMs = 60_000;

/** The outbox's columns, in the order of outboxValues. */
export const outboxColumns = 'event_id, subject, payload, headers';

/**
 * An event's outbox row as parameters (text, text, json text, json text), for a store that writes it
 * inside a statement of its own (a data-modifying CTE: the change and its event in one statement).
 */
export function outboxValues(
  subject: string,
  event: BusEvent,
  // The trace of the request that made the change travels with its event.
  headers: Record<string, string> = traceHeaders(),
): [string, string, string, string] {
  return [event.id, subject, JSON.stringify(event), JSON.stringify(headers)];
}

export async function appendToOutbox(tx: Queryable, subject: string, event: BusEvent, headers?: Record<string, string>): Promise<void> {
  await tx.query(`INSERT INTO outbox (${outboxColumns}) VALUES ($1, $2, $3::jsonb, $4::jsonb)`, outboxValues(subject, event, headers));
}

export interface OutboxRelayOptions {
  db: Database;
  bus: Bus;
  batchSize?: number;
  /**
   * Publishes in flight at once. Feeds order events by time and consumers are
   * idempotent, so strict order is not needed; waiting for each publish in turn
   * (in-process, for the consumer's whole handling) made the relay the bottleneck.
   * Default 8; on the in-process bus the whole pass, so each consumer's group
   * commit gets the pass's events together, in one statement (see `flowCoalesceMs`).
   */
  concurrency?: number;
  /** Pause between passes when there is nothing to publish (a write wakes the relay via notify()). */
  idleMs?: number;
  /**
   * How long notify() waits before waking the relay, so the writes of that moment go out in one pass:
   * a pass per write made the relay's own statements a third of an embedded write's database time.
   */
  coalesceMs?: number;
  /**
   * notify()'s wait while events flow (the last pass, under `idleMs` ago, published more than one).
   * Default 50 ms on the in-process bus, `coalesceMs` on another. In-process the consumers write
   * to the same one-connection database, a statement per batch of events: at 5 ms a pass held ~8
   * events under a stream of saves, and the news fan-out took a tenth of a save's database time
   * (measured, embedded, 10 connections of POST /v1/links); at 50 ms a pass holds ~50. Feeds then
   * show a save up to 50 ms later, under load only.
   */
  flowCoalesceMs?: number;
  /** How long a relay owns the rows it claimed; another replica takes them over after that. */
  leaseMs?: number;
  /**
   * Published rows are kept this long, then pruned: what republishSince takes again after a bus lost its
   * store. Only a bus that can lose it (isStreamLossAware) has them kept; otherwise a row goes when published.
   */
  retentionMs?: number;
  onPublished?: (subject: string) => void;
  onFailed?: (subject: string, error: unknown) => void;
  onBacklog?: (backlog: number) => void;
  /** Rows marked for publishing again after the bus lost its stream. */
  onReplay?: (rows: number, lostSince: Date) => void;
}

/**
 * A pass's rows. Where the relay may share the outbox with others (PostgreSQL: replicas), it claims them for
 * `leaseMs`, so no other relay takes them meanwhile. Where it is alone (PGlite: one process opens the
 * database, and it runs one relay per outbox) it only reads them: the claim was an UPDATE of each row
 * (a new row version, its index entries), and releasing what did not go out a second write; a pass's
 * statements took 1.1 ms, now 0.5 (measured, embedded, under 10 connections of POST /v1/links).
 */
const claimSql = `
  UPDATE outbox SET claimed_until = now() + ($2 || ' milliseconds')::interval
  WHERE id IN (
    SELECT id FROM outbox
    WHERE published_at IS NULL AND (claimed_until IS NULL OR claimed_until < now())
    ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
  RETURNING id, subject, payload, headers`;
const readAloneSql = `SELECT id, subject, payload, headers FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1`;

/** After a pass: $1 the rows that went out, $2 all it claimed (the others are released for the next pass). */
const markPublishedSql = `
  UPDATE outbox SET published_at = CASE WHEN id = ANY($1::bigint[]) THEN now() ELSE NULL END, claimed_until = NULL
  WHERE id = ANY($2::bigint[])`;
const deletePublishedSql = `
  WITH published AS (DELETE FROM outbox WHERE id = ANY($1::bigint[]))
  UPDATE outbox SET claimed_until = NULL WHERE id = ANY($2::bigint[]) AND id <> ALL($1::bigint[])`;
/** The same for a relay alone, which claimed nothing: $1 the rows that went out. */
const markPublishedAloneSql = `UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])`;
const deletePublishedAloneSql = `DELETE FROM outbox WHERE id = ANY($1::bigint[])`;

interface OutboxRow {
  id: number | string;
  subject: string;
  payload: BusEvent;
  headers: Record<string, string> | null;
}

export class OutboxRelay {
  private readonly db: Database;
  private readonly bus: Bus;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly idleMs: number;
  private readonly leaseMs: number;
  private readonly retentionMs: number;
  /**
   * Whether published rows are kept (retentionMs). The in-process bus has every consumer handle an event
   * before publish returns and has no store to lose, so nothing would ever ask for a row again: it is
   * deleted when published. Kept, the embedded outbox held a week of events, each row left two dead
   * versions behind (the claim, the mark), and vacuuming it took 160 ms at 20,000 events (measured).
   */
  private readonly keepPublished: boolean;
  /** Whether no other relay reads this outbox (PGlite); then its passes run one after another (`pass`). */
  private readonly alone: boolean;
  private pass: Promise<unknown> = Promise.resolve();
  private stopped = true;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;
  private woken = false;
  private readonly coalesceMs: number;
  private readonly flowCoalesceMs: number;
  /** Events the last pass published, and when it ended: whether events flow (flowCoalesceMs). */
  private lastSent = 0;
  private lastPassEnd = 0;
  private lastPrune = 0;
  private lastBacklog = 0;
  private stopListening: (() => void) | undefined;

  constructor(private readonly options: OutboxRelayOptions) {
    this.db = options.db;
    this.bus = options.bus;
    this.batchSize = options.batchSize ?? 100;
    const inProcess = options.bus.kind === 'in-process';
    this.concurrency = options.concurrency ?? (inProcess ? this.batchSize : 8);
    this.idleMs = options.idleMs ?? 500;
    this.coalesceMs = options.coalesceMs ?? 5;
    this.flowCoalesceMs = options.flowCoalesceMs ?? (inProcess ? 50 : this.coalesceMs);
    this.leaseMs = options.leaseMs ?? 30_000;
    this.retentionMs = options.retentionMs ?? 7 * 24 * 3_600_000;
    this.keepPublished = isStreamLossAware(options.bus);
    this.alone = aloneOn(options.db);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    if (isStreamLossAware(this.bus)) {
      this.stopListening = this.bus.onStreamReplaced((lostSince) => {
        this.republishSince(lostSince).then(
          (rows) => this.options.onReplay?.(rows, lostSince),
          (error: unknown) => this.options.onFailed?.('outbox', error),
        );
      });
    }
    this.loop = this.run();
  }

  /**
   * Marks every event published since `since` as unpublished, so the relay publishes it again: what the
   * bus lost with its store comes back (consumers dedupe by event id). Answers how many rows.
   */
  async republishSince(since: Date): Promise<number> {
    const { rowCount } = await this.db.query(
      `UPDATE outbox SET published_at = NULL, claimed_until = NULL WHERE published_at >= $1::timestamptz - ($2 || ' milliseconds')::interval`,
      [since.toISOString(), String(replaySkewMs)],
    );
    this.notify();
    return rowCount;
  }

  /** A write just happened: publish now rather than after the idle pause. */
  notify(): void {
    if (this.wakeTimer || this.stopped) return;
    const flowing = this.lastSent > 1 && Date.now() - this.lastPassEnd < this.idleMs;
    this.wakeTimer = setTimeout(
      () => {
        this.wakeTimer = undefined;
        if (this.wake) this.wake();
        else this.woken = true;
      },
      flowing ? this.flowCoalesceMs : this.coalesceMs,
    );
  }

  /** Stops the loop after one last pass, so what was written before shutdown goes out. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopListening?.();
    clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    this.wake?.();
    await this.loop;
    await this.relayOnce().catch(() => 0);
  }

  /** Publishes one batch, in order of id a few at a time, stopping after a failure; answers how many went out. */
  relayOnce(): Promise<number> {
    if (!this.alone) return this.relayBatch();
    // Alone, nothing claims a pass's rows: a second pass must not start before the first is done with them.
    const next = this.pass.then(() => this.relayBatch());
    this.pass = next.catch(() => undefined);
    return next;
  }

  private async relayBatch(): Promise<number> {
    const { rows } = await this.db.query<OutboxRow>(this.alone ? readAloneSql : claimSql, this.alone ? [this.batchSize] : [this.batchSize, String(this.leaseMs)]);
    rows.sort((a, b) => Number(a.id) - Number(b.id));
    const published: number[] = [];
    try {
      for (let i = 0; i < rows.length; i += this.concurrency) {
        const chunk = rows.slice(i, i + this.concurrency);
        const outcomes = await Promise.allSettled(chunk.map((row) => this.publishRow(row)));
        outcomes.forEach((outcome, j) => {
          const row = chunk[j]!;
          if (outcome.status === 'fulfilled') {
            published.push(Number(row.id));
            this.options.onPublished?.(row.subject);
          } else this.options.onFailed?.(row.subject, outcome.reason);
        });
        if (outcomes.some((outcome) => outcome.status === 'rejected')) break;
      }
    } finally {
      if (this.alone) {
        if (published.length > 0) await this.db.query(this.keepPublished ? markPublishedAloneSql : deletePublishedAloneSql, [published]);
      } else if (rows.length > 0) {
        // Mark (or delete) what went out; release the rest for the next pass.
        await this.db.query(this.keepPublished ? markPublishedSql : deletePublishedSql, [published, rows.map((row) => Number(row.id))]);
      }
    }
    return published.length;
  }

  /** One row's publish, traced (with tracing on) as part of the request that wrote it. */
  private publishRow(row: OutboxRow): Promise<void> {
    const headers = row.headers ?? {};
    const attributes = { 'messaging.destination.name': row.subject, 'messaging.message.id': row.payload.id };
    return inSpan('outbox relay', { parentHeaders: headers, attributes }, () => this.bus.publish(row.subject, row.payload, headers));
  }

  async backlog(): Promise<number> {
    const { rows } = await this.db.query<{ n: number | string }>('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL');
    return Number(rows[0]?.n ?? 0);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let sent = 0;
      try {
        sent = await this.relayOnce();
        if (sent > 0 && Date.now() - this.lastBacklog < 1000) {
          failures = 0; // the gauge is refreshed once a second while events flow, not after every pass
        } else {
          this.lastBacklog = Date.now();
          const backlog = await this.backlog();
          this.options.onBacklog?.(backlog);
          failures = backlog > 0 && sent === 0 ? failures + 1 : 0;
        }
        await this.pruneNow();
      } catch (error) {
        failures++;
        this.options.onFailed?.('outbox', error);
      }
      this.lastSent = sent;
      this.lastPassEnd = Date.now();
      if (sent === this.batchSize) continue;
      // Idle, or the bus is down: wait, longer after repeated failures.
      await this.pause(failures > 0 ? Math.min(5000, this.idleMs * 2 ** failures) : this.idleMs);
    }
  }

  private pause(ms: number): Promise<void> {
    // A write notified during the pass: its row may have come after the claim, so go again at once.
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private async pruneNow(): Promise<void> {
    if (Date.now() - this.lastPrune < 3_600_000) return;
    this.lastPrune = Date.now();
    await this.db.query(`DELETE FROM outbox WHERE published_at < now() - ($1 || ' milliseconds')::interval`, [String(this.retentionMs)]);
  }
}
