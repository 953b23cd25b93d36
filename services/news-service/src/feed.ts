/**
 * A feed item and the one order every store keeps: newest first, ties broken
 * by event id (descending, byte order: what Redis' lexical order and
 * PostgreSQL's "C" collation give). A page token is the position of the last
 * item of the previous page, so inserts between calls never shift a page.
 */
import { byCodePoint, ValidationError, type NewsEventType } from '@delinkcious/object-model';

export interface FeedItem {
  eventId: string;
  eventType: NewsEventType;
  /** The author of the change. */
  username: string;
  url: string;
  title: string;
  timestamp: Date;
}

/** Where a page ends: the last item's timestamp (ms) and event id. */
export interface FeedPosition {
  timestampMs: number;
  eventId: string;
}

export const positionOf = (item: FeedItem): FeedPosition => ({ timestampMs: item.timestamp.getTime(), eventId: item.eventId });

/** Negative when `a` comes first in a feed. */
export function feedOrder(a: FeedPosition, b: FeedPosition): number {
  return b.timestampMs - a.timestampMs || byCodePoint(b.eventId, a.eventId);
}

/** True when `item` comes after `position` in a feed (belongs on the next page). */
export function isAfter(item: FeedPosition, position: FeedPosition): boolean {
  return feedOrder(item, position) > 0;
}

export function encodeToken(position: FeedPosition): string {
  return Buffer.from(JSON.stringify([position.timestampMs, position.eventId])).toString('base64url');
}

export function decodeToken(token: string): FeedPosition {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && Number.isSafeInteger(parsed[0]) && typeof parsed[1] === 'string') {
      return { timestampMs: parsed[0] as number, eventId: parsed[1] };
    }
  } catch {
    // answered below
  }
  throw new ValidationError('the start token is not one this service gave out');
}
