/**
 * Feed pages kept in memory between changes, for a store this process alone writes (docs/design.md
 * §13; db's read-cache.ts): on PGlite, reading the same page of a feed again (a reload, the web UI's
 * home, a feed reader polling) costs no query. Any write through the database (an item delivered, a
 * feed trimmed or rebuilt) empties the cache, so a page is never older than the last write.
 */
import { ReadCache } from '@delinkcious/db';
import { immutable } from '@delinkcious/kit';
import type { FeedItem, FeedPosition } from '../feed.ts';

/** Pages kept at most (up to NEWS_PAGE_SIZE + 1 items each): a few MB. */
const maxPages = 500;

/** Feed pages by reader, position and size, kept while the database's write generation stays the same. */
export class FeedPageCache {
  private readonly pages: ReadCache<FeedItem[]>;

  constructor(generation: () => number) {
    // Shared by every later caller: immutable, so none can change what another reads.
    this.pages = new ReadCache(generation, maxPages, immutable);
  }

  through(username: string, after: FeedPosition | undefined, limit: number, load: () => Promise<FeedItem[]>): Promise<FeedItem[]> {
    return this.pages.through(JSON.stringify([username, after?.timestampMs ?? null, after?.eventId ?? null, limit]), load);
  }
}
