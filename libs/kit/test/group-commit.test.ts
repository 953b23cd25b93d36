import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupCommit, interactiveGatherMs, type GroupCommitOptions } from '../src/group-commit.ts';

/**
 * A writer that records how it was called: `together` answers each number doubled and fails a batch
 * holding a negative one; `alone` answers the number doubled and fails a negative one.
 */
function recording(options: Partial<GroupCommitOptions<number, number>> & { release?: Promise<void> } = {}) {
  const calls: string[] = [];
  const group = new GroupCommit<number, number>({
    together: async (items) => {
      calls.push(`together ${items.join(',')}`);
      await options.release;
      if (items.some((n) => n < 0)) throw new Error('a batch with a bad item');
      return items.map((n) => n * 2);
    },
    alone: async (n) => {
      calls.push(`alone ${n}`);
      if (n < 0) throw new Error(`bad ${n}`);
      return n * 2;
    },
    ...options,
  });
  return { calls, group };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('a call alone goes alone, and gets its own result', async () => {
    const { calls, group } = recording();
    assert.equal(await group.submit(1), 2);
    assert.deepEqual(calls, ['alone 1']);
  });

  it('calls made together go in one batch; calls arriving while it is written go in the next', async () => {
    let release!: () => void;
    const { calls, group } = recording({ release: new Promise((resolve) => (release = resolve)) });
    const first = [group.submit(1), group.submit(2), group.submit(3)];
    await tick();
    assert.deepEqual(calls, ['together 1,2,3']);
    const later = [group.submit(4), group.submit(5)];
    await tick();
    assert.deepEqual(calls, ['together 1,2,3'], 'the next batch waits for the one being written');
    assert.equal(group.pending, 3);
    release();
    assert.deepEqual(await Promise.all([...first, ...later]), [2, 4, 6, 8, 10]);
    assert.deepEqual(calls, ['together 1,2,3', 'together 4,5']);
    assert.equal(group.pending, 0);
  });

  it('a batch that fails together is written item by item, in order: each gets its own outcome', async () => {
    const { calls, group } = recording();
    const results = await Promise.allSettled([group.submit(1), group.submit(-1), group.submit(3)]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.equal((results[0] as PromiseFulfilledResult<number>).value, 2);
    assert.match(String((results[1] as PromiseRejectedResult).reason), /bad -1/);
    assert.deepEqual(calls, ['together 1,-1,3', 'alone 1', 'alone -1', 'alone 3']);
  });

  it('a batch groupable refuses goes item by item', async () => {
    const { calls, group } = recording({ groupable: (items) => new Set(items).size === items.length });
    assert.deepEqual(await Promise.all([group.submit(1), group.submit(1), group.submit(2)]), [2, 2, 4]);
    assert.deepEqual(calls, ['alone 1', 'alone 1', 'alone 2']);
  });

  it('an answer of the wrong length is not trusted: item by item', async () => {
    const calls: string[] = [];
    const group = new GroupCommit<number, number>({
      together: async () => [0],
      alone: async (n) => (calls.push(`alone ${n}`), n),
    });
    assert.deepEqual(await Promise.all([group.submit(1), group.submit(2)]), [1, 2]);
    assert.deepEqual(calls, ['alone 1', 'alone 2']);
  });

  it('a batch holds at most maxBatch items', async () => {
    const { calls, group } = recording({ maxBatch: 2 });
    await Promise.all([1, 2, 3, 4, 5].map((n) => group.submit(n)));
    assert.deepEqual(calls, ['together 1,2', 'together 3,4', 'alone 5']);
  });

  it('under load, background work gathers: calls arriving after a shared batch wait for the next, together', async () => {
    const { calls, group } = recording({ gatherMs: 200 });
    const first = [group.submit(1), group.submit(2)];
    assert.deepEqual(await Promise.all(first), [2, 4]);
    // Arriving one by one, each in a turn of its own, after the batch of two was written: one batch.
    const later: Array<Promise<number>> = [];
    for (const n of [3, 4, 5]) {
      later.push(group.submit(n));
      await tick();
    }
    assert.deepEqual(calls, ['together 1,2'], 'nothing is written while the next batch gathers');
    assert.deepEqual(await Promise.all(later), [6, 8, 10]);
    assert.deepEqual(calls, ['together 1,2', 'together 3,4,5']);
  });

  it('under load, saves gather briefly: the one that comes back first waits for the others of its batch', async () => {
    const { calls, group } = recording({ gatherMs: interactiveGatherMs });
    assert.deepEqual(await Promise.all([group.submit(1), group.submit(2), group.submit(3)]), [2, 4, 6]);
    // Their callers come back one turn of the event loop after another, not all in the same one.
    const again: Array<Promise<number>> = [];
    for (const n of [4, 5, 6]) {
      again.push(group.submit(n));
      await tick();
    }
    assert.deepEqual(await Promise.all(again), [8, 10, 12]);
    assert.deepEqual(calls, ['together 1,2,3', 'together 4,5,6'], 'not 4 alone, then 5 and 6');
  });

  it('with goWhenCallersReturn, the batch goes as soon as the last batch\'s callers are back, not at the end of the gathering', async () => {
    // An hour, and calls still coming: only their number can end this gathering within the test.
    const { calls, group } = recording({ gatherMs: 3_600_000, goWhenCallersReturn: true });
    assert.deepEqual(await Promise.all([group.submit(1), group.submit(2), group.submit(3)]), [2, 4, 6]);
    const again: Array<Promise<number>> = [];
    for (const n of [4, 5]) {
      again.push(group.submit(n));
      await tick();
    }
    assert.deepEqual(calls, ['together 1,2,3'], 'two of the three callers back: the batch still gathers');
    again.push(group.submit(6));
    await tick();
    assert.deepEqual(calls, ['together 1,2,3', 'together 4,5,6'], 'the third back: it goes at the next turn');
    assert.deepEqual(await Promise.all(again), [8, 10, 12]);
  });

  it('a gathering batch goes once calls stop coming: a producer with a bound on its calls is not held for the whole gather', async () => {
    // An hour: a batch that waited for it would time the test out.
    const { calls, group } = recording({ gatherMs: 3_600_000 });
    assert.deepEqual(await Promise.all([group.submit(1), group.submit(2)]), [2, 4]);
    // A consumer with two events in flight sends both at once, then waits for them.
    assert.deepEqual(await Promise.all([group.submit(3), group.submit(4)]), [6, 8]);
    assert.deepEqual(await Promise.all([group.submit(5), group.submit(6)]), [10, 12]);
    assert.deepEqual(calls, ['together 1,2', 'together 3,4', 'together 5,6']);
  });

  it('calls made one at a time never wait to gather, nor does a full batch', async () => {
    // An hour: a call that waited for it would time the test out.
    const { calls, group } = recording({ gatherMs: 3_600_000, maxBatch: 2 });
    for (const n of [1, 2, 3]) assert.equal(await group.submit(n), n * 2);
    assert.deepEqual(calls, ['alone 1', 'alone 2', 'alone 3']);
    // Four at once with batches of two: the second batch is already full, so it goes without a wait.
    assert.deepEqual(await Promise.all([4, 5, 6, 7].map((n) => group.submit(n))), [8, 10, 12, 14]);
    assert.deepEqual(calls.slice(3), ['together 4,5', 'together 6,7']);
  });
});
