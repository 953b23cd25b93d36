/** What every NewsStore must do; run against each implementation by news-store.test.ts. */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { FeedItem } from '../../src/feed.ts';
import { positionOf } from '../../src/feed.ts';
import { FeedFanOut } from '../../src/fanout.ts';
import { DefaultNewsManager } from '../../src/manager.ts';
import type { NewsStore } from '../../src/stores/news-store.ts';

export interface StoreFixture {
  store: NewsStore;
  close(): Promise<void>;
}

export type OpenStore = (options: { feedMax: number }) => Promise<StoreFixture>;

const base = Date.parse('2026-03-01T12:00:00.000Z');

export function item(eventId: string, secondsLater: number, extra: Partial<FeedItem> = {}): FeedItem {
  return {
    eventId,
    eventType: 'LINK_ADDED',
    username: 'author',
    url: `https://example.com/${eventId}`,
    title: `Title ${eventId}`,
    timestamp: new Date(base + secondsLater * 1000),
    ...extra,
  };
}

const ids = (items: FeedItem[]) => items.map((i) => i.eventId);
/** A page's values: a store that keeps pages hands out immutable ones (its dates are ImmutableDates). */
const values = (items: FeedItem[]) => items.map((i) => ({ ...i, timestamp: new Date(i.timestamp.getTime()) }));

