import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { UnavailableError } from '@delinkcious/object-model';
import { LinkCheckScheduler } from '../src/check-scheduler.ts';
import { DefaultLinkManager } from '../src/manager.ts';
import { MemoryLinkStore } from '../src/stores/memory-link-store.ts';

/** A link-checker stand-in: records requests; when up, "publishes" a result the way link.checked arrives. */
class FakeChecker {
  up = true;
  readonly requests: string[] = [];
  results = new Map<string, 'valid' | 'invalid'>();
  constructor(private readonly deliver: (url: string, status: 'valid' | 'invalid') => Promise<void>) {}
  async check(_username: string, url: string) {
    this.requests.push(url);
    if (!this.up) throw new UnavailableError('link-checker is unavailable');
    await this.deliver(url, this.results.get(url) ?? 'valid');
  }
}

let clock: number;
let store: MemoryLinkStore;
let manager: DefaultLinkManager;
let checker: FakeChecker;
let scheduler: LinkCheckScheduler;
const now = () => new Date(clock);
const minutes = (n: number) => n * 60_000;

beforeEach(() => {
  clock = Date.parse('2026-05-01T12:00:00Z');
  store = new MemoryLinkStore();
  checker = new FakeChecker(async (url, status) => void (await manager.applyCheckResult({ url, status, checkedAt: now() })));
  scheduler = new LinkCheckScheduler({
    store,
    checker,
    apply: (result) => manager.applyCheckResult(result),
    pendingAfterMs: minutes(5),
    revalidateAfterMs: minutes(60 * 24),
    attempts: 2,
    retryDelayMs: 1,
    now,
  });
  manager = new DefaultLinkManager({ store, maxLinksPerUser: 1000, checks: scheduler, now: () => new Date((clock += 1)) });
});

const statusOf = async (username: string, url: string) =>
  (await manager.getLinks({ username })).links.find((link) => link.url === url)?.status;

