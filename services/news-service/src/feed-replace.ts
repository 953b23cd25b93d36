/**
 * Replacing one feed with a rebuilt one (`delinkcious rebuild-feeds`) without
 * losing what the fan-out wrote meanwhile: the rebuilt items, plus every item
 * the feed holds newer than `keepAfterMs` (events that happened after the
 * rebuild's snapshot, or too close to it to be sure the snapshot saw them).
 * Each store applies the result atomically per feed; the merge itself is here,
 * once, so every store keeps the same items.
 */
import { createHash } from 'node:crypto';
import { feedOrder, positionOf, type FeedItem } from './feed.ts';

/** A store whose feeds can be replaced whole. */
export interface ReplaceableFeeds {
  /**
   * Makes `username`'s feed `mergeRebuilt(rebuilt, <its items newer than
   * keepAfterMs>, keepAfterMs, feedMax)`, atomically: a reader sees the old
   * feed or the new one, and an item the fan-out adds meanwhile is kept.
   */
  replaceFeed(username: string, rebuilt: readonly FeedItem[], keepAfterMs: number): Promise<void>;
}

/**
 * The event id of a rebuilt LINK_ADDED: derived from the link, so rebuilding
 * twice writes the same items (the stores' "same id, same item" makes a rerun
 * change nothing), and never a UUID like the live events'.
 */
export function rebuiltEventId(author: string, url: string, timestampMs: number): string {
  const digest = createHash('sha256').update(`${author}\n${url}\n${timestampMs}`).digest('base64url').slice(0, 32);
  return `rebuilt-${digest}`;
}

/** A LINK_ADDED shows the same link at the same time whether it came from an event or a rebuild. */
const sameAddition = (item: FeedItem) => `${item.username}\n${item.url}\n${item.timestamp.getTime()}`;

/**
 * The new feed: `rebuilt`, and the `live` items newer than `keepAfterMs`
 * (older live items are what the rebuild replaces) unless one is the same
 * item (event id) or the same addition as a rebuilt one; newest first, at most
 * `feedMax`.
 */
export function mergeRebuilt(rebuilt: readonly FeedItem[], live: readonly FeedItem[], keepAfterMs: number, feedMax: number): FeedItem[] {
  const ids = new Set(rebuilt.map((item) => item.eventId));
  const additions = new Set(rebuilt.filter((item) => item.eventType === 'LINK_ADDED').map(sameAddition));
  const kept = live.filter(
    (item) =>
      item.timestamp.getTime() > keepAfterMs && !ids.has(item.eventId) && !(item.eventType === 'LINK_ADDED' && additions.has(sameAddition(item))),
  );
  return [...rebuilt, ...kept].sort((a, b) => feedOrder(positionOf(a), positionOf(b))).slice(0, feedMax);
}
