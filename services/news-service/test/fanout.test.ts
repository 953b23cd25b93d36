/** The fan-out: each link event into the feed of every follower of its author, exactly once. */
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { UnavailableError } from '@delinkcious/object-model';
import { DefaultSocialGraphManager, MemorySocialGraphStore } from '@delinkcious/social-graph-service';
import { FeedFanOut } from '../src/fanout.ts';
import { DefaultNewsManager } from '../src/manager.ts';
import { MemoryNewsStore } from '../src/stores/memory-news-store.ts';
import type { FeedItem } from '../src/feed.ts';
import { linkEvent } from './support/news-harness.ts';

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
let fanOut: FeedFanOut;
let news: DefaultNewsManager;

function setup(options: { batchSize?: number } = {}) {
  store = new RecordingStore({ feedMax: 1000 });
  graph = new DefaultSocialGraphManager({ store: new MemorySocialGraphStore() });
  fanOut = new FeedFanOut({ store, socialGraph: graph, ...options });
  news = new DefaultNewsManager({ store });
}

const feed = async (username: string) => (await news.getNews(username)).events.map((e) => `${e.eventType} ${e.username} ${e.url}`);

describe('FeedFanOut: fan-out on write', () => {
  beforeEach(() => setup());

  test("a follower gets the followee's adds, updates and deletes, newest first, ties broken by event id", async () => {
    await graph.follow('alice', 'bob');
    await graph.follow('carol', 'bob');
    assert.deepEqual(await fanOut.handleLinkEvent(linkEvent('link.added', 'alice', 'https://a.example/1', 1)), { status: 'ok', followers: 1 });
    await fanOut.handleLinkEvent(linkEvent('link.updated', 'alice', 'https://a.example/1', 2));
    await fanOut.handleLinkEvent(linkEvent('link.added', 'carol', 'https://c.example/x', 3, 'tie-a'));
    await fanOut.handleLinkEvent(linkEvent('link.deleted', 'alice', 'https://a.example/1', 3, 'tie-b'));
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
    await fanOut.handleLinkEvent(linkEvent('link.added', 'alice', 'https://a.example/1', 1));
    assert.deepEqual(await news.getNews('alice'), { events: [], nextToken: '' });
    assert.deepEqual(await news.getNews('dave'), { events: [], nextToken: '' });
    await fanOut.handleLinkEvent(linkEvent('link.added', 'nobody-follows-me', 'https://n.example/', 2));
    assert.deepEqual(await feed('bob'), ['LINK_ADDED alice https://a.example/1']);
  });

  test('unfollowing stops further news; what came before stays', async () => {
    await graph.follow('alice', 'bob');
    await fanOut.handleLinkEvent(linkEvent('link.added', 'alice', 'https://a.example/1', 1));
    await graph.unfollow('alice', 'bob');
    await fanOut.handleLinkEvent(linkEvent('link.added', 'alice', 'https://a.example/2', 2));
    assert.deepEqual(await feed('bob'), ['LINK_ADDED alice https://a.example/1']);
  });

  test('a duplicated or redelivered event changes nothing, even for someone who followed since', async () => {
    await graph.follow('alice', 'bob');
    const event = linkEvent('link.added', 'alice', 'https://a.example/1', 1);
    await fanOut.handleLinkEvent(event);
    await graph.follow('alice', 'carol');
    assert.deepEqual(await fanOut.handleLinkEvent(structuredClone(event)), { status: 'duplicate' });
    assert.deepEqual(await feed('bob'), ['LINK_ADDED alice https://a.example/1']);
    assert.deepEqual(await feed('carol'), []);
  });

  test('followers are written in batches; a crash mid-way is completed by the redelivery, without duplicates', async () => {
    setup({ batchSize: 3 });
    for (const fan of ['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7']) await graph.follow('alice', fan);
    store.failOnCall = 2;
    const event = linkEvent('link.added', 'alice', 'https://a.example/1', 1);
    await assert.rejects(fanOut.handleLinkEvent(event), UnavailableError);
    assert.equal(await store.isDelivered(event.id), false, 'not marked: the bus redelivers it');
    assert.deepEqual(await feed('f1'), ['LINK_ADDED alice https://a.example/1'], 'the first batch was written');
    assert.deepEqual(await feed('f7'), []);
    assert.deepEqual(await fanOut.handleLinkEvent(event), { status: 'ok', followers: 7 });
    for (const fan of ['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7']) assert.deepEqual(await feed(fan), ['LINK_ADDED alice https://a.example/1'], fan);
    assert.deepEqual(store.batches, [3, 3, 3, 3, 1]);
  });

  test('a store that delivers in one step gets one call per event; more followers than a batch still go in batches', async () => {
    class OneStepStore extends RecordingStore {
      oneStepCalls: number[] = [];
      async deliverOnce(usernames: readonly string[], item: FeedItem): Promise<boolean> {
        this.oneStepCalls.push(usernames.length);
        if (await this.isDelivered(item.eventId)) return false;
        await MemoryNewsStore.prototype.addToFeeds.call(this, usernames, item);
        await this.markDelivered(item.eventId);
        return true;
      }
    }
    const oneStep = new OneStepStore({ feedMax: 1000 });
    const oneStepFanOut = new FeedFanOut({ store: oneStep, socialGraph: graph, batchSize: 3 });
    const urls = async (username: string) => (await new DefaultNewsManager({ store: oneStep }).getNews(username)).events.map((e) => e.url);
    for (const fan of ['f1', 'f2', 'f3']) await graph.follow('alice', fan);
    const first = linkEvent('link.added', 'alice', 'https://a.example/1', 1);
    assert.deepEqual(await oneStepFanOut.handleLinkEvent(first), { status: 'ok', followers: 3 });
    assert.deepEqual(await oneStepFanOut.handleLinkEvent(structuredClone(first)), { status: 'duplicate' });
    assert.deepEqual([oneStep.oneStepCalls, oneStep.batches], [[3, 3], []]);

    await graph.follow('alice', 'f4');
    assert.deepEqual(await oneStepFanOut.handleLinkEvent(linkEvent('link.added', 'alice', 'https://a.example/2', 2)), { status: 'ok', followers: 4 });
    assert.deepEqual([oneStep.oneStepCalls, oneStep.batches], [[3, 3], [3, 1]], 'four followers: two batches, not one step');
    assert.deepEqual(await urls('f1'), ['https://a.example/2', 'https://a.example/1']);
    assert.deepEqual(await urls('f4'), ['https://a.example/2']);
  });

  test('the social graph failing fails the event (redelivered later) and writes nothing', async () => {
    const failing = new FeedFanOut({
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
      const result = await fanOut.handleLinkEvent(bad);
      assert.equal(result.status, 'invalid');
      assert.match((result as { reason: string }).reason, reason);
    }
  });
});
