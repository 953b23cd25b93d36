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
}

/**
 * A circuit breaker in front of one downstream service: after repeated
 * failures (5xx, unreachable; never an answer such as 400 or 404, which means
 * the service works) calls fail fast with UnavailableError until a trial call
 * succeeds again.
 */
export class ServiceBreaker<A extends unknown[], R> {
  private readonly breaker: CircuitBreaker<A, R>;

  constructor(
    private readonly target: string,
    call: (...args: A) => Promise<R>,
    options: BreakerOptions = {},
  ) {
    this.breaker = new CircuitBreaker(call, {
      timeout: false, // each attempt has its own deadline
      errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
      resetTimeout: options.resetTimeoutMs ?? 5000,
      volumeThreshold: options.volumeThreshold ?? 5,
      rollingCountTimeout: 10_000,
      errorFilter: (error: unknown) => error instanceof DelinkciousError && error.status < 500,
    });
  }

  async fire(...args: A): Promise<R> {
    try {
      return await this.breaker.fire(...args);
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
}
