import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupCommit } from '@delinkcious/kit';

/** A writer that records its batches and answers each item doubled, or fails items named "bad". */
function recording(options: { release?: Promise<void> } = {}) {
  const batches: number[][] = [];
  const write = async (items: number[]) => {
    batches.push(items);
    await options.release;
    return items.map((n): PromiseSettledResult<number> => (n < 0 ? { status: 'rejected', reason: new Error(`bad ${n}`) } : { status: 'fulfilled', value: n * 2 }));
  };
  return { batches, write };
}

describe('GroupCommit', () => {
  it('a call alone goes alone, and gets its own result', async () => {
    const { batches, write } = recording();
    const group = new GroupCommit(write);
    assert.equal(await group.submit(1), 2);
    assert.deepEqual(batches, [[1]]);
  });

  it('calls made together go in one batch; calls arriving while it is written go in the next', async () => {
    let release!: () => void;
    const { batches, write } = recording({ release: new Promise((resolve) => (release = resolve)) });
    const group = new GroupCommit(write);
    const first = [group.submit(1), group.submit(2), group.submit(3)];
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(batches, [[1, 2, 3]]);
    const later = [group.submit(4), group.submit(5)];
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(batches, [[1, 2, 3]], 'the next batch waits for the one being written');
    assert.equal(group.pending, 3);
    release();
    assert.deepEqual(await Promise.all([...first, ...later]), [2, 4, 6, 8, 10]);
    assert.deepEqual(batches, [[1, 2, 3], [4, 5]]);
    assert.equal(group.pending, 0);
  });

  it('each item settles with its own result; a failing item fails alone', async () => {
    const { write } = recording();
    const group = new GroupCommit(write);
    const results = await Promise.allSettled([group.submit(1), group.submit(-1), group.submit(3)]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.match(String((results[1] as PromiseRejectedResult).reason), /bad -1/);
  });

  it('a batch that throws fails its items, and the next batch is written', async () => {
    let calls = 0;
    const group = new GroupCommit<number, number>(async (items) => {
      if (calls++ === 0) throw new Error('database away');
      return items.map((n) => ({ status: 'fulfilled', value: n }));
    });
    const failed = Promise.allSettled([group.submit(1), group.submit(2)]);
    await new Promise((resolve) => setImmediate(resolve));
    const next = group.submit(3);
    assert.deepEqual((await failed).map((r) => r.status), ['rejected', 'rejected']);
    assert.equal(await next, 3);
  });

  it('a batch holds at most maxBatch items', async () => {
    const { batches, write } = recording();
    const group = new GroupCommit(write, 2);
    await Promise.all([1, 2, 3, 4, 5].map((n) => group.submit(n)));
    assert.deepEqual(batches, [[1, 2], [3, 4], [5]]);
  });

  it('a result missing from the writer\'s answer fails its item instead of leaving it waiting', async () => {
    const group = new GroupCommit<number, number>(async () => [{ status: 'fulfilled', value: 1 }]);
    const results = await Promise.allSettled([group.submit(1), group.submit(2)]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected']);
  });
});
