/**
 * One full garbage collection when the process falls quiet after a burst of work (docs/design.md
 * §13). V8 collects its old generation when it grows past a limit set from the last live size, so
 * after a burst the heap keeps the burst's garbage until the next one. Measured embedded, 2 s after
 * the benchmark's searches and writes: 284 MiB resident, the heap using 105 MiB of which 38 were
 * live; one collection brought the process to 221 MiB. Each interval reads the event loop's
 * utilization: after an interval busier than `busy`, the first one quieter than `idle` collects once
 * (a pause of tens of ms, when no request waits), if the heap grew by `minGrowthBytes` since the last.
 *
 * The growth is of the heap's size, what the process holds of it (V8's total_heap_size), not of its
 * used part: V8's own collections during the burst keep the used part low while the pages they
 * emptied stay held. Measured after the benchmark's writes: 48 MiB used of a 138 MiB heap, which
 * the used part's growth (under 16 MiB) never collected; one collection gave back 50 MiB of RSS.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';

export interface IdleCollectorOptions {
  intervalMs?: number;
  /** Share of an interval the event loop was busy (0–1) that counts as work. */
  busy?: number;
  /** Share under which an interval counts as quiet. */
  idle?: number;
  /** Heap growth since the last collection below which a collection is not worth its pause. */
  minGrowthBytes?: number;
  /** The collection and the heap's size (tests stand in for both); default: V8's own. */
  collect?: () => void;
  heapSize?: () => number;
}

/** V8's gc(), whose options V8 12+ (Node.js 22+) reads. */
type Gc = (options?: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/**
 * V8 11 (Node.js 20) collected less with options than without (a dropped 300,000-object list stayed
 * in the heap, measured), and V8 13 (Node.js 24) less without them.
 */
const readsOptions = Number(process.versions.v8.split('.')[0]) >= 12;

/**
 * V8's gc(), which only `--expose-gc` on the command line would give: the flag applies to contexts
 * made while it is set. With V8 12+ the collection is the memory-reducing one (`flavor:
 * 'last-resort'`): on Node.js 24 the young generation grows to 128 MiB under load, and a plain
 * collection keeps all of it (measured: 363 MiB resident after one, 64 after this). Node.js 20 has
 * no such collection; its full one compacts the whole old generation through a flag read during
 * it, set only around it: a plain one moves only the emptiest pages, and after the benchmark's
 * writes it left 82 MiB of old generation held for 35 live, compacting left 35 (measured).
 */
function fullCollection(): () => void {
  v8.setFlagsFromString('--expose-gc');
  let gc: Gc;
  try {
    gc = vm.runInNewContext('gc') as Gc;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
  if (readsOptions) return () => gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  return () => {
    v8.setFlagsFromString('--compact-on-every-full-gc');
    try {
      gc();
    } finally {
      v8.setFlagsFromString('--no-compact-on-every-full-gc');
    }
  };
}

export class IdleCollector {
  private readonly intervalMs: number;
  private readonly busy: number;
  private readonly idle: number;
  private readonly minGrowthBytes: number;
  private readonly collect: () => void;
  private readonly heapSize: () => number;
  private timer: NodeJS.Timeout | undefined;
  private loop: EventLoopUtilization = performance.eventLoopUtilization();
  private workedSinceCollection = false;
  /** The heap's size after the last collection, or the lowest seen since. */
  private floor: number;
  /** Collections made so far. */
  collections = 0;

  constructor(options: IdleCollectorOptions = {}) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.busy = options.busy ?? 0.2;
    this.idle = options.idle ?? 0.05;
    this.minGrowthBytes = options.minGrowthBytes ?? 16 * 1024 * 1024;
    this.collect = options.collect ?? fullCollection();
    this.heapSize = options.heapSize ?? (() => v8.getHeapStatistics().total_heap_size);
    this.floor = this.heapSize();
  }

  start(): this {
    this.timer ??= setInterval(() => this.tick(), this.intervalMs).unref();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One interval, given the event loop's utilization over it: whether it collected. */
  tick(utilization = this.utilizationSinceLastTick()): boolean {
    const size = this.heapSize();
    this.floor = Math.min(this.floor, size);
    if (utilization >= this.busy) this.workedSinceCollection = true;
    if (utilization > this.idle || !this.workedSinceCollection) return false;
    this.workedSinceCollection = false;
    if (size - this.floor < this.minGrowthBytes) return false;
    this.collect();
    this.collections++;
    this.floor = this.heapSize();
    return true;
  }

  private utilizationSinceLastTick(): number {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, this.loop);
    this.loop = now;
    return utilization;
  }
}
