/**
 * Pinboard's rate limits, per user: its clients expect a 429 when they call
 * too often, and back off (doubling their interval) until calls pass again.
 * Counted per user in fixed one-minute windows, in this replica's memory
 * (the gateway's shared limiter, keyed by address for these requests, still
 * applies in front): N replicas allow up to N times the limit, which is a
 * courtesy limit, not a quota.
 */
export class WindowLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  /** `max` calls per `windowMs` per key; 0 allows everything. */
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a call; answers undefined when it may go ahead, else the seconds until it may. */
  take(key: string): number | undefined {
    if (this.max <= 0) return undefined;
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      if (!window && this.windows.size >= maxKeys) this.forgetExpired(now);
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    if (window.count >= this.max) return Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000));
    window.count++;
    return undefined;
  }

  private forgetExpired(now: number): void {
    for (const [key, window] of this.windows) if (now - window.start >= this.windowMs) this.windows.delete(key);
    // Still full of live windows (a flood of users within one window): start over rather than grow without bound.
    if (this.windows.size >= maxKeys) this.windows.clear();
  }
}

/** How many users' windows one replica remembers at most. */
const maxKeys = 100_000;
