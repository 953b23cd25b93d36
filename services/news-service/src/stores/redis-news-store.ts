/**
 * NewsStore on Redis (docs/design.md §4): one sorted set per user,
 * `<prefix>feed:<username>`, scored by the event's time in ms. A member is
 * the whole item, `<eventId>\n<json>`, built only from the event, so the same
 * event always makes the same member: ZADD of an item already there changes
 * nothing, and a fan-out repeated after a crash completes without duplicates.
 * Members starting with the event id make Redis break score ties by event id.
 * Every item carries its own body, so trimming a feed frees it: nothing else
 * to garbage-collect.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { NewsEventType } from '@delinkcious/object-model';
import { byCodePoint } from '@delinkcious/object-model';
import { type FeedItem, type FeedPosition } from '../feed.ts';
import { mergeRebuilt, type ReplaceableFeeds } from '../feed-replace.ts';
import { deliveredTtlSeconds, type NewsStore } from './news-store.ts';

export interface RedisNewsStoreOptions {
  feedMax: number;
  /** Prepended to every key; tests use their own and delete their keys. */
  keyPrefix?: string;
}

interface MemberBody {
  type: NewsEventType;
  author: string;
  url: string;
  title: string;
  ms: number;
}

function member(item: FeedItem): string {
  const body: MemberBody = { type: item.eventType, author: item.username, url: item.url, title: item.title, ms: item.timestamp.getTime() };
  return `${item.eventId}\n${JSON.stringify(body)}`;
}

function itemOf(value: string): FeedItem {
  const cut = value.indexOf('\n');
  const body = JSON.parse(value.slice(cut + 1)) as MemberBody;
  return { eventId: value.slice(0, cut), eventType: body.type, username: body.author, url: body.url, title: body.title, timestamp: new Date(body.ms) };
}

/** Throws the first error of a pipeline's answers. */
function check(results: Array<[Error | null, unknown]> | null): void {
  if (!results) throw new Error('redis pipeline was discarded');
  for (const [error] of results) if (error) throw error;
}

/** How often replaceFeed starts again because the fan-out wrote the feed meanwhile, before giving up. */
const replaceAttempts = 20;

export class RedisNewsStore implements NewsStore, ReplaceableFeeds {
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisNewsStoreOptions,
  ) {
    this.prefix = options.keyPrefix ?? 'news:';
  }

  feedKey(username: string): string {
    return `${this.prefix}feed:${username}`;
  }

  private deliveredKey(eventId: string): string {
    return `${this.prefix}delivered:${eventId}`;
  }

  async isDelivered(eventId: string): Promise<boolean> {
    return (await this.redis.exists(this.deliveredKey(eventId))) === 1;
  }

  async addToFeeds(usernames: readonly string[], item: FeedItem): Promise<void> {
    if (usernames.length === 0) return;
    const value = member(item);
    const score = item.timestamp.getTime();
    // One pipeline (one round trip) per batch; ZADD then trim to the newest feedMax.
    const pipeline = this.redis.pipeline();
    for (const username of usernames) {
      const key = this.feedKey(username);
      pipeline.zadd(key, score, value);
      pipeline.zremrangebyrank(key, 0, -(this.options.feedMax + 1));
    }
    check(await pipeline.exec());
  }

  async markDelivered(eventId: string): Promise<void> {
    await this.redis.set(this.deliveredKey(eventId), '1', 'EX', deliveredTtlSeconds);
  }

  async page(username: string, after: FeedPosition | undefined, limit: number): Promise<FeedItem[]> {
    const key = this.feedKey(username);
    if (!after) return (await this.redis.zrevrange(key, 0, limit - 1)).map(itemOf);
    // Items sharing the cursor's time come first (those with a lower id), then strictly older ones; one round trip.
    const pipeline = this.redis.pipeline();
    pipeline.zrange(key, after.timestampMs, after.timestampMs, 'BYSCORE', 'REV');
    pipeline.zrange(key, `(${after.timestampMs}`, '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, limit);
    const results = await pipeline.exec();
    check(results);
    const [sameTime, older] = results!.map(([, value]) => value as string[]);
    const ties = sameTime!.map(itemOf).filter((item) => byCodePoint(item.eventId, after.eventId) < 0);
    return [...ties, ...older!.map(itemOf)].slice(0, limit);
  }

  /**
   * Moves feeds kept under a username with capitals (before usernames were
   * canonical) into the lower-case feed the service now reads, merging when
   * both exist. Idempotent, and safe beside other replicas doing the same: a
   * feed is moved by one MULTI, and a feed already moved is gone.
   * Answers how many feeds it moved.
   */
  async mergeMixedCaseFeeds(): Promise<number> {
    const base = this.feedKey('');
    const literal = base.replace(/[*?[\]\\]/g, '\\$&');
    let moved = 0;
    for await (const keys of this.redis.scanStream({ match: `${literal}*[A-Z]*`, count: 500 }) as AsyncIterable<string[]>) {
      for (const key of keys) {
        const username = key.slice(base.length);
        if (username === username.toLowerCase()) continue;
        const target = this.feedKey(username.toLowerCase());
        const results = await this.redis
          .multi()
          .zunionstore(target, 2, target, key, 'AGGREGATE', 'MAX')
          .zremrangebyrank(target, 0, -(this.options.feedMax + 1))
          .del(key)
          .exec();
        check(results);
        moved++;
      }
    }
    return moved;
  }

  /**
   * Optimistic: WATCH the feed, read its items newer than `keepAfterMs`, write
   * the merged feed to a temporary key, then RENAME it over the feed in a
   * MULTI that fails if the fan-out touched the feed meanwhile (then it starts
   * again). WATCH belongs to the connection: give this store a connection of
   * its own, as rebuild-feeds does, not one serving other MULTIs at once.
   */
  async replaceFeed(username: string, rebuilt: readonly FeedItem[], keepAfterMs: number): Promise<void> {
    const key = this.feedKey(username);
    // Its own name, so two rebuilds at once cannot swap in each other's half-built key.
    const temporary = `${this.prefix}rebuild:${randomUUID()}:${username}`;
    for (let attempt = 1; attempt <= replaceAttempts; attempt++) {
      await this.redis.watch(key);
      const live = (await this.redis.zrange(key, `(${keepAfterMs}`, '+inf', 'BYSCORE')).map(itemOf);
      const merged = mergeRebuilt(rebuilt, live, keepAfterMs, this.options.feedMax);
      const build = this.redis.pipeline().del(temporary);
      for (let i = 0; i < merged.length; i += 500) {
        build.zadd(temporary, ...merged.slice(i, i + 500).flatMap((item) => [item.timestamp.getTime(), member(item)]));
      }
      // A rebuild that dies here leaves no temporary key for long.
      check(await build.expire(temporary, 3600).exec());
      const swap = merged.length > 0 ? this.redis.multi().rename(temporary, key) : this.redis.multi().del(key);
      const results = await swap.exec();
      if (results) return check(results);
    }
    await this.redis.del(temporary);
    throw new Error(`the feed of ${username} changed during each of ${replaceAttempts} attempts to replace it`);
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
