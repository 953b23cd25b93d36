/**
 * Listings kept in memory between changes, for a store this process alone writes (docs/design.md
 * §13; db's read-cache.ts): on PGlite, reading the same page again (a reload, a second tab, a feed
 * reader polling) costs no query. Any write through the database (a link saved, a check applied, an
 * import batch, a tag renamed) empties the cache, so a listing is never older than the last write
 * (another user's save changes SavedBy too).
 */
import { ReadCache } from '@delinkcious/db';
import { immutable } from '@delinkcious/kit';
import type { ListedLink, ListQuery } from './link-store.ts';

/** Listings kept at most (a page of 10–100 links each): a few MB. */
const maxListings = 500;

/** Listings by user and query, kept while the database's write generation stays the same. */
export class ListingCache {
  private readonly listings: ReadCache<ListedLink[]>;

  constructor(generation: () => number) {
    // Shared by every later caller: immutable, so none can change what another reads.
    this.listings = new ReadCache(generation, maxListings, immutable);
  }

  through(username: string, query: ListQuery, load: () => Promise<ListedLink[]>): Promise<ListedLink[]> {
    return this.listings.through(JSON.stringify([username, query]), load);
  }
}
