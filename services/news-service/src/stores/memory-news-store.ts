/** NewsStore in memory: for unit tests, and the reference the contract suite holds the others to. */
import { feedOrder, isAfter, positionOf, type FeedItem, type FeedPosition } from '../feed.ts';
import { mergeRebuilt, type ReplaceableFeeds } from '../feed-replace.ts';
import type { NewsStore } from './news-store.ts';

export class MemoryNewsStore implements NewsStore, ReplaceableFeeds {
  private readonly feeds = new Map<string, FeedItem[]>();
  private readonly delivered = new Set<string>();

  constructor(private readonly options: { feedMax: number }) {}

  async isDelivered(eventId: string): Promise<boolean> {
    return this.delivered.has(eventId);
  }

  async addToFeeds(usernames: readonly string[], item: FeedItem): Promise<void> {
    for (const username of usernames) {
      const feed = this.feeds.get(username) ?? [];
      if (feed.some((existing) => existing.eventId === item.eventId)) continue;
      feed.push({ ...item });
      feed.sort((a, b) => feedOrder(positionOf(a), positionOf(b)));
      feed.length = Math.min(feed.length, this.options.feedMax);
      this.feeds.set(username, feed);
    }
  }

  async markDelivered(eventId: string): Promise<void> {
    this.delivered.add(eventId);
  }

  async page(username: string, after: FeedPosition | undefined, limit: number): Promise<FeedItem[]> {
    const feed = this.feeds.get(username) ?? [];
    return feed
      .filter((item) => !after || isAfter(positionOf(item), after))
      .slice(0, limit)
      .map((item) => ({ ...item }));
  }

  async replaceFeed(username: string, rebuilt: readonly FeedItem[], keepAfterMs: number): Promise<void> {
    const merged = mergeRebuilt(rebuilt, this.feeds.get(username) ?? [], keepAfterMs, this.options.feedMax);
    if (merged.length > 0) this.feeds.set(username, merged.map((item) => ({ ...item })));
    else this.feeds.delete(username);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}
