/**
 * Link health through the manager and the check scheduler (docs/design.md §17):
 * title optional, page metadata filling in, results tidied, health reset on a
 * move, and "recheck now".
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { NotFoundError, type LinkCheckResult, type LinkCheckedEvent } from '@delinkcious/object-model';
import { LinkCheckScheduler } from '../src/check-scheduler.ts';
import { AnsweredChecks, checkResultOf } from '../src/link-health.ts';
import { DefaultLinkManager } from '../src/manager.ts';
import { MemoryLinkStore } from '../src/stores/memory-link-store.ts';

/** A link-checker stand-in answering the whole result, as LinkCheckerClient does; `delayMs` makes it slow. */
class FakeChecker {
  readonly requests: string[] = [];
  results = new Map<string, Omit<LinkCheckResult, 'url' | 'checkedAt'>>();
  delayMs = 0;
  constructor(private readonly now: () => Date) {}
  async check(_username: string, url: string) {
    this.requests.push(url);
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const found = this.results.get(url) ?? { status: 'valid', httpStatus: 200, error: '' };
    return { status: found.status, httpStatus: found.httpStatus, result: { url, checkedAt: this.now(), ...found } };
  }
}

let clock: number;
let store: MemoryLinkStore;
let manager: DefaultLinkManager;
let checker: FakeChecker;
let scheduler: LinkCheckScheduler;
const now = () => new Date(clock);

beforeEach(() => {
  clock = Date.parse('2026-03-03T12:00:00Z');
  store = new MemoryLinkStore();
  checker = new FakeChecker(() => new Date((clock += 1)));
  scheduler = new LinkCheckScheduler({
    store,
    checker,
    apply: (result) => manager.applyCheckResult(result),
    pendingAfterMs: 5 * 60_000,
    revalidateAfterMs: 24 * 3_600_000,
    recheckWaitMs: 100,
    attempts: 1,
    now,
  });
  manager = new DefaultLinkManager({ store, maxLinksPerUser: 1000, checks: scheduler, now: () => new Date((clock += 1)) });
});

const linkOf = async (username: string, url: string) => {
  const link = (await manager.getLinks({ username })).links.find((l) => l.url === url);
  assert.ok(link);
  return link;
};

describe('title optional', () => {
  test('a link saved without a title (absent, empty or blank) is kept with title ""', async () => {
    for (const [i, title] of [undefined, '', '   '].entries()) {
      const link = await manager.addLink({ username: 'alice', url: `https://untitled${i}.example/`, ...(title === undefined ? {} : { title }) });
      assert.equal(link.title, '');
    }
  });

  test("the page's title and description fill in, from the checker's answer, and followers hear of it", async () => {
    checker.results.set('https://page.example/', {
      status: 'valid',
      httpStatus: 200,
      error: '',
      title: 'The Page',
      description: 'What it is about',
      faviconUrl: 'https://page.example/favicon.ico',
    });
    await manager.addLink({ username: 'alice', url: 'https://page.example/' });
    await scheduler.stop();
    const link = await linkOf('alice', 'https://page.example/');
    assert.deepEqual([link.title, link.description, link.status, link.faviconUrl], ['The Page', 'What it is about', 'valid', 'https://page.example/favicon.ico']);
    const updated = store.outbox.filter((event) => event.type === 'link.updated');
    assert.deepEqual(
      updated.map((event) => [event.username, event.link.title]),
      [['alice', 'The Page']],
    );
  });
});

describe('check results are tidied before they are stored', () => {
  test('control characters, over-long text and non-http(s) URLs from the bus do not get in', async () => {
    await manager.addLink({ username: 'alice', url: 'https://odd.example/' });
    await scheduler.stop();
    clock += 60_000;
    await manager.applyCheckResult({
      url: 'https://odd.example/',
      status: 'invalid',
      checkedAt: new Date(clock),
      httpStatus: 404,
      error: 'x\u0000'.repeat(500),
      title: 'a\u0000b\nc',
      description: 'd'.repeat(9000),
      faviconUrl: 'javascript:alert(1)',
      archiveUrl: 'ftp://archive.example/x',
    });
    const link = await linkOf('alice', 'https://odd.example/');
    assert.equal(link.title, 'a b c');
    assert.equal(link.description.length, 8192);
    assert.ok(link.checkError.length <= 200 && !link.checkError.includes('\u0000'));
    assert.deepEqual([link.faviconUrl, link.archiveUrl], ['', '']);
  });

  test('an event from a checker older than link health (no new fields) still applies', async () => {
    await manager.addLink({ username: 'alice', url: 'https://old.example/', title: 'Old' });
    await scheduler.stop();
    clock += 60_000;
    const event: LinkCheckedEvent = {
      id: 'e1',
      type: 'link.checked',
      username: 'alice',
      url: 'https://old.example/',
      status: 'invalid',
      http_status: 503,
      error: '',
      checked_at: new Date(clock).toISOString(),
    };
    assert.equal(await manager.applyCheckResult(checkResultOf(event)), 1);
    const link = await linkOf('alice', 'https://old.example/');
    assert.deepEqual([link.status, link.httpStatus, link.title, link.archiveUrl, link.invalidSince?.getTime()], ['invalid', 503, 'Old', '', clock]);
  });
});

