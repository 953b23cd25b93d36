/**
 * The NewsManager (docs/design.md §4): reading a feed, one range of one
 * user's feed, which the fan-out (fanout.ts) wrote when the events came.
 */
import { canonicalUsername, type GetNewsResult, type NewsManager } from '@delinkcious/object-model';
import { decodeToken, encodeToken, positionOf } from './feed.ts';
import type { NewsStore } from './stores/news-store.ts';

export interface NewsManagerOptions {
  store: NewsStore;
  pageSize?: number;
}

export class DefaultNewsManager implements NewsManager {
  private readonly store: NewsStore;
  private readonly pageSize: number;

  constructor(options: NewsManagerOptions) {
    this.store = options.store;
    this.pageSize = options.pageSize ?? 10;
  }

  async getNews(username: string, startToken?: string): Promise<GetNewsResult> {
    // Feeds are keyed by the canonical username: the followers social-graph-service answers.
    const reader = canonicalUsername(username);
    const after = startToken ? decodeToken(startToken) : undefined;
    // One more than a page: whether there is a next page, without a second query.
    const items = await this.store.page(reader, after, this.pageSize + 1);
    const page = items.slice(0, this.pageSize);
    const last = page.at(-1);
    return {
      events: page.map(({ eventType, username: author, url, title, timestamp }) => ({ eventType, username: author, url, title, timestamp })),
      nextToken: items.length > this.pageSize && last ? encodeToken(positionOf(last)) : '',
    };
  }
}
