/**
 * Group commit (docs/design.md §13): calls that arrive while a batch is being written wait, and go
 * together in the next batch, one statement and one transaction for all of them. A call on a quiet
 * system goes alone at the next turn of the event loop, so nothing waits for company; under load
 * each statement, trigger, plan and commit serves many calls. On PGlite most of a save's cost is
 * per statement, not per row: one link inserted alone took 1.2 ms, eight together 0.38 ms each.
 *
 * Under load, the next batch may gather for `gatherMs` after the last one was written: work no
 * caller waits for (a check's claim and result) gathers long, since it would otherwise go in batches
 * as small as whatever came meanwhile, each paying the statement's cost again; calls someone waits
 * for (a save) gather briefly, so that the callers answered by the last batch, whose next calls come
 * a moment later, do not leave one early call to go alone at a whole statement's cost; and their
 * batch goes as soon as as many calls wait as the last batch held (its callers are back), not at the
 * end of the gathering, during which the process would otherwise sit idle.
 */

export interface GroupCommitOptions<T, R> {
  /** Writes several items in one go: one result per item, in order. */
  together(items: T[]): Promise<R[]>;
  /**
   * Writes one item. Used for a batch of one, for a batch `groupable` refuses, and for each item of
   * a batch `together` failed (a limit reached, a conflict, a fault): each then gets its own outcome.
   */
  alone(item: T): Promise<R>;
  /** Whether `together` can answer for these items (default: always). */
  groupable?(items: T[]): boolean;
  /** Items per batch at most (one statement's parameters stay bounded). */
  maxBatch?: number;
  /**
   * Under load (the batch just written had company), how long the next batch may gather while calls
   * keep coming (it goes once 10 ms pass without one). A call on a quiet system, or one after calls
   * made one at a time, never waits for it.
   */
  gatherMs?: number;
  /**
   * Under load, the gathering batch goes once as many calls wait as the last batch held: calls
   * someone waits for (a save), whose callers come back with their next call a moment after their
   * answers. Off for background work, whose batches are meant to grow while it gathers.
   */
  goWhenCallersReturn?: boolean;
}

/** gatherMs of background work: under load, a check's result shows at most this much later. */
export const backgroundGatherMs = 100;
/**
 * gatherMs of calls someone waits for: under load, a save waits at most this much for company. With
 * 10 clients saving at once, 14% of the batches were a lone save (1.7 ms of PGlite, against 3.7 for
 * eight) written just before the other nine came back.
 */
export const interactiveGatherMs = 2;
/** A gathering batch is written once this long passes with no new call. */
const quietMs = 10;

interface Waiting<T, R> {
  item: T;
  resolve: (value: R) => void;
  reject: (reason: unknown) => void;
}

export class GroupCommit<T, R> {
  private queue: Array<Waiting<T, R>> = [];
  private scheduled = false;
  private writing = false;
  /** Under load, when the next batch goes (gatherMs); before it, calls wait for company. */
  private gatherUntil = 0;
  /** Items of the last batch written with company (goWhenCallersReturn). */
  private lastBatch = 0;
  /** Ends the gathering now, while a batch gathers (goWhenCallersReturn only). */
  private goNow: (() => void) | undefined;

  constructor(private readonly options: GroupCommitOptions<T, R>) {}

  /** Resolves with the item's own result once its batch has been written. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.goNow && this.queue.length >= this.lastBatch) this.goNow();
      else this.schedule();
    });
  }

  /** Calls waiting or being written. */
  get pending(): number {
    return this.queue.length + (this.writing ? 1 : 0);
  }

  private get maxBatch(): number {
    return this.options.maxBatch ?? 64;
  }

  private schedule(): void {
    if (this.writing || this.scheduled) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      void this.drain();
    };
    // setImmediate, not a microtask: the requests that came in with this one (the same poll of the
    // event loop) join its batch.
    if (this.gatherUntil <= Date.now()) {
      setImmediate(run);
      return;
    }
    // Gathering: written once `quietMs` pass with no new call (a producer with a bound on its calls in
    // flight, such as a consumer, has sent all it will), when full, or at the end of the gathering.
    // With goWhenCallersReturn, also once the last batch's callers are back (submit); at the next
    // turn, so that calls of the same poll of the event loop still join.
    let seen = this.queue.length;
    let timer: NodeJS.Timeout | undefined;
    const wait = () => (timer = setTimeout(gather, Math.min(quietMs, this.gatherUntil - Date.now())));
    const gather = () => {
      if (this.gatherUntil > Date.now() && this.queue.length !== seen && this.queue.length < this.maxBatch) {
        seen = this.queue.length;
        return wait();
      }
      this.goNow = undefined;
      run();
    };
    if (this.options.goWhenCallersReturn) {
      this.goNow = () => {
        clearTimeout(timer);
        this.goNow = undefined;
        setImmediate(run);
      };
    }
    wait();
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        const results = await this.write(batch.map((waiting) => waiting.item));
        batch.forEach((waiting, i) => {
          const result = results[i]!;
          if (result.status === 'fulfilled') waiting.resolve(result.value);
          else waiting.reject(result.reason);
        });
        if (this.options.gatherMs && batch.length > 1) {
          this.gatherUntil = Date.now() + this.options.gatherMs;
          this.lastBatch = batch.length;
          // The next batch gathers, unless it is full already.
          if (this.queue.length < this.maxBatch) break;
        }
      }
    } finally {
      this.writing = false;
      if (this.queue.length > 0) this.schedule();
    }
  }

  private async write(items: T[]): Promise<Array<PromiseSettledResult<R>>> {
    const { together, alone, groupable } = this.options;
    if (items.length > 1 && (groupable?.(items) ?? true)) {
      try {
        const results = await together(items);
        if (results.length === items.length) return results.map((value) => ({ status: 'fulfilled', value }));
      } catch {
        // Item by item below: each for its own outcome.
      }
    }
    const results: Array<PromiseSettledResult<R>> = [];
    // In turn: items of one batch may touch the same rows, and one by one they see each other's writes.
    for (const item of items) {
      try {
        results.push({ status: 'fulfilled', value: await alone(item) });
      } catch (reason) {
        results.push({ status: 'rejected', reason });
      }
    }
    return results;
  }
}
