/**
 * When links get checked (docs/design.md §5). A link saved with a new URL is
 * checked in the background, after its change committed. A URL saved by many
 * users is checked once per interval: the first to claim it asks the
 * link-checker, and a recent result is reused. The result arrives as a
 * link.checked event and applies to every link with that URL. A reconciler
 * asks again for links left pending (the checker was down, say) and for
 * results gone stale.
 */
import type { LinkCheckResult } from '@delinkcious/object-model';
import type { LinkStore } from './stores/link-store.ts';

/** The link-checker function: checks a URL and publishes the result. */
export interface LinkCheckRequester {
  check(username: string, url: string): Promise<unknown>;
}

export type CheckOutcome = 'reused' | 'requested' | 'in_progress' | 'failed';

export interface CheckSchedulerOptions {
  store: LinkStore;
  checker: LinkCheckRequester;
  /** Applies a known result (the manager's applyCheckResult). */
  apply: (result: LinkCheckResult) => Promise<number>;
  /** A link pending this long is checked again (also: how long a claim lasts). */
  pendingAfterMs: number;
  /** A result older than this is checked again, and not reused. */
  revalidateAfterMs: number;
  /** Period of the reconciler inside the service; 0 leaves it to `delinkcious recheck`. */
  reconcileEveryMs?: number;
  /** Tries per request before leaving the link to the reconciler. */
  attempts?: number;
  retryDelayMs?: number;
  batchSize?: number;
  concurrency?: number;
  now?: () => Date;
  onError?: (url: string, error: unknown) => void;
}

export interface ReconcileReport {
  examined: number;
  requested: number;
  reused: number;
  failed: number;
}

export class LinkCheckScheduler {
  private readonly inFlight = new Set<Promise<unknown>>();
  private timer: NodeJS.Timeout | undefined;
  private reconciling: Promise<ReconcileReport> | undefined;
  private readonly now: () => Date;

  constructor(private readonly options: CheckSchedulerOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Asks for a check in the background: never throws, never delays the caller. */
  request(username: string, url: string): void {
    const pending = this.check(username, url).finally(() => this.inFlight.delete(pending));
    this.inFlight.add(pending);
  }

  async check(username: string, url: string): Promise<CheckOutcome> {
    const now = this.now();
    try {
      const claim = await this.options.store.claimCheck(
        url,
        now,
        new Date(now.getTime() - this.options.revalidateAfterMs),
        new Date(now.getTime() - this.options.pendingAfterMs),
      );
      if (claim.kind === 'known') {
        await this.options.apply(claim.result);
        return 'reused';
      }
      if (claim.kind === 'in_progress') return 'in_progress';
    } catch (error) {
      this.options.onError?.(url, error);
      return 'failed';
    }
    const attempts = this.options.attempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.checker.check(username, url);
        return 'requested';
      } catch (error) {
        if (attempt >= attempts) {
          // The claim stays: the reconciler asks again once it expires.
          this.options.onError?.(url, error);
          return 'failed';
        }
        await new Promise((resolve) => setTimeout(resolve, (this.options.retryDelayMs ?? 1000) * 2 ** (attempt - 1)));
      }
    }
  }

  /** One pass: asks again for what is pending too long or checked too long ago. */
  reconcile(): Promise<ReconcileReport> {
    this.reconciling ??= this.reconcilePass().finally(() => (this.reconciling = undefined));
    return this.reconciling;
  }

  start(): void {
    const every = this.options.reconcileEveryMs ?? 0;
    if (every <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.reconcile().catch((error) => this.options.onError?.('reconcile', error)), every);
    this.timer.unref();
  }

  /** Stops the reconciler and waits for requests under way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.inFlight, this.reconciling]);
  }

  private async reconcilePass(): Promise<ReconcileReport> {
    const now = this.now().getTime();
    const due = await this.options.store.urlsToRecheck(
      new Date(now - this.options.pendingAfterMs),
      new Date(now - this.options.revalidateAfterMs),
      this.options.batchSize ?? 500,
    );
    const report: ReconcileReport = { examined: due.length, requested: 0, reused: 0, failed: 0 };
    const queue = [...due];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const outcome = await this.check(next.username, next.url);
        if (outcome === 'requested') report.requested++;
        else if (outcome === 'reused') report.reused++;
        else if (outcome === 'failed') report.failed++;
      }
    };
    await Promise.all(Array.from({ length: this.options.concurrency ?? 4 }, worker));
    return report;
  }
}
