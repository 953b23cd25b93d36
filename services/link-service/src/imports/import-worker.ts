/**
 * Runs stored import jobs (docs/design.md §19 B): claims a running job with a
 * lease, so two replicas never run one job, and does it batch by batch, each
 * batch one transaction with the job's progress; a stop midway leaves the
 * job to whoever claims it next (this process after a restart, or another
 * replica once the lease lapses), which goes on at the next batch.
 */
import { randomUUID } from 'node:crypto';
import { importLimits } from '@delinkcious/object-model';
import { mergeInto } from './import-rules.ts';
import type { ImportStore } from './import-store.ts';

export interface ImportWorkerOptions {
  store: ImportStore;
  maxLinksPerUser: number;
  /** Who this worker is in the leases (default: a random id per process). */
  owner?: string;
  batchSize?: number;
  /** How long a claim lasts without a batch committing; another worker takes the job over after. */
  leaseMs?: number;
  /** How often to look for jobs (besides being told of a new one). */
  pollMs?: number;
  /** The new links of each committed batch: their checks go to the throttled background queue. */
  onAdded?: (links: Array<{ username: string; url: string }>) => void;
  onError?: (error: unknown) => void;
  /** A batch that fails this many times in this worker fails its job (state failed), rather than being tried forever. */
  maxFailures?: number;
  now?: () => Date;
}

export class ImportWorker {
  readonly owner: string;
  private readonly now: () => Date;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopping = false;
  /** Batches of a job that failed in this worker: past maxFailures, the job fails. */
  private readonly failures = new Map<string, number>();

  constructor(private readonly options: ImportWorkerOptions) {
    this.owner = options.owner ?? `import-worker-${randomUUID()}`;
    this.now = options.now ?? (() => new Date());
  }

  start(): void {
    if (this.timer) return;
    this.stopping = false;
    this.timer = setInterval(() => this.notify(), this.options.pollMs ?? 2000);
    this.timer.unref();
    this.notify();
  }

  /** A job may be waiting: run what there is (once more, if a run is under way). */
  notify(): void {
    if (this.stopping) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => {
        this.running = undefined;
        if (this.again && !this.stopping) {
          this.again = false;
          this.notify();
        }
      });
  }

  /** Stops after the batch under way commits, and gives the lease back. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Runs jobs until none is left to claim (or the worker stops). */
  async drain(): Promise<void> {
    while (!this.stopping && (await this.runOne()) !== 'none');
  }

  /**
   * Claims one job and runs it, at most `maxBatches` batches (for tests: a stop
   * midway); answers whether it found one and how that ended.
   */
  async runOne(maxBatches = Infinity): Promise<'none' | 'done' | 'stopped' | 'lost' | 'failed'> {
    const leaseMs = this.options.leaseMs ?? 60_000;
    const now = this.now();
    const id = await this.options.store.claimImport(this.owner, now, new Date(now.getTime() + leaseMs));
    if (!id) return 'none';
    for (let batches = 0; ; batches++) {
      if (this.stopping || batches >= maxBatches) {
        await this.options.store.releaseImport(id, this.owner);
        return 'stopped';
      }
      const at = this.now();
      let outcome;
      try {
        outcome = await this.options.store.runBatch(id, this.owner, {
          size: this.options.batchSize ?? importLimits.batchSize,
          maxLinksPerUser: this.options.maxLinksPerUser,
          now: at,
          leaseUntil: new Date(at.getTime() + leaseMs),
          merge: mergeInto,
        });
      } catch (error) {
        this.options.onError?.(error);
        const failures = (this.failures.get(id) ?? 0) + 1;
        this.failures.set(id, failures);
        if (failures >= (this.options.maxFailures ?? 3)) {
          this.failures.delete(id);
          await this.options.store.failImport(id, error instanceof Error ? error.message : String(error), this.now());
          return 'failed';
        }
        // The batch rolled back: the lease lapses and a later claim tries it again.
        return 'lost';
      }
      if (outcome.kind === 'lost') return 'lost';
      if (outcome.added.length > 0) this.options.onAdded?.(outcome.added);
      if (outcome.kind === 'done') return 'done';
      // Others' requests run between batches (embedded, one connection serves every service).
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
