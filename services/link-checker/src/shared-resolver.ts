/**
 * The checker's DNS (docs/design.md §5): every check of a host shares one lookup, its answer (or
 * failure) is reused for a short while, and at most a few lookups run at once.
 *
 * getaddrinfo runs on libuv's thread pool (4 threads by default), which the process's file, crypto
 * and compression work share, and a started lookup cannot be cancelled. With a lookup per check, a
 * burst of saves to one host (an import, a script) queued one lookup per link: the checks passed
 * their deadline waiting in the pool (2,920 of 3,000 links marked "timeout" in one run, where the
 * name answered in 15 ms), and their lookups ran on, holding the pool and ~10 kB each, long after.
 * A lookup still queued here when every check waiting for it has given up is dropped unstarted.
 */
import type { ResolvedAddress, Resolver } from './ssrf-guard.ts';

export interface SharedResolverOptions {
  /** The lookup itself: getaddrinfo (ssrf-guard.ts systemResolver). */
  lookup: Resolver;
  /** Lookups running at once: fewer than the thread pool's 4, so the process's other work always gets a thread. */
  concurrency?: number;
  /** How long an answer is reused. Short: a site that moved is found at its new address soon. */
  answerTtlMs?: number;
  /** How long a failure (no such name, no answer) is reused: a burst to a dead host costs one lookup. */
  failureTtlMs?: number;
  /** Hosts remembered at most; the least recently asked goes first. */
  maxHosts?: number;
  now?: () => number;
}

/** One host's lookup: queued, running, or settled and reused until `expiresAt`. */
interface HostLookup {
  state: 'queued' | 'running' | 'settled' | 'dropped';
  readonly answer: Promise<ResolvedAddress[]>;
  readonly start: () => void;
  readonly drop: (reason: Error) => void;
  /** While queued: the callers waiting for it (one without a signal waits for good). */
  waiting: number;
  /** Once settled. */
  expiresAt?: number;
}

export class SharedResolver {
  private readonly hosts = new Map<string, HostLookup>();
  private readonly queue: string[] = [];
  private running = 0;
  private readonly lookup: Resolver;
  private readonly concurrency: number;
  private readonly answerTtlMs: number;
  private readonly failureTtlMs: number;
  private readonly maxHosts: number;
  private readonly now: () => number;

  constructor(options: SharedResolverOptions) {
    this.lookup = options.lookup;
    this.concurrency = options.concurrency ?? 2;
    this.answerTtlMs = options.answerTtlMs ?? 30_000;
    this.failureTtlMs = options.failureTtlMs ?? 5_000;
    this.maxHosts = options.maxHosts ?? 1_000;
    this.now = options.now ?? Date.now;
  }

  /** A Resolver: every address of `hostname`; `signal` tells when the caller no longer waits. */
  readonly resolve = (hostname: string, signal?: AbortSignal): Promise<ResolvedAddress[]> => {
    let host = this.hosts.get(hostname);
    if (host?.expiresAt !== undefined && host.expiresAt <= this.now()) host = undefined;
    if (host) this.hosts.delete(hostname); // set again below: the Map's order is the eviction order
    else host = this.enqueue(hostname);
    this.hosts.set(hostname, host);
    if (host.state === 'queued') this.wait(hostname, host, signal);
    this.next();
    this.evict();
    return host.answer;
  };

  /** Hosts remembered now (answers, failures, lookups queued or running). */
  get size(): number {
    return this.hosts.size;
  }

  private enqueue(hostname: string): HostLookup {
    let start!: () => void;
    let drop!: (reason: Error) => void;
    const answer = new Promise<ResolvedAddress[]>((resolve, reject) => {
      drop = reject;
      start = () => void Promise.resolve(hostname).then(this.lookup).then(resolve, reject);
    });
    // Every caller handles the answer; this keeps a dropped lookup nobody reads from counting as unhandled.
    answer.catch(() => undefined);
    const host: HostLookup = { state: 'queued', answer, start, drop, waiting: 0 };
    const settled = (ttl: number) => {
      if (host.state !== 'running') return;
      this.running--;
      host.state = 'settled';
      host.expiresAt = this.now() + ttl;
      this.next();
    };
    answer.then(
      () => settled(this.answerTtlMs),
      () => settled(this.failureTtlMs),
    );
    this.queue.push(hostname);
    return host;
  }

  /** Counts a caller waiting for a queued lookup; when the last one gives up, the lookup is dropped unstarted. */
  private wait(hostname: string, host: HostLookup, signal: AbortSignal | undefined): void {
    if (!signal) host.waiting = Infinity;
    else if (!signal.aborted) {
      host.waiting++;
      signal.addEventListener('abort', () => --host.waiting <= 0 && this.dropUnstarted(hostname, host), { once: true });
    } else if (host.waiting === 0) this.dropUnstarted(hostname, host);
  }

  private dropUnstarted(hostname: string, host: HostLookup): void {
    if (host.state !== 'queued') return;
    host.state = 'dropped';
    const at = this.queue.indexOf(hostname);
    if (at >= 0) this.queue.splice(at, 1);
    if (this.hosts.get(hostname) === host) this.hosts.delete(hostname);
    host.drop(Object.assign(new Error(`the lookup of ${hostname} was dropped: no check waits for it`), { name: 'AbortError' }));
  }

  private next(): void {
    while (this.running < this.concurrency && this.queue.length > 0) {
      const host = this.hosts.get(this.queue.shift()!);
      if (host?.state !== 'queued') continue;
      host.state = 'running';
      this.running++;
      host.start();
    }
  }

  /** Past maxHosts, the least recently asked settled hosts go (queued and running lookups stay). */
  private evict(): void {
    if (this.hosts.size <= this.maxHosts) return;
    for (const [hostname, host] of this.hosts) {
      if (this.hosts.size <= this.maxHosts) return;
      if (host.state === 'settled') this.hosts.delete(hostname);
    }
  }
}