describe('moving a link', () => {
  test("a new URL starts with no health: the old URL's is not the new one's", async () => {
    checker.results.set('https://dead.example/', { status: 'invalid', httpStatus: 404, error: '404 Not Found', archiveUrl: 'https://web.archive.org/d' });
    await manager.addLink({ username: 'alice', url: 'https://dead.example/', title: 'D' });
    await scheduler.stop();
    assert.equal((await linkOf('alice', 'https://dead.example/')).checkError, '404 Not Found');
    checker.delayMs = 50;
    const moved = await manager.updateLink({ username: 'alice', url: 'https://dead.example/', newUrl: 'https://alive.example/' });
    assert.deepEqual(
      [moved.status, moved.checkedAt, moved.httpStatus, moved.checkError, moved.invalidSince, moved.archiveUrl, moved.faviconUrl],
      ['pending', null, 0, '', null, '', ''],
    );
    await scheduler.stop();
  });
});

describe('recheckLink', () => {
  test('checks now, reusing no result, and answers the link with the new result', async () => {
    await manager.addLink({ username: 'alice', url: 'https://flaky.example/', title: 'F' });
    await scheduler.stop();
    assert.equal((await linkOf('alice', 'https://flaky.example/')).status, 'valid');
    checker.results.set('https://flaky.example/', { status: 'invalid', httpStatus: 500, error: '500 Internal Server Error' });
    const link = await manager.recheckLink('alice', 'https://flaky.example/');
    assert.deepEqual(checker.requests, ['https://flaky.example/', 'https://flaky.example/'], 'asked again though the result was fresh');
    assert.deepEqual([link.status, link.checkError, link.httpStatus], ['invalid', '500 Internal Server Error', 500]);
    assert.ok(link.invalidSince);
  });

  test('a slow check: answers after the short wait with the link as it is; the result applies when it comes', async () => {
    await manager.addLink({ username: 'alice', url: 'https://slow.example/', title: 'S' });
    await scheduler.stop();
    checker.results.set('https://slow.example/', { status: 'invalid', httpStatus: 0, error: 'timeout' });
    checker.delayMs = 400;
    const started = Date.now();
    const link = await manager.recheckLink('alice', 'https://slow.example/');
    assert.ok(Date.now() - started < 350, 'did not wait for the check');
    assert.equal(link.status, 'valid', 'as it was');
    await scheduler.stop();
    assert.deepEqual([(await linkOf('alice', 'https://slow.example/')).status, (await linkOf('alice', 'https://slow.example/')).checkError], ['invalid', 'timeout']);
  });

  test("someone else's link, or none: NotFoundError, nothing checked", async () => {
    await manager.addLink({ username: 'bob', url: 'https://bobs.example/', title: 'B' });
    await scheduler.stop();
    const before = checker.requests.length;
    await assert.rejects(manager.recheckLink('alice', 'https://bobs.example/'), NotFoundError);
    await assert.rejects(manager.recheckLink('alice', 'https://nothing.example/'), NotFoundError);
    assert.equal(checker.requests.length, before);
  });
});

describe('AnsweredChecks: a result is applied at the first of its two arrivals (answer and event)', () => {
  const at = new Date('2026-03-03T10:00:00Z');
  const result = (url: string, status: 'valid' | 'invalid' = 'valid', checkedAt = at): LinkCheckResult => ({ url, status, checkedAt });
  /** An apply that counts its calls and answers 1 (a link changed). */
  const counting = () => {
    const calls: string[] = [];
    return { calls, apply: (label: string) => async () => (calls.push(label), 1) };
  };

  test('whichever arrives first applies; the second is skipped once; another result is applied', async () => {
    const answered = new AnsweredChecks();
    const { calls, apply } = counting();
    assert.equal(await answered.applyOnce(result('https://a.example/'), apply('event')), 1);
    assert.equal(await answered.applyOnce(result('https://a.example/'), apply('answer')), 0, 'the answer after the event changes nothing');
    assert.equal(await answered.applyOnce(result('https://a.example/', 'invalid'), apply('other status')), 1);
    assert.equal(await answered.applyOnce(result('https://a.example/', 'valid', new Date(at.getTime() + 1)), apply('later check')), 1);
    assert.equal(await answered.applyOnce(result('https://a.example/'), apply('third arrival')), 1, 'skipped once only');
    assert.deepEqual(calls, ['event', 'other status', 'later check', 'third arrival']);
  });

  test('a second arrival while the first applies waits for it; if the first failed, the second applies', async () => {
    const answered = new AnsweredChecks();
    let release!: () => void;
    const slow = () => new Promise<number>((resolve) => (release = () => resolve(1)));
    const first = answered.applyOnce(result('https://b.example/'), slow);
    const { calls, apply } = counting();
    const second = answered.applyOnce(result('https://b.example/'), apply('second'));
    release();
    assert.deepEqual([await first, await second], [1, 0]);
    assert.deepEqual(calls, []);

    const failing = answered.applyOnce(result('https://c.example/'), async () => {
      throw new Error('database away');
    });
    await assert.rejects(failing, /database away/);
    assert.equal(await answered.applyOnce(result('https://c.example/'), apply('retry')), 1);
    assert.deepEqual(calls, ['retry']);
  });

  test('bounded: past the bound the oldest is forgotten, and applied again at its second arrival', async () => {
    const answered = new AnsweredChecks(2);
    const { calls, apply } = counting();
    for (const url of ['https://d.example/', 'https://e.example/', 'https://f.example/']) await answered.applyOnce(result(url), apply(url));
    assert.equal(await answered.applyOnce(result('https://d.example/'), apply('d again')), 1);
    assert.equal(await answered.applyOnce(result('https://f.example/'), apply('f again')), 0);
    assert.deepEqual(calls.slice(3), ['d again']);
  });
});
