/**
 * The pace of background link checks (docs/design.md §19 B): 20,000 imported
 * links must neither hammer the sites they point to nor starve the check of a
 * link saved now. Background checks (an import's links, the reconciler's) wait
 * in a queue per host and start at most `ratePerSecond` per second overall,
 * with at most one check in flight per host and `hostGapMs` between two starts
 * on one host; hosts take turns. A check asked for by a save (`interactive`)
 * never waits: it starts at once, takes its share of the rate (so the queue
 * yields to it) and counts as the host's check in flight.
 */

export interface ThrottleClock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: ThrottleClock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface CheckThrottleOptions {
  /** Background checks started per second, overall. */
  ratePerSecond: number;
  /** The least time between two starts on one host. */
  hostGapMs: number;
  /** Background checks waiting at most; past it a check is not queued (the reconciler asks again later). */
  maxQueued?: number;
  clock?: ThrottleClock;
}

interface Queued {
  url: string;
  run: () => Promise<unknown>;
  done: Promise<unknown>;
  settle: (outcome: { value?: unknown; error?: unknown }) => void;
}

interface Host {
  queue: Queued[];
  inFlight: number;
  lastStart: number;
}

export class CheckThrottle {
  private readonly clock: ThrottleClock;
  private readonly maxQueued: number;
  /** Hosts in turn order: the next check comes from the first that may start one. */
  private readonly hosts = new Map<string, Host>();
  /** Queued URLs: the same URL asked twice is one check. */
  private readonly byUrl = new Map<string, Queued>();
  private tokens: number;
  private refilledAt: number;
  private wake: { at: number; handle: unknown } | undefined;
  private stopped = false;

  constructor(private readonly options: CheckThrottleOptions) {
    this.clock = options.clock ?? realClock;
    this.maxQueued = options.maxQueued ?? 100_000;
    // A second's worth to start with: the first checks go at once.
    this.tokens = options.ratePerSecond;
    this.refilledAt = this.clock.now();
  }

  /** Checks waiting their turn. */
  get queued(): number {
    return this.byUrl.size;
  }

  /**
   * Queues `run` for `url`; resolves with its result once it ran (rejects with
   * its error). Undefined when the queue is full or the throttle stopped: the
   * check is not made (the reconciler finds the link pending later).
   */
  background<T>(url: string, run: () => Promise<T>): Promise<T> | undefined {
    if (this.stopped) return undefined;
    const queued = this.byUrl.get(url);
    if (queued) return queued.done as Promise<T>;
    if (this.byUrl.size >= this.maxQueued) return undefined;
    let settle!: Queued['settle'];
    const done = new Promise<unknown>((resolve, reject) => {
      settle = ({ value, error }) => (error === undefined ? resolve(value) : reject(error instanceof Error ? error : new Error(String(error))));
    });
    // A caller that does not wait for the outcome must not see an unhandled rejection.
    done.catch(() => {});
    const item: Queued = { url, run, done, settle };
    this.byUrl.set(url, item);
    this.host(hostOf(url)).queue.push(item);
    this.pump();
    return done as Promise<T>;
  }

  /** Runs `run` for `url` at once (a save's check), counted against the rate and the host. */
  async interactive<T>(url: string, run: () => Promise<T>): Promise<T> {
    this.refill();
    // May go below zero: the background waits until the rate has caught up.
    this.tokens -= 1;
    const host = this.host(hostOf(url));
    host.inFlight++;
    host.lastStart = this.clock.now();
    try {
      return await run();
    } finally {
      host.inFlight--;
      this.pump();
    }
  }

  /** Drops what is queued (each waiting caller gets undefined) and starts nothing more. */
  stop(): void {
    this.stopped = true;
    if (this.wake) this.clock.clearTimeout(this.wake.handle);
    this.wake = undefined;
    for (const item of this.byUrl.values()) item.settle({ value: undefined });
    this.byUrl.clear();
    this.hosts.clear();
  }

  /** Starts every check that may start now; sets a timer for the next one that will be able to. */
  private pump(): void {
    if (this.stopped) return;
    for (;;) {
      this.refill();
      const now = this.clock.now();
      let soonest = Infinity;
      let started = false;
      if (this.tokens >= 1) {
        for (const [name, host] of this.hosts) {
          if (host.queue.length === 0) {
            if (host.inFlight === 0) this.hosts.delete(name);
            continue;
          }
          if (host.inFlight > 0) continue;
          const readyAt = host.lastStart + this.options.hostGapMs;
          if (readyAt > now) {
            soonest = Math.min(soonest, readyAt);
            continue;
          }
          this.start(name, host, host.queue.shift()!);
          started = true;
          break;
        }
        if (started) continue;
      } else if (this.byUrl.size > 0) {
        soonest = this.refilledAt + ((1 - this.tokens) / this.options.ratePerSecond) * 1000;
      }
      if (soonest !== Infinity) this.wakeAt(Math.ceil(soonest));
      return;
    }
  }

  private start(name: string, host: Host, item: Queued): void {
    this.tokens -= 1;
    host.inFlight++;
    host.lastStart = this.clock.now();
    this.byUrl.delete(item.url);
    // Hosts take turns: this one goes to the back.
    this.hosts.delete(name);
    this.hosts.set(name, host);
    void Promise.resolve()
      .then(item.run)
      .then(
        (value) => item.settle({ value }),
        (error: unknown) => item.settle({ error: error ?? new Error('check failed') }),
      )
      .finally(() => {
        host.inFlight--;
        this.pump();
      });
  }

  private refill(): void {
    const now = this.clock.now();
    const rate = this.options.ratePerSecond;
    this.tokens = Math.min(rate, this.tokens + ((now - this.refilledAt) / 1000) * rate);
    this.refilledAt = now;
  }

  private wakeAt(at: number): void {
    if (this.wake && this.wake.at <= at) return;
    if (this.wake) this.clock.clearTimeout(this.wake.handle);
    const handle = this.clock.setTimeout(() => {
      this.wake = undefined;
      this.pump();
    }, Math.max(0, at - this.clock.now()));
    this.wake = { at, handle };
  }

  private host(name: string): Host {
    let host = this.hosts.get(name);
    if (!host) {
      host = { queue: [], inFlight: 0, lastStart: -Infinity };
      this.hosts.set(name, host);
    }
    return host;
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}
