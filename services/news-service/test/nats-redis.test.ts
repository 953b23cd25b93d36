/**
 * The consumer on real NATS JetStream and Redis: each link event reaches every
 * follower's feed exactly once, through a consumer killed mid-fan-out and
 * restarted, duplicated publishes, and two replicas sharing the group.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { NatsBus } from '@delinkcious/events';
import { ServiceMetrics } from '@delinkcious/kit';
import { UnavailableError, type LinkEvent } from '@delinkcious/object-model';
import { DefaultSocialGraphManager, MemorySocialGraphStore } from '@delinkcious/social-graph-service';
import { externalService, waitFor } from '@delinkcious/testing';
import { startNewsConsumer } from '../src/consumer.ts';
import type { FeedItem } from '../src/feed.ts';
import { FeedFanOut } from '../src/fanout.ts';
import type { NewsStore } from '../src/stores/news-store.ts';
import { RedisNewsStore } from '../src/stores/redis-news-store.ts';
import { deleteKeys, linkEvent, logger, sleep } from './support/news-harness.ts';

const nats = await externalService('TEST_NATS_URL');
const redis = await externalService('TEST_REDIS_URL');
const skip = nats.skip || redis.skip;

/** Delegates to a store, but hangs forever in the second batch of one event: a process dying mid-fan-out. */
class DyingStore implements NewsStore {
  private calls = 0;
  hung!: () => void;
  readonly hasHung = new Promise<void>((resolve) => (this.hung = resolve));
  constructor(
    private readonly inner: NewsStore,
    private readonly dieOn: string,
  ) {}
  isDelivered = (id: string) => this.inner.isDelivered(id);
  markDelivered = (id: string) => this.inner.markDelivered(id);
  page: NewsStore['page'] = (...args) => this.inner.page(...args);
  ping = () => this.inner.ping();
  close = () => this.inner.close();
  async addToFeeds(usernames: readonly string[], item: FeedItem): Promise<void> {
    if (item.eventId === this.dieOn && ++this.calls === 2) {
      this.hung();
      await new Promise<never>(() => {});
    }
    await this.inner.addToFeeds(usernames, item);
  }
}

