import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { UnavailableError, ValidationError } from '@delinkcious/object-model';
import { DefaultSocialGraphManager, MemorySocialGraphStore } from '@delinkcious/social-graph-service';
import { DefaultNewsManager } from '../src/manager.ts';
import { MemoryNewsStore } from '../src/stores/memory-news-store.ts';
import type { FeedItem } from '../src/feed.ts';
import { linkEvent } from './support.ts';

const base = Date.parse('2026-03-01T12:00:00.000Z');

/** A store that records batch sizes and can be made to fail on a given call (a crash mid-fan-out). */
class RecordingStore extends MemoryNewsStore {
  batches: number[] = [];
  failOnCall: number | undefined;
  override async addToFeeds(usernames: readonly string[], item: FeedItem): Promise<void> {
    this.batches.push(usernames.length);
    if (this.batches.length === this.failOnCall) throw new UnavailableError('store went away');
    await super.addToFeeds(usernames, item);
  }
}

let store: RecordingStore;
let graph: DefaultSocialGraphManager;
let news: DefaultNewsManager;

function setup(options: { pageSize?: number; batchSize?: number } = {}) {
  store = new RecordingStore({ feedMax: 1000 });
  graph = new DefaultSocialGraphManager({ store: new MemorySocialGraphStore() });
  news = new DefaultNewsManager({ store, socialGraph: graph, ...options });
}

const feed = async (username: string) => (await news.getNews(username)).events.map((e) => `${e.eventType} ${e.username} ${e.url}`);

describe('NewsManager: fan-out on write', () => {
  beforeEach(() => setup());

  test("a follower gets the followee's adds, updates and deletes, newest first, ties broken by event id", async () => {
    await graph.follow('alice', 'bob');
    await graph.follow('carol', 'bob');
    assert.deepEqual(await news.handleLinkEvent(linkEvent('link.added', 'alice', 'https://a.example/1', 1)), { status: 'ok', followers: 1 });
    await news.handleLinkEvent(linkEvent('link.updated', 'alice', 'https://a.example/1', 2));
    await news.handleLinkEvent(linkEvent('link.added', 'carol', 'https://c.example/x', 3, 'tie-a'));
    await news.handleLinkEvent(linkEvent('link.deleted', 'alice', 'https://a.example/1', 3, 'tie-b'));
    assert.deepEqual(await feed('bob'), [
      'LINK_DELETED alice https://a.example/1',
      'LINK_ADDED carol https://c.example/x',
      'LINK_UPDATED alice https://a.example/1',
      'LINK_ADDED alice https://a.example/1',
    ]);
    const [first] = (await news.getNews('bob')).events;
    assert.deepEqual(first, {
      eventType: 'LINK_DELETED',
      username: 'alice',
      url: 'https://a.example/1',
      title: 'Title of https://a.example/1',
      timestamp: new Date(base + 3000),
    });
  });

  test("the author's own feed and non-followers get nothing", async () => {
    await graph.follow('alice', 'bob');
    await news.handleLinkEvent(linkEvent('link.added', 'alice', 'https://a.example/1', 1));
    assert.deepEqual(await news.getNews('alice'), { events: [], nextToken: '' });
    assert.deepEqual(await news.getNews('dave'), { events: [], nextToken: '' });
    await news.handleLinkEvent(linkEvent('link.added', 'nobody-follows-me', 'https://n.example/', 2));
    assert.deepEqual(await feed('bob'), ['LINK_ADDED alice https://a.example/1']);
  });

  test('unfollowing stops further news; what came before stays', async () => {
    await graph.follow('alice', 'bob');
    await news.handleLinkEvent(linkEvent('link.added', 'alice', 'https://a.example/1', 1));
    await graph.unfollow('alice', 'bob');
    await news.handleLinkEvent(linkEvent('link.added', 'alice', 'https://a.example/2', 2));
    assert.deepEqual(await feed('bob'), ['LINK_ADDED alice https://a.example/1']);
  });

  test('a duplicated or redelivered event changes nothing, even for someone who followed since', async () => {
    await graph.follow('alice', 'bob');
    const event = linkEvent('link.added', 'alice', 'https://a.example/1', 1);
    await news.handleLinkEvent(event);
    await graph.follow('alice', 'carol');
    assert.deepEqual(await news.handleLinkEvent(structuredClone(event)), { status: 'duplicate' });
    assert.deepEqual(await feed('bob'), ['LINK_ADDED alice https://a.example/1']);
    assert.deepEqual(await feed('carol'), []);
  });

  test('followers are written in batches; a crash mid-way is completed by the redelivery, without duplicates', async () => {
    setup({ batchSize: 3 });
    for (const fan of ['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7']) await graph.follow('alice', fan);
    store.failOnCall = 2;
    const event = linkEvent('link.added', 'alice', 'https://a.example/1', 1);
    await assert.rejects(news.handleLinkEvent(event), UnavailableError);
    assert.equal(await store.isDelivered(event.id), false, 'not marked: the bus redelivers it');
    assert.deepEqual(await feed('f1'), ['LINK_ADDED alice https://a.example/1'], 'the first batch was written');
    assert.deepEqual(await feed('f7'), []);
    assert.deepEqual(await news.handleLinkEvent(event), { status: 'ok', followers: 7 });
    for (const fan of ['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7']) assert.deepEqual(await feed(fan), ['LINK_ADDED alice https://a.example/1'], fan);
    assert.deepEqual(store.batches, [3, 3, 3, 3, 1]);
  });

  test('the social graph failing fails the event (redelivered later) and writes nothing', async () => {
    const failing = new DefaultNewsManager({
      store,
      socialGraph: { getFollowers: async () => Promise.reject(new UnavailableError('social-graph-service is unavailable')) },
    });
    const event = linkEvent('link.added', 'alice', 'https://a.example/1', 1);
    await assert.rejects(failing.handleLinkEvent(event), UnavailableError);
    assert.equal(await store.isDelivered(event.id), false);
  });

  test('an event it cannot use is reported invalid, not thrown (it would be redelivered forever)', async () => {
    const good = linkEvent('link.added', 'alice', 'https://a.example/1', 1);
    for (const [bad, reason] of [
      [null, /not an object/],
      [{ ...good, id: '' }, /id/],
      [{ ...good, id: 'a\nb' }, /id/],
      [{ ...good, type: 'link.checked' }, /not a link event/],
      [{ ...good, username: ' ' }, /author/],
      [{ ...good, link: { ...good.link, url: '' } }, /url/],
      [{ ...good, timestamp: 'yesterday' }, /timestamp/],
    ] as const) {
      const result = await news.handleLinkEvent(bad);
      assert.equal(result.status, 'invalid');
      assert.match((result as { reason: string }).reason, reason);
    }
  });
});

