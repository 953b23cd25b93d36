/**
 * The news feed end to end (docs/design.md §2 GET /v1/news, §4 fan-out), written
 * once and run against every deployment: it knows only the gateway's base URL
 * and a way to sign users in. Fan-out is asynchronous, so every expectation
 * about a feed is polled for, with generous deadlines; an absence is asserted
 * only after a sync point shows the event in question was fanned out.
 *
 * Each test uses its own users (with a suffix of this run), so tests do not
 * depend on one another, nor on what an earlier run left.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { call, waitFor } from './http.ts';

export interface NewsTarget {
  /** The api-gateway, e.g. http://127.0.0.1:5000. */
  baseUrl: string;
  /** Signs `username` in (creating the user when new) and answers their Delinkcious token. */
  signIn(username: string): Promise<string>;
}

export type NewsEventType = 'LINK_ADDED' | 'LINK_UPDATED' | 'LINK_DELETED';

export interface NewsEvent {
  event_type: NewsEventType;
  username: string;
  url: string;
  title: string;
  timestamp: string;
}

export interface Feed {
  events: NewsEvent[];
  pages: number;
}

/** How long a change may take to reach a feed: fan-out is asynchronous, the machine may be slow and busy. */
export const feedTimeoutMs = 60_000;
const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/** A username of this run: `news-alice-1a2b3c`. */
export function userOf(run: string, name: string): string {
  return `${name}-${run}`;
}

export const newRun = () => randomBytes(3).toString('hex');

/** Every page of the caller's feed, following next_token until it is empty. */
export async function readFeed(baseUrl: string, token: string): Promise<Feed> {
  const events: NewsEvent[] = [];
  let startToken = '';
  for (let pages = 1; ; pages++) {
    const answer = await call(baseUrl, 'GET', '/v1/news', { token, query: startToken ? { start_token: startToken } : {}, timeoutMs: 30_000 });
    if (answer.status !== 200) throw new Error(`GET /v1/news answered ${answer.status}: ${answer.text.slice(0, 300)}`);
    assert.equal(answer.body.err, '', answer.text.slice(0, 300));
    assert.ok(Array.isArray(answer.body.events), `events is an array: ${answer.text.slice(0, 300)}`);
    assert.equal(typeof answer.body.next_token, 'string');
    events.push(...(answer.body.events as NewsEvent[]));
    if (answer.body.next_token === '') return { events, pages };
    assert.ok(answer.body.events.length > 0, 'a page with a next_token has events');
    assert.ok(pages < 500, 'the feed ends');
    startToken = answer.body.next_token as string;
  }
}

/** Reads the feed until `done` holds of its events, and answers that read; `what` names the wait in a timeout. */
export function waitForFeed(baseUrl: string, token: string, what: string, done: (events: NewsEvent[]) => boolean, timeoutMs = feedTimeoutMs): Promise<Feed> {
  return waitFor(() => readFeed(baseUrl, token), { what, until: (feed) => done(feed.events), timeoutMs, intervalMs: 500 });
}

/** What a test expects of an event: everything but the time. */
export interface Expected {
  event_type: NewsEventType;
  username: string;
  url: string;
  title: string;
}

const project = (events: NewsEvent[]): Expected[] => events.map(({ event_type, username, url, title }) => ({ event_type, username, url, title }));

/** Newest first: timestamps valid and never increasing down the feed. */
export function assertNewestFirst(events: NewsEvent[]): void {
  for (const event of events) assert.match(event.timestamp, rfc3339, `an RFC 3339 timestamp: ${JSON.stringify(event)}`);
  for (let i = 1; i < events.length; i++) {
    assert.ok(
      Date.parse(events[i - 1]!.timestamp) >= Date.parse(events[i]!.timestamp),
      `newest first: ${events[i - 1]!.timestamp} (${events[i - 1]!.url}) before ${events[i]!.timestamp} (${events[i]!.url})`,
    );
  }
}

