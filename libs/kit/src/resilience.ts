/** Retries with exponential backoff and full jitter, and a circuit breaker per downstream service. */
import CircuitBreaker from 'opossum';
import { DelinkciousError, UnavailableError } from '@delinkcious/object-model';

export interface RetryOptions {
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  shouldRetry: (error: unknown) => boolean;
}

function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number): number {
  return Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
}

export async function withRetries<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= options.retries || !options.shouldRetry(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, options.baseDelayMs, options.maxDelayMs)));
    }
  }
}

export interface BreakerOptions {
  errorThresholdPercentage?: number;
  resetTimeoutMs?: number;
  volumeThreshold?: number;
  /**
   * How long a call arriving while the half-open trial call is in flight
   * waits for that trial's outcome. The trial has its own deadline (the call
   * timeout), so this only guards against a call without one.
   */
  trialWaitMs?: number;
}

/**
 * Whether a failed call counts against the service: it did not answer, or
 * answered that it (or its store) failed. An answer such as 400 or 404 means
 * the service works and the caller's request was wrong; an error that is not
 * a DelinkciousError was raised on this side before or after the call (a
 * malformed request, say), so neither may open the circuit.
 */
export function isOutage(error: unknown): boolean {
  return error instanceof DelinkciousError && error.status >= 500;
}

/**
 * A circuit breaker in front of one downstream service: after repeated
 * outages (see isOutage) calls fail fast with UnavailableError until a trial
 * call succeeds again. Calls that arrive while the trial is in flight wait for
 * its outcome instead of being refused, so a recovered service serves the
 * whole burst at once; if the trial fails they fail fast.
 */
export class ServiceBreaker<A extends unknown[], R> {
  private readonly breaker: CircuitBreaker<A, R>;
  private readonly trialWaitMs: number;
  /** Settles (never rejects) when the half-open trial call in flight ends. */
  private trial: Promise<void> | undefined;

  constructor(
    private readonly target: string,
    call: (...args: A) => Promise<R>,
    options: BreakerOptions = {},
  ) {
    this.trialWaitMs = options.trialWaitMs ?? 10_000;
    this.breaker = new CircuitBreaker(call, {
      timeout: false, // each attempt has its own deadline
      errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
      resetTimeout: options.resetTimeoutMs ?? 5000,
      volumeThreshold: options.volumeThreshold ?? 5,
      rollingCountTimeout: 10_000,
      errorFilter: (error: unknown) => !isOutage(error),
    });
  }

  async fire(...args: A): Promise<R> {
    if (this.trial && this.breaker.halfOpen) await this.waitForTrial(this.trial);
    try {
      // opossum lets exactly one call through in half-open: the one fired while pendingClose holds.
      const isTrial = this.breaker.pendingClose;
      const result = this.breaker.fire(...args);
      if (isTrial) this.trackTrial(result);
      return await result;
    } catch (error) {
      if (error instanceof Error && CircuitBreaker.isOurError(error)) {
        throw new UnavailableError(`${this.target} is unavailable (failing fast after repeated errors)`, { cause: error });
      }
      throw error;
    }
  }

  /** Stops the breaker's timers. */
  close(): void {
    this.breaker.shutdown();
  }

  private trackTrial(result: Promise<R>): void {
    const trial = result.then(
      () => undefined,
      () => undefined,
    );
    this.trial = trial;
    void trial.then(() => {
      if (this.trial === trial) this.trial = undefined;
    });
  }

  /** Waits for the trial to end, at most trialWaitMs; the breaker's state then decides the call. */
  private async waitForTrial(trial: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.trialWaitMs)));
    await Promise.race([trial, bound]);
    clearTimeout(timer);
  }
}
