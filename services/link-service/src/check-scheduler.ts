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
import type { CheckThrottle } from './check-throttle.ts';

/** The link-checker function: checks a URL and publishes the result. */
export interface LinkCheckRequester {
  /** May answer the result too (LinkCheckerClient does): then it is applied at once, as the event would. */
  check(username: string, url: string): Promise<unknown>;
}

/** The full result in a checker's answer, when it carries one (older checkers do not). */
function resultIn(reply: unknown): LinkCheckResult | undefined {
  const result = (reply as { result?: LinkCheckResult } | null | undefined)?.result;
  return result && typeof result === 'object' && result.checkedAt instanceof Date ? result : undefined;
}

export type CheckOutcome = 'reused' | 'requested' | 'in_progress' | 'failed';

export interface CheckSchedulerOptions {
  store: LinkStore;
  checker: LinkCheckRequester;
  /** Applies a known result (the manager's applyCheckResult). */
  apply: (result: LinkCheckResult, source: 'reused' | 'answer') => Promise<number>;
  /** A link pending this long is checked again (also: how long a claim lasts). */
  pendingAfterMs: number;
  /** A result older than this is checked again, and not reused. */
  revalidateAfterMs: number;
  /** How long a recheck (`POST /links/recheck`) waits for its result before answering without it. */
  recheckWaitMs?: number;
  /** Period of the reconciler inside the service; 0 leaves it to `delinkcious recheck`. */
  reconcileEveryMs?: number;
  /** Tries per request before leaving the link to the reconciler. */
  attempts?: number;
  retryDelayMs?: number;
  batchSize?: number;
  concurrency?: number;
  now?: () => Date;
  onError?: (url: string, error: unknown) => void;
  /** Paces background checks (imports, the reconciler) and counts a save's check against the pace (check-throttle.ts). */
  throttle?: CheckThrottle;
  /** How long stop() waits for checks under way before it leaves them (their links stay pending). */
  stopWaitMs?: number;
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
  /** Set once stop() stopped waiting: a check that answers later applies nothing, tries no more. */
  private left = false;

  constructor(private readonly options: CheckSchedulerOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Asks for a check in the background: never throws, never delays the caller. */
  request(username: string, url: string): void {
    const throttle = this.options.throttle;
    const pending = (throttle ? throttle.interactive(url, () => this.check(username, url)) : this.check(username, url)).finally(() =>
      this.inFlight.delete(pending),
    );
    this.inFlight.add(pending);
  }

  /**
   * Checks `url` now for a user who asked (docs/design.md §17): no result is reused and no claim
   * waited for. Resolves when the result is applied, or after `recheckWaitMs` (the check goes on,
   * and its result applies when it comes).
   */
  async recheck(username: string, url: string): Promise<CheckOutcome | 'waiting'> {
    const pending = this.check(username, url, true).finally(() => this.inFlight.delete(pending));
    this.inFlight.add(pending);
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<'waiting'>((resolve) => (timer = setTimeout(() => resolve('waiting'), this.options.recheckWaitMs ?? 3000)));
    try {
      return await Promise.race([pending, waited]);
    } finally {
      clearTimeout(timer);
    }
  }

  async check(username: string, url: string, force = false): Promise<CheckOutcome> {
    const now = this.now();
    try {
      // Forced: a result is never fresh enough, and any earlier claim has expired.
      const future = new Date(now.getTime() + 1);
      const claim = await this.options.store.claimCheck(
        url,
        now,
        force ? future : new Date(now.getTime() - this.options.revalidateAfterMs),
        force ? future : new Date(now.getTime() - this.options.pendingAfterMs),
      );
      if (claim.kind === 'known') {
        await this.options.apply(claim.result, 'reused');
        return 'reused';
      }
      if (claim.kind === 'in_progress') return 'in_progress';
    } catch (error) {
      this.options.onError?.(url, error);
      return 'failed';
    }
    const attempts = this.options.attempts ?? 3;
    for (let attempt = 1; !this.left; attempt++) {
      try {
        const result = resultIn(await this.options.checker.check(username, url));
        if (this.left) return 'failed';
        // The same result comes as link.checked too (applying it twice changes nothing): a failure here is not the check's.
        if (result) await this.options.apply(result, 'answer').catch((error: unknown) => this.options.onError?.(url, error));
        return 'requested';
      } catch (error) {
        if (this.left) return 'failed';
        if (attempt >= attempts) {
          // The claim stays: the reconciler asks again once it expires.
          this.options.onError?.(url, error);
          return 'failed';
        }
        await new Promise((resolve) => setTimeout(resolve, (this.options.retryDelayMs ?? 1000) * 2 ** (attempt - 1)));
      }
    }
    return 'failed';
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

  /**
   * Asks for a check in the background queue (an imported link): paced by the
   * throttle, after any check a save asks for. Never throws; without a throttle, as request().
   */
  requestBackground(username: string, url: string): void {
    if (!this.options.throttle) return this.request(username, url);
    // Not queued (the queue is full): the link stays pending and the reconciler asks again later.
    void this.options.throttle.background(url, () => this.check(username, url))?.catch((error: unknown) => this.options.onError?.(url, error));
  }

  /**
   * Stops the reconciler, drops the queued checks and waits for those under way, at most
   * `stopWaitMs` (2 s): a save's check of a site that does not answer would otherwise hold a
   * shutdown for its timeout, hundreds of them past the grace period (then the process is killed,
   * and an embedded database recovers from its write-ahead log at the next start). What is left
   * applies nothing when it answers: its link stays pending and the reconciler asks again.
   */
  async stop(): Promise<void> {
    this.options.throttle?.stop();
    clearInterval(this.timer);
    this.timer = undefined;
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<'left'>((resolve) => (timer = setTimeout(() => resolve('left'), this.options.stopWaitMs ?? 2000)));
    const settled = Promise.allSettled([...this.inFlight, this.reconciling]).then(() => 'settled' as const);
    if ((await Promise.race([settled, waited])) === 'left') this.left = true;
    clearTimeout(timer);
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
      for (let next = queue.shift(); next && !this.left; next = queue.shift()) {
        const { username, url } = next;
        const throttle = this.options.throttle;
        const outcome = throttle ? ((await throttle.background(url, () => this.check(username, url))) ?? 'failed') : await this.check(username, url);
        if (outcome === 'requested') report.requested++;
        else if (outcome === 'reused') report.reused++;
        else if (outcome === 'failed') report.failed++;
      }
    };
    await Promise.all(Array.from({ length: this.options.concurrency ?? 4 }, worker));
    return report;
  }
}