/** `oneStepDelivery`: the store implements the optional `deliverOnce` (the SQL store does; memory and Redis use the three steps). */
export function newsStoreContract(name: string, open: OpenStore, options: { skip?: string | false; oneStepDelivery?: boolean } = {}) {
  describe(`NewsStore contract: ${name}`, { skip: options.skip ?? false }, () => {
    let fixture: StoreFixture | undefined;
    const fresh = async (feedMax = 1000) => (fixture = await open({ feedMax })).store;
    afterEach(async () => {
      await fixture?.close();
      fixture = undefined;
    });

    test('an unknown feed is empty; nothing is delivered yet; ping answers', async () => {
      const store = await fresh();
      assert.deepEqual(await store.page('nobody', undefined, 10), []);
      assert.equal(await store.isDelivered('e1'), false);
      await store.ping();
    });

    test('items go to the named feeds only, whole, newest first', async () => {
      const store = await fresh();
      const updated = item('e2', 2, { eventType: 'LINK_UPDATED', title: 'New title', url: 'https://example.com/ü?q=1&x="y"' });
      await store.addToFeeds(['bob', 'carol'], item('e1', 1));
      await store.addToFeeds(['bob'], updated);
      await store.addToFeeds(['carol'], item('e3', 3, { eventType: 'LINK_DELETED', username: 'dave' }));
      assert.deepEqual(values(await store.page('bob', undefined, 10)), [updated, item('e1', 1)]);
      assert.deepEqual(values(await store.page('carol', undefined, 10)), [item('e3', 3, { eventType: 'LINK_DELETED', username: 'dave' }), item('e1', 1)]);
      assert.deepEqual(await store.page('author', undefined, 10), [], 'nothing reaches a feed not named');
      await store.addToFeeds([], item('e4', 4));
    });

    test('adding an item a feed holds changes nothing', async () => {
      const store = await fresh();
      await store.addToFeeds(['bob'], item('e1', 1));
      await store.addToFeeds(['bob', 'carol'], item('e1', 1));
      await store.addToFeeds(['bob'], item('e1', 1));
      assert.deepEqual(ids(await store.page('bob', undefined, 10)), ['e1']);
      assert.deepEqual(ids(await store.page('carol', undefined, 10)), ['e1']);
    });

    test('ties on the timestamp are broken by event id, descending, and paging through them loses nothing', async () => {
      const store = await fresh();
      for (const id of ['b', 'a', 'd', 'c', 'ab']) await store.addToFeeds(['bob'], item(id, 5));
      await store.addToFeeds(['bob'], item('z', 4));
      await store.addToFeeds(['bob'], item('y', 6));
      const all = await store.page('bob', undefined, 100);
      assert.deepEqual(ids(all), ['y', 'd', 'c', 'b', 'ab', 'a', 'z']);
      // Two by two, each page starting after the last item of the previous one.
      const seen: string[] = [];
      let after = undefined;
      for (;;) {
        const page = await store.page('bob', after, 2);
        seen.push(...ids(page));
        if (page.length < 2) break;
        after = positionOf(page.at(-1)!);
      }
      assert.deepEqual(seen, ids(all));
      assert.deepEqual(ids(await store.page('bob', { timestampMs: base + 5000, eventId: 'bb' }, 10)), ['b', 'ab', 'a', 'z'], 'a position needs no item of its own');
    });

    test('a feed keeps its newest feedMax items; an old item added again does not displace a newer one', async () => {
      const store = await fresh(3);
      for (let n = 1; n <= 5; n++) await store.addToFeeds(['bob', 'carol'], item(`e${n}`, n));
      assert.deepEqual(ids(await store.page('bob', undefined, 10)), ['e5', 'e4', 'e3']);
      await store.addToFeeds(['bob'], item('e1', 1));
      assert.deepEqual(ids(await store.page('bob', undefined, 10)), ['e5', 'e4', 'e3']);
      await store.addToFeeds(['bob'], item('e6', 3.5));
      assert.deepEqual(ids(await store.page('bob', undefined, 10)), ['e5', 'e4', 'e6']);
      assert.deepEqual(ids(await store.page('carol', undefined, 10)), ['e5', 'e4', 'e3']);
    });

    test('delivered marks', async () => {
      const store = await fresh();
      await store.markDelivered('e1');
      await store.markDelivered('e1');
      assert.equal(await store.isDelivered('e1'), true);
      assert.equal(await store.isDelivered('e2'), false);
    });

    if (options.oneStepDelivery) test('deliverOnce: every feed and the mark in one step, once; the cap holds as with addToFeeds', async () => {
      const store = await fresh(3);
      assert.ok(store.deliverOnce, `${name} implements deliverOnce`);
      for (let n = 1; n <= 5; n++) assert.equal(await store.deliverOnce(['bob', 'carol'], item(`e${n}`, n)), true, `e${n} is new`);
      assert.deepEqual(ids(await store.page('bob', undefined, 10)), ['e5', 'e4', 'e3']);
      assert.equal(await store.isDelivered('e5'), true);

      assert.equal(await store.deliverOnce(['bob', 'dave'], item('e5', 5)), false, 'delivered already');
      assert.deepEqual(await store.page('dave', undefined, 10), [], 'a duplicate reaches no one, not even a new follower');

      assert.equal(await store.deliverOnce(['bob'], item('e0', 0)), true);
      assert.deepEqual(ids(await store.page('bob', undefined, 10)), ['e5', 'e4', 'e3'], 'an item older than a full feed stays out');
      assert.equal(await store.deliverOnce(['bob', 'erin'], item('e6', 3.5)), true);
      assert.deepEqual(ids(await store.page('bob', undefined, 10)), ['e5', 'e4', 'e6'], 'it displaces the oldest');
      assert.deepEqual(values(await store.page('erin', undefined, 10)), [item('e6', 3.5)], 'an empty feed takes it whole');
      assert.deepEqual(ids(await store.page('carol', undefined, 10)), ['e5', 'e4', 'e3']);

      // A feed holding the item already (an interrupted three-step fan-out): kept once, the feed still full.
      await store.addToFeeds(['bob'], item('e8', 8));
      assert.equal(await store.deliverOnce(['bob', 'carol'], item('e8', 8)), true);
      assert.deepEqual(ids(await store.page('bob', undefined, 10)), ['e8', 'e5', 'e4']);
      assert.deepEqual(ids(await store.page('carol', undefined, 10)), ['e8', 'e5', 'e4']);

      assert.equal(await store.deliverOnce([], item('e9', 9)), true, 'no followers: marked all the same');
      assert.equal(await store.isDelivered('e9'), true);
    });

    if (options.oneStepDelivery) test('deliverOnce of events handled at once (one batch where the store groups them): as one by one', async () => {
      const store = await fresh(3);
      await store.deliverOnce!(['bob'], item('e1', 1));
      await store.deliverOnce!(['bob'], item('e2', 2));
      const fresh3 = await Promise.all([
        store.deliverOnce!(['bob', 'carol'], item('e3', 3)),
        store.deliverOnce!(['bob'], item('e4', 4)),
        store.deliverOnce!(['bob', 'erin'], item('e0', 0)),
        store.deliverOnce!(['bob', 'dave'], item('e3', 3)),
        store.deliverOnce!(['bob', 'dave'], item('e2', 2)),
      ]);
      assert.deepEqual(fresh3, [true, true, true, false, false]);
      assert.deepEqual(ids(await store.page('bob', undefined, 10)), ['e4', 'e3', 'e2'], 'the newest 3 of the old items and the new ones');
      assert.deepEqual(ids(await store.page('carol', undefined, 10)), ['e3']);
      assert.deepEqual(ids(await store.page('erin', undefined, 10)), ['e0'], 'older than a full feed, but the first of another');
      assert.deepEqual(await store.page('dave', undefined, 10), [], 'duplicates reach no one');
      for (const id of ['e0', 'e3', 'e4']) assert.equal(await store.isDelivered(id), true);
      // Two new items for one full feed in one batch: both in, two out.
      assert.deepEqual(await Promise.all([store.deliverOnce!(['bob'], item('e6', 6)), store.deliverOnce!(['bob'], item('e5', 5))]), [true, true]);
      assert.deepEqual(ids(await store.page('bob', undefined, 10)), ['e6', 'e5', 'e4']);
    });

    test('names and ids beyond ASCII, and one batch of 2,000 feeds', async () => {
      const store = await fresh();
      const followers = Array.from({ length: 2000 }, (_, n) => `fan-${n}-ünï`);
      await store.addToFeeds(followers, item('ëvent-1', 1, { username: 'Zoë', title: 'line\nbreak 💡' }));
      for (const name of [followers[0]!, followers[1999]!]) {
        assert.deepEqual(values(await store.page(name, undefined, 10)), [item('ëvent-1', 1, { username: 'Zoë', title: 'line\nbreak 💡' })]);
      }
    });

    test('"Alice" and "alice" read one feed, and an author in another case is shown canonical (through fan-out and manager)', async () => {
      const store = await fresh();
      // social-graph-service answers canonical names; an event written before names were canonical may say "Bob".
      const fanOut = new FeedFanOut({ store, socialGraph: { getFollowers: async (name) => (name === 'bob' ? ['alice'] : []) } });
      const event = { id: 'case-1', type: 'link.added', username: 'Bob', link: { url: 'https://b.example/', title: 'B' }, timestamp: new Date(base).toISOString() };
      assert.deepEqual(await fanOut.handleLinkEvent(event), { status: 'ok', followers: 1 });
      const news = new DefaultNewsManager({ store });
      for (const reader of ['alice', 'Alice', 'ALICE']) {
        const { events } = await news.getNews(reader);
        assert.deepEqual(events.map((e) => `${e.username} ${e.url}`), ['bob https://b.example/'], reader);
      }
    });
  });
}