describe('NewsManager.getNews', () => {
  beforeEach(() => setup({ pageSize: 10 }));

  test('pages of 10, newest first, with an opaque next token, empty on the last page', async () => {
    await graph.follow('alice', 'bob');
    for (let n = 1; n <= 25; n++) await news.handleLinkEvent(linkEvent('link.added', 'alice', `https://a.example/${n}`, n));
    const seen: string[] = [];
    const tokens: string[] = [];
    let token: string | undefined;
    do {
      const page = await news.getNews('bob', token);
      seen.push(...page.events.map((e) => e.url));
      tokens.push(page.nextToken);
      token = page.nextToken || undefined;
    } while (token);
    assert.equal(tokens.length, 3);
    assert.equal(tokens[2], '');
    assert.deepEqual(seen, Array.from({ length: 25 }, (_, i) => `https://a.example/${25 - i}`));
  });

  test('a feed of exactly one page has no next token; news arriving between pages does not shift them', async () => {
    await graph.follow('alice', 'bob');
    for (let n = 1; n <= 20; n++) await news.handleLinkEvent(linkEvent('link.added', 'alice', `https://a.example/${n}`, n));
    const first = await news.getNews('bob');
    assert.notEqual(first.nextToken, '');
    await news.handleLinkEvent(linkEvent('link.added', 'alice', 'https://a.example/new', 100));
    const second = await news.getNews('bob', first.nextToken);
    assert.deepEqual(second.events.map((e) => e.url), Array.from({ length: 10 }, (_, i) => `https://a.example/${10 - i}`));
    assert.equal(second.nextToken, '');
  });

  test('unknown user: an empty list; bad input: ValidationError', async () => {
    assert.deepEqual(await news.getNews('stranger'), { events: [], nextToken: '' });
    await assert.rejects(news.getNews(''), ValidationError);
    await assert.rejects(news.getNews('bob', 'not-a-token'), /start token/);
    await assert.rejects(news.getNews('bob', Buffer.from('[1,2]').toString('base64url')), ValidationError);
  });
});
