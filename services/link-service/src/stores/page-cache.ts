/**
 * Listings kept in memory between changes, for a store this process alone writes (docs/design.md
 * §13): on PGlite, which only one process can open, reading the same page again (a reload, a
 * second tab, a feed reader polling) costs no query. Any write through the database (a link
 * saved, a check applied, an import batch, a tag renamed; any statement but a SELECT, and every
 * transaction) empties the cache, so a listing is never older than the last write, whoever
 * made it and whatever links it touched (another user's save changes SavedBy).
 */
import type { Database, Queryable } from '@delinkcious/db';
import type { ListedLink, ListQuery } from './link-store.ts';

/** Listings kept at most (a page of 10–100 links each): a few MB. */
const maxListings = 500;

/** A SELECT, after any leading comments (a search's planEachCall is one). */
const isRead = (text: string) => /^\s*(?:\/\*(?:(?!\*\/).)*\*\/\s*)*select\b/is.test(text);

/** `db` whose writes are counted: `generation()` moves with every write that may have changed a row. */
export function countingWrites(db: Database): Database & { generation(): number } {
  let generation = 0;
  // Counted before and after: a read that overlaps a write is never stored as current.
  const around = async <T>(work: () => Promise<T>): Promise<T> => {
    generation++;
    try {
      return await work();
    } finally {
      generation++;
    }
  };
  return {
    kind: db.kind,
    generation: () => generation,
    query: <R>(text: string, params?: unknown[]) => (isRead(text) ? db.query<R>(text, params) : around(() => db.query<R>(text, params))),
    exec: (sql: string) => around(() => db.exec(sql)),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => around(() => db.transaction(fn)),
    ping: () => db.ping(),
    close: () => db.close(),
  };
}

/** Listings by user and query, kept while the database's write generation stays the same. */
export class ListingCache {
  private readonly listings = new Map<string, readonly ListedLink[]>();
  private cachedAt: number;

  constructor(private readonly generation: () => number) {
    this.cachedAt = generation();
  }

  /** The listing from the cache, else from `load` (kept when no write overlapped it). */
  async through(username: string, query: ListQuery, load: () => Promise<ListedLink[]>): Promise<ListedLink[]> {
    if (this.generation() !== this.cachedAt) {
      this.listings.clear();
      this.cachedAt = this.generation();
    }
    const key = JSON.stringify([username, query]);
    const hit = this.listings.get(key);
    if (hit) {
      // Most recently used last: the first key is the one to drop.
      this.listings.delete(key);
      this.listings.set(key, hit);
      return hit as ListedLink[];
    }
    const startedAt = this.generation();
    const links = await load();
    if (this.generation() === startedAt && startedAt === this.cachedAt) {
      // Shared by every later caller: frozen, so none can change what another reads.
      this.listings.set(key, Object.freeze(links.map((link) => Object.freeze({ ...link, tags: Object.freeze([...link.tags]) as string[] }))));
      if (this.listings.size > maxListings) this.listings.delete(this.listings.keys().next().value!);
    }
    return links;
  }
}