describe('link status lifecycle', () => {
  test('a new link is pending, then valid once its check comes back', async () => {
    const link = await manager.addLink({ username: 'alice', url: 'https://ok.example/', title: 'ok' });
    assert.equal(link.status, 'pending', 'the add answers at once, before the check');
    await scheduler.stop(); // waits for the background request
    assert.equal(await statusOf('alice', 'https://ok.example/'), 'valid');
    assert.deepEqual(checker.requests, ['https://ok.example/']);
  });

  test('a dead link becomes invalid; a URL change makes it pending and checks the new URL', async () => {
    checker.results.set('https://dead.example/', 'invalid');
    await manager.addLink({ username: 'alice', url: 'https://dead.example/', title: 'd' });
    await scheduler.stop();
    assert.equal(await statusOf('alice', 'https://dead.example/'), 'invalid');
    checker.up = false;
    const moved = await manager.updateLink({ username: 'alice', url: 'https://dead.example/', newUrl: 'https://alive.example/' });
    assert.equal(moved.status, 'pending');
    await scheduler.stop();
    assert.equal(await statusOf('alice', 'https://alive.example/'), 'pending');
    assert.deepEqual(checker.requests.slice(-2), ['https://alive.example/', 'https://alive.example/'], 'tried again before giving up');
  });

  test('an update that keeps the URL does not check again', async () => {
    await manager.addLink({ username: 'alice', url: 'https://same.example/', title: 'a' });
    await manager.updateLink({ username: 'alice', url: 'https://same.example/', title: 'b' });
    await scheduler.stop();
    assert.deepEqual(checker.requests, ['https://same.example/']);
  });

  test('a stale result (older than the one applied) is ignored', async () => {
    await manager.addLink({ username: 'alice', url: 'https://s.example/', title: 's' });
    await scheduler.stop();
    const applied = (await manager.getLinks({ username: 'alice' })).links[0];
    assert.equal(applied?.status, 'valid');
    assert.equal(await manager.applyCheckResult({ url: 'https://s.example/', status: 'invalid', checkedAt: new Date(clock - 60_000) }), 0);
    assert.equal(await statusOf('alice', 'https://s.example/'), 'valid');
  });

  test('checker down: the link stays pending; the reconciler completes it once the checker is back', async () => {
    checker.up = false;
    await manager.addLink({ username: 'alice', url: 'https://later.example/', title: 'l' });
    await scheduler.stop();
    assert.equal(await statusOf('alice', 'https://later.example/'), 'pending');

    clock += minutes(2);
    assert.deepEqual(await scheduler.reconcile(), { examined: 0, requested: 0, reused: 0, failed: 0 }, 'not pending long enough yet');
    clock += minutes(4);
    const whileDown = await scheduler.reconcile();
    assert.equal(whileDown.failed, 1);
    assert.equal(await statusOf('alice', 'https://later.example/'), 'pending');

    checker.up = true;
    clock += minutes(6);
    const report = await scheduler.reconcile();
    assert.deepEqual(report, { examined: 1, requested: 1, reused: 0, failed: 0 });
    assert.equal(await statusOf('alice', 'https://later.example/'), 'valid');
  });

  test('the same URL added by 50 users is checked once, and every one of them gets the result', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = checker.check.bind(checker);
    checker.check = async (username, url) => {
      await gate; // the check is slow: all 50 adds arrive while it runs
      return slow(username, url);
    };
    const users = Array.from({ length: 50 }, (_, i) => `user${i}`);
    await Promise.all(users.map((username) => manager.addLink({ username, url: 'https://popular.example/', title: 'p' })));
    release();
    await scheduler.stop();
    assert.equal(checker.requests.length, 1);
    for (const username of users) assert.equal(await statusOf(username, 'https://popular.example/'), 'valid');
  });

  test('a URL checked recently is not checked again for a new saver: the result is reused at once', async () => {
    checker.results.set('https://known.example/', 'invalid');
    await manager.addLink({ username: 'alice', url: 'https://known.example/', title: 'k' });
    await scheduler.stop();
    clock += minutes(30);
    await manager.addLink({ username: 'bob', url: 'https://known.example/', title: 'k' });
    await scheduler.stop();
    assert.equal(checker.requests.length, 1);
    assert.equal(await statusOf('bob', 'https://known.example/'), 'invalid');
  });

  test('old results are re-validated by the reconciler', async () => {
    await manager.addLink({ username: 'alice', url: 'https://aging.example/', title: 'a' });
    await scheduler.stop();
    checker.results.set('https://aging.example/', 'invalid');
    clock += minutes(60 * 24 + 1);
    const report = await scheduler.reconcile();
    assert.equal(report.requested, 1);
    assert.equal(await statusOf('alice', 'https://aging.example/'), 'invalid');
  });
});

describe('stopping', () => {
  test('stop waits for a check under way at most stopWaitMs; its late answer applies nothing and the link stays pending', async () => {
    let answer!: () => void;
    const hanging = new LinkCheckScheduler({
      store,
      // A site that does not answer: the check resolves only when the test lets it.
      checker: { check: (_username, url) => new Promise((resolve) => (answer = () => resolve({ result: { url, status: 'valid', checkedAt: now() } }))) },
      apply: (result) => manager.applyCheckResult(result),
      pendingAfterMs: minutes(5),
      revalidateAfterMs: minutes(60 * 24),
      stopWaitMs: 50,
      now,
    });
    manager = new DefaultLinkManager({ store, maxLinksPerUser: 1000, checks: hanging, now: () => new Date((clock += 1)) });
    await manager.addLink({ username: 'alice', url: 'https://slow.example/', title: 's' });
    await hanging.stop(); // returns: the answer never came
    answer();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(await statusOf('alice', 'https://slow.example/'), 'pending', 'the late answer was not applied');
  });
});