describe('news-service consumer on NATS JetStream and Redis', { skip }, () => {
  const prefix = `t${randomBytes(4).toString('hex')}`;
  const keyPrefix = `test:news:${prefix}:`;
  const subjects = ['link.added', 'link.updated', 'link.deleted'].map((s) => `${prefix}.${s}`);
  const buses: NatsBus[] = [];
  const closers: Array<() => Promise<void>> = [];
  const graph = new DefaultSocialGraphManager({ store: new MemorySocialGraphStore() });
  const reader = () => new RedisNewsStore(new Redis(redis.url!), { feedMax: 1000, keyPrefix });

  const bus = (name: string) => {
    const b = new NatsBus({ url: nats.url!, name, stream: `TEST_NEWS_${prefix}`, streamSubjects: [`${prefix}.>`], ackWaitMs: 2000 });
    buses.push(b);
    return b;
  };

  /** One news-service replica: its own NATS connection and Redis connection, the shared group. */
  async function replica(name: string, wrap: (store: NewsStore) => NewsStore = (s) => s) {
    const b = bus(name);
    const store = wrap(reader());
    const fanOut = new FeedFanOut({ store, socialGraph: graph, batchSize: 2 });
    let handled = 0;
    const counting = {
      handleLinkEvent: async (event: unknown) => {
        const result = await fanOut.handleLinkEvent(event);
        handled++;
        return result;
      },
    };
    const metrics = new ServiceMetrics('news-service');
    const consumer = await startNewsConsumer({ bus: b, fanOut: counting, metrics, logger, subjects, pendingIntervalMs: 100 });
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await consumer.close();
      await store.close();
    };
    closers.push(close);
    return { bus: b, store, metrics, handled: () => handled, close };
  }

  async function publish(publisher: NatsBus, event: LinkEvent): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await publisher.publish(`${prefix}.${event.type}`, event);
      } catch (error) {
        if (!(error instanceof UnavailableError) || attempt > 100) throw error;
        await sleep(50); // not connected yet
      }
    }
  }

  const feedUrls = async (store: NewsStore, username: string) => (await store.page(username, undefined, 1000)).map((item) => item.url);

  after(async () => {
    for (const close of closers) await close().catch(() => undefined);
    await buses[0]?.destroyStream();
    await Promise.all(buses.map((b) => b.close()));
    await deleteKeys(redis.url!, keyPrefix);
  });

  test('killed mid-fan-out and restarted: every event in every follower feed exactly once; a duplicate publish changes nothing', async () => {
    const followers = ['f1', 'f2', 'f3', 'f4', 'f5'];
    for (const follower of followers) await graph.follow('alice', follower);
    const events = Array.from({ length: 40 }, (_, n) => linkEvent(n % 3 === 2 ? 'link.updated' : 'link.added', 'alice', `https://a.example/${n}`, n, `${prefix}-e${n}`));
    const publisher = bus('publisher');

    const first = await replica('first', (store) => new DyingStore(store, events[7]!.id));
    for (const event of events.slice(0, 20)) await publish(publisher, event);
    await (first.store as DyingStore).hasHung;
    // The process dies: its connection goes, its message was never acknowledged. (Its handler hangs
    // for good: its bus is told to stop, which it never finishes, and is dropped.)
    await (first.bus as unknown as { connected: { nc: { close(): Promise<void> } } }).connected.nc.close();
    void first.bus.close();
    buses.splice(buses.indexOf(first.bus), 1);
    closers.splice(closers.indexOf(first.close), 1);
    await first.store.close();
    for (const event of events.slice(20)) await publish(publisher, event);

    const second = await replica('second');
    const check = reader();
    closers.push(() => check.close());
    const expected = events.map((e) => e.link.url).reverse();
    await waitFor(async () => (await feedUrls(check, 'f5')).length >= 40, { what: 'all 40 events in the last follower feed', timeoutMs: 30_000 });
    for (const follower of followers) assert.deepEqual(await feedUrls(check, follower), expected, follower);
    assert.deepEqual(await feedUrls(check, 'alice'), [], "the author's own feed gets nothing");
    assert.equal(await check.isDelivered(events[7]!.id), true, 'the interrupted fan-out was completed');

    // The same id again (a republish by the outbox after a lost acknowledgement), then a sentinel behind it.
    await publish(publisher, events[3]!);
    await graph.follow('alice', 'late');
    const sentinel = linkEvent('link.deleted', 'alice', 'https://a.example/sentinel', 100, `${prefix}-sentinel`);
    await publish(publisher, sentinel);
    await waitFor(async () => (await feedUrls(check, 'late')).length === 1, { what: 'the sentinel', timeoutMs: 30_000 });
    assert.deepEqual(await feedUrls(check, 'late'), ['https://a.example/sentinel'], 'the duplicate reached no new follower');
    assert.deepEqual(await feedUrls(check, 'f1'), ['https://a.example/sentinel', ...expected]);
    assert.ok(second.handled() >= 21, 'the restarted consumer took over the unacknowledged and the new events');
    await second.close();
  });

  test('two replicas sharing the group: each event handled once between them', async () => {
    for (const follower of ['r1', 'r2']) await graph.follow('bob', follower);
    const [a, b] = [await replica('replica-a'), await replica('replica-b')];
    const publisher = bus('publisher-2');
    const events = Array.from({ length: 60 }, (_, n) => linkEvent('link.added', 'bob', `https://b.example/${n}`, n, `${prefix}-r${n}`));
    for (const event of events) await publish(publisher, event);
    const check = reader();
    closers.push(() => check.close());
    await waitFor(async () => (await feedUrls(check, 'r2')).length === 60, { what: 'all 60 events', timeoutMs: 30_000 });
    await sleep(300);
    const consumed = async (r: { metrics: ServiceMetrics }, result: string) =>
      (await r.metrics.eventsConsumed.get()).values.filter((v) => v.labels.result === result).reduce((sum, v) => sum + v.value, 0);
    const handledHere = a.handled() + b.handled();
    console.log(`# replicas: a handled ${a.handled()}, b handled ${b.handled()}`);
    assert.equal(handledHere, 60);
    assert.equal((await consumed(a, 'duplicate')) + (await consumed(b, 'duplicate')), 0, 'no event handled twice');
    assert.deepEqual(await feedUrls(check, 'r1'), events.map((e) => e.link.url).reverse());
  });
});
