/**
 * The pace of background link checks (check-throttle.ts), on a fake clock: the
 * global rate, one check in flight per host with a gap between starts, hosts
 * taking turns, a save's check never waiting and the queue yielding to it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CheckThrottle, type ThrottleClock } from '../src/check-throttle.ts';

/** A clock the test moves; timers fire when it passes them. */
class FakeClock implements ThrottleClock {
  time = 0;
  private timers: Array<{ at: number; run: () => void; id: number }> = [];
  private nextId = 1;
  now = () => this.time;
  setTimeout = (run: () => void, ms: number) => {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, run, id });
    return id;
  };
  clearTimeout = (handle: unknown) => {
    this.timers = this.timers.filter((timer) => timer.id !== handle);
  };
  /** Moves time forward by `ms`, firing due timers in order and letting promises settle after each. */
  async advance(ms: number) {
    const end = this.time + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((timer) => timer.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((timer) => timer !== due);
      this.time = Math.max(this.time, due.at);
      due.run();
    }
    this.time = end;
    await settle();
  }
}

const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

/** Records when each check started; each takes `ms` of fake time (resolved by the test's clock). */
function recorder(clock: FakeClock, ms = 0) {
  const starts: Array<{ url: string; at: number }> = [];
  const run = (url: string) => () => {
    starts.push({ url, at: clock.time });
    if (ms === 0) return Promise.resolve(url);
    return new Promise<string>((resolve) => clock.setTimeout(() => resolve(url), ms));
  };
  return { starts, run };
}

describe('CheckThrottle', () => {
  test('at most ratePerSecond background checks start per second, across hosts', async () => {
    const clock = new FakeClock();
    const throttle = new CheckThrottle({ ratePerSecond: 5, hostGapMs: 0, clock });
    const { starts, run } = recorder(clock);
    for (let i = 0; i < 20; i++) throttle.background(`https://host${i}.example/`, run(`https://host${i}.example/`));
    await clock.advance(0);
    assert.equal(starts.length, 5, 'a second’s worth at once');
    await clock.advance(1000);
    assert.equal(starts.length, 10);
    await clock.advance(2000);
    assert.equal(starts.length, 20);
    assert.equal(throttle.queued, 0);
    // Past the first burst (a second's worth of tokens), no window of one second holds more than 5 starts.
    for (const { at } of starts.filter((start) => start.at >= 1000)) {
      assert.ok(starts.filter((start) => start.at > at - 1000 && start.at <= at).length <= 5);
    }
  });

  test('one host: one check in flight and hostGapMs between starts, whatever the rate', async () => {
    const clock = new FakeClock();
    const throttle = new CheckThrottle({ ratePerSecond: 100, hostGapMs: 1000, clock });
    const { starts, run } = recorder(clock, 1500);
    const done = [];
    for (let i = 0; i < 4; i++) done.push(throttle.background(`https://slow.example/${i}`, run(`https://slow.example/${i}`)));
    await clock.advance(10_000);
    assert.deepEqual(
      starts.map((start) => start.at),
      [0, 1500, 3000, 4500],
      'each starts when the one before finished (it took longer than the gap)',
    );
    assert.deepEqual(await Promise.all(done), ['https://slow.example/0', 'https://slow.example/1', 'https://slow.example/2', 'https://slow.example/3']);

    const quick = recorder(clock, 10);
    const t = clock.time;
    for (let i = 0; i < 3; i++) throttle.background(`https://quick.example/${i}`, quick.run(`https://quick.example/${i}`));
    await clock.advance(5000);
    assert.deepEqual(quick.starts.map((start) => start.at - t), [0, 1000, 2000], 'quick checks are a gap apart');
  });

  test('hosts take turns: a big import of one site does not hold back another site', async () => {
    const clock = new FakeClock();
    const throttle = new CheckThrottle({ ratePerSecond: 10, hostGapMs: 1000, clock });
    const { starts, run } = recorder(clock);
    for (let i = 0; i < 50; i++) throttle.background(`https://big.example/${i}`, run(`https://big.example/${i}`));
    throttle.background('https://small.example/1', run('https://small.example/1'));
    await clock.advance(0);
    assert.deepEqual(starts.map((start) => start.url), ['https://big.example/0', 'https://small.example/1']);
  });

  test('a save’s check never waits; the background yields to it', async () => {
    const clock = new FakeClock();
    const throttle = new CheckThrottle({ ratePerSecond: 2, hostGapMs: 0, clock });
    const { starts, run } = recorder(clock);
    for (let i = 0; i < 10; i++) throttle.background(`https://bg${i}.example/`, run(`https://bg${i}.example/`));
    await clock.advance(0);
    assert.equal(starts.length, 2);
    // Saves arrive: each runs at once, even with the rate spent.
    const saved = await Promise.all([1, 2, 3].map((i) => throttle.interactive(`https://saved${i}.example/`, run(`https://saved${i}.example/`))));
    assert.equal(saved.length, 3);
    assert.equal(starts.length, 5);
    // The rate owed for them is paid by the background: nothing more for 1.5 s (3 checks at 2/s), then 2/s again.
    await clock.advance(1400);
    assert.equal(starts.length, 5);
    await clock.advance(600);
    assert.equal(starts.length, 6);
  });

  test('a URL queued twice is checked once; a full queue refuses; stop drops the queue', async () => {
    const clock = new FakeClock();
    const throttle = new CheckThrottle({ ratePerSecond: 1, hostGapMs: 0, maxQueued: 3, clock });
    const { starts, run } = recorder(clock);
    // The first starts at once (leaving the queue); the next three fill it.
    throttle.background('https://a.example/0', run('https://a.example/0'));
    await clock.advance(0);
    const first = throttle.background('https://a.example/1', run('https://a.example/1'));
    const again = throttle.background('https://a.example/1', run('https://a.example/1'));
    assert.equal(first, again);
    throttle.background('https://b.example/', run('https://b.example/'));
    throttle.background('https://c.example/', run('https://c.example/'));
    assert.equal(throttle.queued, 3);
    assert.equal(throttle.background('https://d.example/', run('https://d.example/')), undefined, 'full');
    throttle.stop();
    assert.equal(await first, undefined);
    await clock.advance(10_000);
    assert.deepEqual(starts.map((start) => start.url), ['https://a.example/0']);
  });

  test('a check that fails rejects its waiter and frees its host', async () => {
    const clock = new FakeClock();
    const throttle = new CheckThrottle({ ratePerSecond: 10, hostGapMs: 0, clock });
    const failed = throttle.background('https://x.example/1', () => Promise.reject(new Error('checker down')));
    await assert.rejects(failed!, /checker down/);
    const ok = throttle.background('https://x.example/2', () => Promise.resolve('fine'));
    await clock.advance(0);
    assert.equal(await ok, 'fine');
  });
});
