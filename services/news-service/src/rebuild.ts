/**
 * Rebuilding every news feed from its sources (`delinkcious rebuild-feeds`):
 * the feeds are a read model, so losing them (Redis lost, flushed, corrupted)
 * loses nothing. For every user who follows someone, the feed becomes the
 * public links of the people they follow, newest first, up to the feed cap,
 * as LINK_ADDED items at each link's creation time. Private and deleted links
 * are not among the public links, so they never come back.
 *
 * Safe while the system runs: each feed is replaced atomically, keeping what
 * the fan-out wrote after the rebuild's snapshot of that feed's sources (and
 * `graceMs` before it: events still in flight, clocks a little apart). A
 * LINK_ADDED the fan-out wrote for a link the rebuild also found is kept once.
 */
import { canonicalUsername, type LinkManager, type SocialGraphManager } from '@delinkcious/object-model';
import { feedOrder, positionOf, type FeedItem } from './feed.ts';
import { rebuiltEventId, type ReplaceableFeeds } from './feed-replace.ts';

export interface RebuildFeedsOptions {
  store: ReplaceableFeeds;
  socialGraph: Pick<SocialGraphManager, 'getAllFollowersPage' | 'getFollowingPage'>;
  links: Pick<LinkManager, 'getPublicLinks'>;
  /** NEWS_FEED_MAX: a feed's cap, and how many links of each followed user are read. */
  feedMax: number;
  /** Live items this much older than the snapshot are kept as well; default a minute. */
  graceMs?: number;
  /** How long one user's links, once read, serve the feeds of their other followers; default 30 s. */
  reuseMs?: number;
  /** A line now and then, and at the end. */
  progress?: (report: RebuildReport) => void;
  /** Milliseconds between progress lines; default 5 s. */
  progressEveryMs?: number;
  now?: () => number;
}

export interface RebuildReport {
  /** Feeds replaced. */
  feeds: number;
  /** Rebuilt items written, over all feeds. */
  items: number;
  elapsedMs: number;
}

/** The most names or links asked for per page (the services' page cap). */
const pageSize = 100;
/** At most this many users' links are held for reuse at once (memory bound: this × feedMax items). */
const reusedUsers = 200;

interface AuthorLinks {
  items: FeedItem[];
  /** When they were read (ms): the snapshot they belong to. */
  readAt: number;
}

export async function rebuildFeeds(options: RebuildFeedsOptions): Promise<RebuildReport> {
  const now = options.now ?? Date.now;
  const graceMs = options.graceMs ?? 60_000;
  const reuseMs = options.reuseMs ?? 30_000;
  const started = now();
  const report: RebuildReport = { feeds: 0, items: 0, elapsedMs: 0 };
  const cache = new Map<string, AuthorLinks>();
  let lastProgress = started;

  const linksOf = async (author: string): Promise<AuthorLinks> => {
    const cached = cache.get(author);
    if (cached && now() - cached.readAt <= reuseMs) return cached;
    const read = { items: await publicItems(options.links, author, options.feedMax), readAt: now() };
    cache.delete(author);
    cache.set(author, read);
    // The oldest read goes first (a Map iterates in insertion order).
    if (cache.size > reusedUsers) cache.delete(cache.keys().next().value!);
    return read;
  };

  for await (const reader of names((page) => options.socialGraph.getAllFollowersPage(page))) {
    // The snapshot this feed is built from is as old as the oldest read it uses.
    let snapshot = now();
    const rebuilt: FeedItem[] = [];
    for await (const author of names((page) => options.socialGraph.getFollowingPage(reader, page))) {
      if (author === reader) continue;
      const links = await linksOf(author);
      snapshot = Math.min(snapshot, links.readAt);
      rebuilt.push(...links.items);
    }
    rebuilt.sort((a, b) => feedOrder(positionOf(a), positionOf(b)));
    rebuilt.length = Math.min(rebuilt.length, options.feedMax);
    await options.store.replaceFeed(reader, rebuilt, snapshot - graceMs);
    report.feeds++;
    report.items += rebuilt.length;
    if (options.progress && now() - lastProgress >= (options.progressEveryMs ?? 5000)) {
      lastProgress = now();
      options.progress({ ...report, elapsedMs: lastProgress - started });
    }
  }
  report.elapsedMs = now() - started;
  options.progress?.({ ...report });
  return report;
}

/** Every name of a paged list, page by page. */
async function* names(page: (request: { limit: number; startToken?: string }) => Promise<{ names: string[]; nextPageToken: string }>) {
  let startToken: string | undefined;
  do {
    const result = await page({ limit: pageSize, ...(startToken ? { startToken } : {}) });
    yield* result.names;
    startToken = result.nextPageToken;
  } while (startToken);
}

/** `author`'s newest `max` public links as the LINK_ADDED items the fan-out would have written. */
async function publicItems(links: RebuildFeedsOptions['links'], author: string, max: number): Promise<FeedItem[]> {
  const items: FeedItem[] = [];
  let startToken: string | undefined;
  do {
    const page = await links.getPublicLinks({ username: author, limit: Math.min(pageSize, max - items.length), ...(startToken ? { startToken } : {}) });
    for (const link of page.links) {
      const timestamp = new Date(link.createdAt);
      items.push({
        eventId: rebuiltEventId(canonicalUsername(author), link.url, timestamp.getTime()),
        eventType: 'LINK_ADDED',
        username: canonicalUsername(author),
        url: link.url,
        title: link.title,
        timestamp,
      });
    }
    startToken = page.nextPageToken;
  } while (startToken && items.length < max);
  return items.slice(0, max);
}
