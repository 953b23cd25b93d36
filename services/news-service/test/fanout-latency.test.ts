/**
 * Figures, not a benchmark gate: the time from publishing a link event on
 * NATS JetStream to the event being in the Redis feeds of 1, 100 and 10,000
 * followers (read from social-graph-service over HTTP, as in production).
 * Only correctness is asserted; the times are printed as `# fan-out ...`.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { SocialGraphClient } from '@delinkcious/clients';
import { NatsBus, type Subscription } from '@delinkcious/events';
import { ServiceMetrics } from '@delinkcious/kit';
import { UnavailableError } from '@delinkcious/object-model';
import { externalService } from '@delinkcious/testing';
import { startNewsConsumer } from '../src/consumer.ts';
import { FeedFanOut } from '../src/fanout.ts';
import { RedisNewsStore } from '../src/stores/redis-news-store.ts';
import { deleteKeys, linkEvent, logger, sleep, startSocialGraph, tokens } from './support/news-harness.ts';

const nats = await externalService('TEST_NATS_URL');
const redis = await externalService('TEST_REDIS_URL');

describe('fan-out latency on NATS + Redis (figures only)', { skip: nats.skip || redis.skip }, () => {
  const prefix = `f${randomBytes(4).toString('hex')}`;
  const keyPrefix = `test:news:${prefix}:`;
  let social: Awaited<ReturnType<typeof startSocialGraph>>;
  let socialClient: SocialGraphClient;
  let consumerBus: NatsBus;
  let publisher: NatsBus;
  let store: RedisNewsStore;
  let consumer: Subscription;
  let check: Redis;
  const done = new Map<string, () => void>();

  before(async () => {
    social = await startSocialGraph();
    socialClient = new SocialGraphClient({ baseUrl: social.url, callerToken: tokens['news-service'], timeoutMs: 10_000 });
    const options = { url: nats.url!, stream: `TEST_NEWS_${prefix}`, streamSubjects: [`${prefix}.>`] };
    consumerBus = new NatsBus({ ...options, name: 'news-fanout' });
    publisher = new NatsBus({ ...options, name: 'publisher' });
    store = new RedisNewsStore(new Redis(redis.url!), { feedMax: 1000, keyPrefix });
    check = new Redis(redis.url!);
    const fanOut = new FeedFanOut({ store, socialGraph: socialClient });
    // Tells the test when an event's fan-out has completed.
    const timed = {
      handleLinkEvent: async (event: unknown) => {
        const result = await fanOut.handleLinkEvent(event);
        done.get((event as { id: string }).id)?.();
        return result;
      },
    };
    const subjects = ['link.added', 'link.updated', 'link.deleted'].map((s) => `${prefix}.${s}`);
    consumer = await startNewsConsumer({ bus: consumerBus, fanOut: timed, metrics: new ServiceMetrics('news-service'), logger, subjects });
  });

  after(async () => {
    await consumer?.close();
    await publisher?.destroyStream();
    await Promise.all([consumerBus?.close(), publisher?.close()]);
    await store?.close();
    await check?.quit();
    socialClient?.close();
    await social?.close();
    await deleteKeys(redis.url!, keyPrefix);
  });

  async function publishAndWait(id: string, author: string, secondsLater: number): Promise<number> {
    const event = linkEvent('link.added', author, `https://example.com/${id}`, secondsLater, id);
    const handled = new Promise<void>((resolve) => done.set(id, resolve));
    const started = performance.now();
    for (let attempt = 0; ; attempt++) {
      try {
        await publisher.publish(`${prefix}.link.added`, event);
        break;
      } catch (error) {
        if (!(error instanceof UnavailableError) || attempt > 100) throw error;
        await sleep(50); // not connected yet
      }
    }
    await handled;
    return performance.now() - started;
  }

  /** How many of `usernames`' feeds hold event `id` as their newest item (one pipeline). */
  async function feedsHolding(usernames: string[], id: string): Promise<number> {
    const pipeline = check.pipeline();
    for (const name of usernames) pipeline.zrevrange(store.feedKey(name), 0, 0);
    const results = (await pipeline.exec()) ?? [];
    return results.filter(([, value]) => (value as string[])[0]?.startsWith(`${id}\n`)).length;
  }

  for (const [followers, runs] of [
    [1, 5],
    [100, 5],
    [10_000, 3],
  ] as const) {
    test(`fan-out to ${followers.toLocaleString('en')} follower(s)`, async () => {
      const author = `author-${followers}`;
      const fans = Array.from({ length: followers }, (_, i) => `fan-${followers}-${i}`);
      for (const fan of fans) await social.graph.follow(author, fan);
      await publishAndWait(`${prefix}-warm-${followers}`, author, 0); // connections and JIT warm
      const times: number[] = [];
      for (let run = 0; run < runs; run++) {
        const id = `${prefix}-${followers}-${run}`;
        times.push(await publishAndWait(id, author, run + 1));
        assert.equal(await feedsHolding(fans, id), followers, 'every follower feed has it, newest');
      }
      assert.equal(await check.exists(store.feedKey(author)), 0, "the author's own feed gets nothing");
      times.sort((a, b) => a - b);
      const ms = (t: number) => `${t.toFixed(1)} ms`;
      console.log(
        `# fan-out publish→in all feeds, ${followers.toLocaleString('en')} follower(s): median ${ms(times[Math.floor(times.length / 2)]!)} ` +
          `(min ${ms(times[0]!)}, max ${ms(times.at(-1)!)}, ${runs} runs)`,
      );
    });
  }
});
