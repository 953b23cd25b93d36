/** IdleCollector: one full collection when the process falls quiet after work, and only then. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import v8 from 'node:v8';
import { IdleCollector } from '../src/idle-collector.ts';

const MiB = 1024 * 1024;

/** A collector over a stand-in heap: `heap.size` is what it reads, `collect` shrinks it to `heap.live`. */
function collectorOverStandInHeap() {
  const heap = { size: 40 * MiB, live: 40 * MiB, collections: 0 };
  const collector = new IdleCollector({
    heapSize: () => heap.size,
    collect: () => {
      heap.collections++;
      heap.size = heap.live;
    },
  });
  return { heap, collector };
}

describe('IdleCollector', () => {
  test('collects once on the first quiet interval after busy ones, when the heap grew', () => {
    const { heap, collector } = collectorOverStandInHeap();
    heap.size += 10 * MiB;
    assert.equal(collector.tick(0.9), false, 'busy: no collection during work');
    heap.size += 60 * MiB;
    assert.equal(collector.tick(0.5), false);
    assert.equal(collector.tick(0.01), true, 'quiet after work: one collection');
    assert.equal(heap.collections, 1);
    heap.size += 30 * MiB; // garbage made while quiet (timers, a health probe)
    assert.equal(collector.tick(0), false, 'still quiet: no second collection without work between');
    assert.equal(collector.collections, 1);
  });

  test('never collects on a process that has not worked', () => {
    const { heap, collector } = collectorOverStandInHeap();
    heap.size += 100 * MiB;
    for (let i = 0; i < 5; i++) assert.equal(collector.tick(0.01), false);
    assert.equal(heap.collections, 0);
  });

  test('a light load is neither work nor quiet: the collection waits for the quiet after it', () => {
    const { heap, collector } = collectorOverStandInHeap();
    collector.tick(0.6);
    heap.size += 50 * MiB;
    assert.equal(collector.tick(0.1), false, 'light load: not quiet yet');
    assert.equal(collector.tick(0.1), false);
    assert.equal(collector.tick(0.02), true);
  });

  test('does not pause for little: under minGrowthBytes of growth since the last collection, nothing', () => {
    const { heap, collector } = collectorOverStandInHeap();
    collector.tick(0.9);
    heap.size += 8 * MiB;
    assert.equal(collector.tick(0), false);
    assert.equal(heap.collections, 0);
    // Growth is measured from the lowest heap seen: V8's own collections lower it.
    heap.size = 30 * MiB;
    collector.tick(0.9);
    heap.size = 47 * MiB;
    assert.equal(collector.tick(0), true);
  });

  test("the default collection is V8's full one: garbage is gone after it", () => {
    const collector = new IdleCollector({ minGrowthBytes: 0 });
    let garbage: Array<{ n: number; text: string }> | undefined = Array.from({ length: 300_000 }, (_, n) => ({ n, text: `item ${n}` }));
    assert.equal(garbage.length, 300_000);
    garbage = undefined;
    const young = () => Math.round(v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')!.space_size / MiB);
    const before = v8.getHeapStatistics();
    const youngBefore = young();
    collector.tick(1);
    assert.equal(collector.tick(0), true);
    const after = v8.getHeapStatistics();
    const youngAfter = young();
    const used = [before.used_heap_size, after.used_heap_size].map((bytes) => Math.round(bytes / MiB));
    assert.ok(before.used_heap_size - after.used_heap_size > 10 * MiB, `the heap's used part went from ${used[0]} to ${used[1]} MiB`);
    // What it reads by default is the heap's size, which the collection gives back.
    const size = [before.total_heap_size, after.total_heap_size].map((bytes) => Math.round(bytes / MiB));
    assert.ok(before.total_heap_size - after.total_heap_size > 10 * MiB, `the heap's size went from ${size[0]} to ${size[1]} MiB`);
    if (Number(process.versions.node.split('.')[0]) >= 24) {
      // Node.js 24's V8 takes the memory-reducing collection: the young generation is given back too.
      assert.ok(youngAfter < youngBefore, `the young generation went from ${youngBefore} to ${youngAfter} MiB`);
    }
    assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined', 'gc() is not made a global of the process');
  });

  test('start() ticks on its own; stop() ends it', async () => {
    const collector = new IdleCollector({ intervalMs: 5, heapSize: () => 0, collect: () => undefined });
    let ticks = 0;
    const tick = collector.tick.bind(collector);
    collector.tick = (utilization?: number) => (ticks++, tick(utilization));
    collector.start();
    await new Promise((resolve) => setTimeout(resolve, 60));
    collector.stop();
    const seen = ticks;
    assert.ok(seen >= 3, `ticked ${seen} times in 60 ms`);
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(ticks, seen, 'no tick after stop()');
  });
});