/** How many events of the feed are about each url. */
export function countByUrl(events: NewsEvent[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const event of events) counts.set(event.url, (counts.get(event.url) ?? 0) + 1);
  return counts;
}

export function newsSuite(target: () => NewsTarget): void {
  const api = (method: string, path: string, token: string, json?: unknown, query?: Record<string, string>) =>
    call(target().baseUrl, method, path, { token, json, query, timeoutMs: 30_000 });

  async function ok(what: string, answer: Promise<{ status: number; text: string }>): Promise<void> {
    const { status, text } = await answer;
    assert.equal(status, 200, `${what}: ${status} ${text.slice(0, 300)}`);
  }

  const follow = (token: string, followed: string) => ok(`follow ${followed}`, api('POST', '/v1/following', token, { followed }));
  const unfollow = (token: string, followed: string) => ok(`unfollow ${followed}`, api('DELETE', '/v1/following', token, { followed }));

  test('usernames are case-insensitive: "Alice" following "BOB" gets bob\'s news, the author named in lower case', async () => {
    const run = newRun();
    const [alice, bob] = [userOf(run, 'Case-Alice'), userOf(run, 'case-bob')];
    const [aliceToken, bobToken] = [await target().signIn(alice), await target().signIn(bob)];
    await follow(aliceToken, bob.toUpperCase());
    await ok('bob adds a link', api('POST', '/v1/links', bobToken, { url: `https://case.example/${run}`, title: 'From bob' }));
    const lowerToken = await target().signIn(alice.toLowerCase());
    const feed = await waitForFeed(target().baseUrl, lowerToken, "bob's link in alice's feed", (events) => events.length > 0);
    assert.deepEqual(project(feed.events), [{ event_type: 'LINK_ADDED', username: bob, url: `https://case.example/${run}`, title: 'From bob' }]);
  });
  const feedOf = (token: string, what: string, done: (events: NewsEvent[]) => boolean) => waitForFeed(target().baseUrl, token, what, done);

  test('news: each change by the people you follow, with author, url and title, newest first, page by page; none of it for the author or a non-follower', async () => {
    const run = newRun();
    const [alice, bob, carol, dave] = ['alice', 'bob', 'carol', 'dave'].map((name) => userOf(run, name)) as [string, string, string, string];
    const token = Object.fromEntries(await Promise.all([alice, bob, carol, dave].map(async (name) => [name, await target().signIn(name)] as const)));
    await follow(token[alice]!, bob);
    await follow(token[alice]!, carol);
    // Others follow carol only: their feeds hold carol's changes and none of bob's.
    await follow(token[bob]!, carol);
    await follow(token[dave]!, carol);

    // The changes, in order; `happened` is the feed entry each should make.
    const happened: Expected[] = [];
    const site = `https://${run}.news.example`;
    const add = async (author: string, url: string, title: string) => {
      await ok(`${author} adds ${url}`, api('POST', '/v1/links', token[author]!, { url, title, tags: 'news e2e' }));
      happened.push({ event_type: 'LINK_ADDED', username: author, url, title });
    };
    const update = async (author: string, url: string, title: string) => {
      await ok(`${author} updates ${url}`, api('PUT', '/v1/links', token[author]!, { url, title, add_tags: 'revised' }));
      happened.push({ event_type: 'LINK_UPDATED', username: author, url, title });
    };
    const remove = async (author: string, url: string, title: string) => {
      await ok(`${author} deletes ${url}`, api('DELETE', '/v1/links', token[author]!, undefined, { url }));
      happened.push({ event_type: 'LINK_DELETED', username: author, url, title });
    };

    for (let i = 1; i <= 6; i++) await add(bob, `${site}/bob/${i}`, `Bob’s pick ${i}`);
    await add(carol, `${site}/carol/1`, 'Carol’s first');
    await update(bob, `${site}/bob/2`, 'Bob’s pick 2, revised');
    await add(carol, `${site}/carol/2`, 'Carol’s second');
    await update(bob, `${site}/bob/3`, 'Bob’s pick 3, revised');
    await remove(bob, `${site}/bob/4`, 'Bob’s pick 4');
    await remove(bob, `${site}/bob/2`, 'Bob’s pick 2, revised'); // deleted after its update: the title it had then
    await add(bob, `${site}/bob/7`, 'Bob’s pick 7');
    await add(carol, `${site}/carol/3`, 'Carol’s third');
    assert.equal(happened.length, 14);

    const newestFirst = [...happened].reverse();
    const fromCarol = newestFirst.filter((event) => event.username === carol);
    const complete = (expected: Expected[]) => (events: NewsEvent[]) => events.length >= expected.length;

    const feed = await feedOf(token[alice]!, 'all 14 changes in alice’s feed', complete(newestFirst));
    assert.deepEqual(project(feed.events), newestFirst, 'alice sees every change of bob and carol, newest first, with author, url and title');
    assertNewestFirst(feed.events);
    assert.ok(feed.pages >= 2, `14 events take more than one page (${feed.pages})`);

    // Paged by hand: the first page alone, and its next_token leads on to the rest without overlap.
    const first = await api('GET', '/v1/news', token[alice]!);
    assert.equal(first.status, 200);
    assert.ok(first.body.next_token, 'the first page has a next_token');
    const second = await api('GET', '/v1/news', token[alice]!, undefined, { start_token: first.body.next_token as string });
    assert.equal(second.status, 200);
    assert.deepEqual(project([...first.body.events, ...second.body.events]), newestFirst.slice(0, first.body.events.length + second.body.events.length));

    // bob and dave follow carol only: her changes, none of bob's (bob's own changes never reach his feed).
    for (const reader of [bob, dave]) {
      const theirs = await feedOf(token[reader]!, `carol’s changes in ${reader}’s feed`, complete(fromCarol));
      assert.deepEqual(project(theirs.events), fromCarol, `${reader} sees carol's changes and none of bob's`);
    }
    // carol follows nobody: her feed stays empty, her own changes included.
    assert.deepEqual((await readFeed(target().baseUrl, token[carol]!)).events, []);
  });

  test('news: after alice unfollows carol, carol’s new links do not reach alice (they still reach her other followers)', async () => {
    const run = newRun();
    const [alice, carol, erin] = ['alice', 'carol', 'erin'].map((name) => userOf(run, name)) as [string, string, string];
    const token = Object.fromEntries(await Promise.all([alice, carol, erin].map(async (name) => [name, await target().signIn(name)] as const)));
    await follow(token[alice]!, carol);
    await follow(token[erin]!, carol);
    const site = `https://${run}.unfollow.example`;

    await ok('carol adds', api('POST', '/v1/links', token[carol]!, { url: `${site}/before`, title: 'Before' }));
    const hasBefore = (events: NewsEvent[]) => events.some((event) => event.url === `${site}/before`);
    await feedOf(token[alice]!, 'carol’s link in alice’s feed while she follows her', hasBefore);

    await unfollow(token[alice]!, carol);
    assert.deepEqual((await api('GET', '/v1/following', token[alice]!)).body.following, {});
    await ok('carol adds', api('POST', '/v1/links', token[carol]!, { url: `${site}/after`, title: 'After' }));
    await ok('carol adds', api('POST', '/v1/links', token[carol]!, { url: `${site}/later`, title: 'Later' }));

    // The sync point: erin has both, so both were fanned out.
    const hasAfter = (events: NewsEvent[]) => ['after', 'later'].every((path) => events.some((event) => event.url === `${site}/${path}`));
    await feedOf(token[erin]!, 'carol’s new links in the feed of erin, still following', hasAfter);
    const alices = await readFeed(target().baseUrl, token[alice]!);
    assert.deepEqual(
      project(alices.events).filter((event) => event.username === carol && event.url !== `${site}/before`),
      [],
      'nothing carol did after the unfollow reached alice',
    );
  });
}
