/**
 * Fan-out on write (docs/design.md §4): each link event is added to the feed
 * of every follower of its author, at the time of the event; the author's own
 * feed and non-followers get nothing. Reading a feed (the manager) is then one
 * range of one user's feed.
 */
import { canonicalUsername, isUsername, type LinkEvent, type LinkEventType, type NewsEventType, type SocialGraphManager } from '@delinkcious/object-model';
import type { FeedItem } from './feed.ts';
import type { NewsStore } from './stores/news-store.ts';

export type FanOutResult =
  | { status: 'ok'; followers: number }
  /** Already fanned out: a redelivery or a duplicate publish. */
  | { status: 'duplicate' }
  /** Not a link event this service can use; acknowledged so it is not redelivered forever. */
  | { status: 'invalid'; reason: string };

/** What the link-event consumer hands each event to. */
export interface LinkEventHandler {
  /** Throws when the event should be redelivered; answers otherwise. */
  handleLinkEvent(event: unknown): Promise<FanOutResult>;
}

export interface FeedFanOutOptions {
  store: NewsStore;
  /** Where followers come from: social-graph-service's client, or a manager in tests. */
  socialGraph: Pick<SocialGraphManager, 'getFollowers'>;
  /** Followers written per store call (one Redis pipeline each). */
  batchSize?: number;
}

const eventTypes: Record<LinkEventType, NewsEventType> = {
  'link.added': 'LINK_ADDED',
  'link.updated': 'LINK_UPDATED',
  'link.deleted': 'LINK_DELETED',
};

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const controlCharacter = /[\u0000-\u001f\u007f]/;

/** The feed item an event makes, or why it makes none. */
export function feedItemOf(event: unknown): FeedItem | string {
  const e = event as Partial<LinkEvent> | null;
  if (!e || typeof e !== 'object') return 'not an object';
  // Ids end up in keys and members: no control characters (the Redis member uses "\n" as separator).
  if (typeof e.id !== 'string' || e.id === '' || e.id.length > 256 || controlCharacter.test(e.id)) return 'no usable id';
  const eventType = typeof e.type === 'string' ? eventTypes[e.type as LinkEventType] : undefined;
  if (!eventType) return `type ${String(e.type)} is not a link event`;
  if (typeof e.username !== 'string' || !isUsername(e.username.trim())) return 'no author';
  if (!e.link || typeof e.link.url !== 'string' || e.link.url === '') return 'no link url';
  const timestamp = new Date(typeof e.timestamp === 'string' ? e.timestamp : NaN);
  if (Number.isNaN(timestamp.getTime())) return 'no valid timestamp';
  return {
    eventId: e.id,
    eventType,
    // The canonical form, as feeds and follows are keyed: events written before it may carry another case.
    username: canonicalUsername(e.username),
    url: e.link.url,
    title: typeof e.link.title === 'string' ? e.link.title : '',
    timestamp,
  };
}

export class FeedFanOut implements LinkEventHandler {
  private readonly store: NewsStore;
  private readonly socialGraph: Pick<SocialGraphManager, 'getFollowers'>;
  private readonly batchSize: number;

  constructor(options: FeedFanOutOptions) {
    this.store = options.store;
    this.socialGraph = options.socialGraph;
    this.batchSize = options.batchSize ?? 500;
  }

  /**
   * Adds the event to each follower's feed. Throws when the social graph or
   * the store fails: the bus redelivers, and the repeat completes the fan-out
   * (items already written are left as they are). Marked delivered only at
   * the end, so a duplicate arriving later (after someone new followed the
   * author, say) changes nothing.
   */
  async handleLinkEvent(event: unknown): Promise<FanOutResult> {
    const item = feedItemOf(event);
    if (typeof item === 'string') return { status: 'invalid', reason: item };
    if (!this.store.deliverOnce) return this.inBatches(item);
    // One statement for the check, every feed and the mark (a duplicate costs a followers read); a
    // longer list goes in batches, so other work on the database runs between them.
    const followers = await this.followersOf(item.username);
    if (followers.length > this.batchSize) return this.inBatches(item, followers);
    if (!(await this.store.deliverOnce(followers, item))) return { status: 'duplicate' };
    return { status: 'ok', followers: followers.length };
  }

  private async inBatches(item: FeedItem, known?: string[]): Promise<FanOutResult> {
    if (await this.store.isDelivered(item.eventId)) return { status: 'duplicate' };
    const followers = known ?? (await this.followersOf(item.username));
    for (let i = 0; i < followers.length; i += this.batchSize) {
      await this.store.addToFeeds(followers.slice(i, i + this.batchSize), item);
    }
    await this.store.markDelivered(item.eventId);
    return { status: 'ok', followers: followers.length };
  }

  /** The author's followers, less the author. */
  private async followersOf(author: string): Promise<string[]> {
    return (await this.socialGraph.getFollowers(author)).filter((name) => name !== author);
  }
}
