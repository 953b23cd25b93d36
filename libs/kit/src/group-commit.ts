/**
 * Group commit (docs/design.md §13): calls that arrive while a batch is being written wait, and go
 * together in the next batch, one statement and one transaction for all of them. A call on a quiet
 * system goes alone at the next turn of the event loop, so nothing waits for company; under load
 * each statement, trigger, plan and commit serves many calls. On PGlite most of a save's cost is
 * per statement, not per row: one link inserted alone took 1.2 ms, eight together 0.38 ms each.
 */

/** Writes a batch: one settled result per item, in order. Throwing fails every item with that error. */
export type WriteBatch<T, R> = (items: T[]) => Promise<Array<PromiseSettledResult<R>>>;

interface Waiting<T, R> {
  item: T;
  resolve: (value: R) => void;
  reject: (reason: unknown) => void;
}

export class GroupCommit<T, R> {
  private queue: Array<Waiting<T, R>> = [];
  private scheduled = false;
  private writing = false;

  constructor(
    private readonly write: WriteBatch<T, R>,
    /** Items per batch at most (one statement's parameters stay bounded). */
    private readonly maxBatch = 64,
  ) {}

  /** Resolves with the item's own result once its batch has been written. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Calls waiting or being written. */
  get pending(): number {
    return this.queue.length + (this.writing ? 1 : 0);
  }

  private schedule(): void {
    if (this.writing || this.scheduled) return;
    this.scheduled = true;
    // setImmediate, not a microtask: the requests that came in with this one (the same poll of the
    // event loop) join its batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        let results: Array<PromiseSettledResult<R>>;
        try {
          results = await this.write(batch.map((waiting) => waiting.item));
        } catch (error) {
          for (const waiting of batch) waiting.reject(error);
          continue;
        }
        batch.forEach((waiting, i) => {
          const result = results[i];
          if (result?.status === 'fulfilled') waiting.resolve(result.value);
          else waiting.reject(result ? result.reason : new Error(`group commit: no result for item ${i} of ${batch.length}`));
        });
      }
    } finally {
      this.writing = false;
    }
  }
}
