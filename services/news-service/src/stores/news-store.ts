/**
 * What the NewsManager needs from storage; implemented in memory, on
 * PostgreSQL/PGlite (the embedded default) and on Redis (distributed).
 *
 * Fan-out is at-least-once: a crash mid-way means the event is handled again,
 * so adding an item a feed already holds must change nothing, and the
 * "delivered" mark is set only once every follower's feed has the item.
 */
import type { FeedItem, FeedPosition } from '../feed.ts';

export interface NewsStore {
  /** True once markDelivered(eventId) was recorded (for at least a week). */
  isDelivered(eventId: string): Promise<boolean>;
  /**
   * Adds `item` to the feed of each of `usernames` (one batch: one round trip
   * where the store allows). An item already in a feed (same event id) is
   * left as it is. Each feed keeps only its newest `feedMax` items.
   */
  addToFeeds(usernames: readonly string[], item: FeedItem): Promise<void>;
  markDelivered(eventId: string): Promise<void>;
  /**
   * All three at once, atomically, where the store can (one SQL statement): unless `item` was
   * delivered already, adds it to each feed of `usernames` and marks it delivered; answers
   * whether it did. The fan-out uses this when present, the three steps above otherwise.
   */
  deliverOnce?(usernames: readonly string[], item: FeedItem): Promise<boolean>;
  /** Up to `limit` items of `username`'s feed in feed order, after `after` when given. */
  page(username: string, after: FeedPosition | undefined, limit: number): Promise<FeedItem[]>;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** How long a delivered event id is remembered: JetStream keeps events 7 days. */
export const deliveredTtlSeconds = 7 * 24 * 3600;
