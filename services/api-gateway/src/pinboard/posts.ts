/**
 * Pinboard's posts over the LinkManager: the same links, read and changed
 * through the same manager as /v1, never a model of their own. Pinboard's
 * questions become listings (newest first, tags, days through the search
 * language), the manager's counts per day (linkDates) and its kept time of
 * the latest change (lastChange); only posts/all walks the caller's links
 * page by page, and the rate limits (rate-limit.ts) bound how often.
 */
import { ConflictError, NotFoundError, type Link, type LinkManager, type UserManager } from '@delinkcious/object-model';
import { dayOf } from './params.ts';

/** One listing page while walking a user's links. */
const walkPage = 100;
const dayMs = 24 * 60 * 60 * 1000;

export interface PostFilter {
  /** All of them (Pinboard's `tag`, up to three). */
  tags?: readonly string[];
  /** CreatedAt from, to (inclusive). */
  from?: Date;
  to?: Date;
}

export interface NewPost {
  url: string;
  title: string;
  extended?: string;
  tags: string[];
  createdAt?: Date;
  /** Pinboard's `replace`: absent is yes. */
  replace: boolean;
  shared?: boolean;
  toread?: boolean;
}

export type AddOutcome = 'done' | 'item already exists';

export class PinboardPosts {
  constructor(
    private readonly links: LinkManager,
    private readonly users: Pick<UserManager, 'getSettings'>,
  ) {}

  /**
   * The caller's link with this URL, or undefined. The manager finds a link by
   * URL in its update path only: an update that changes nothing answers the
   * link as it is, without an event or a new UpdatedAt.
   */
  async find(username: string, url: string): Promise<Link | undefined> {
    try {
      return await this.links.updateLink({ username, url });
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  /**
   * The user's links carrying all `tags`, created within [from, to] when
   * given, newest first (CreatedAt, the listing's `newest`). The dates narrow
   * the listing by day (the search language's after:/before:) and are then
   * applied to the second.
   */
  async *walk(username: string, filter: PostFilter = {}, pageSize = walkPage): AsyncGenerator<Link> {
    const { tags = [], from, to } = filter;
    const terms = [from && `after:${dayOf(from)}`, to && `before:${dayOf(new Date(to.getTime() + dayMs))}`].filter(Boolean);
    let startToken: string | undefined;
    do {
      const page = await this.links.getLinks({
        username,
        limit: pageSize,
        sort: 'newest',
        ...(tags.length > 0 && { tags: [...tags] }),
        ...(terms.length > 0 && { q: terms.join(' ') }),
        ...(startToken && { startToken }),
      });
      for (const link of page.links) {
        if ((!from || link.createdAt >= from) && (!to || link.createdAt <= to)) yield link;
      }
      startToken = page.nextPageToken || undefined;
    } while (startToken);
  }

  /** At most `max` of the links walk() finds. */
  async collect(username: string, filter: PostFilter = {}, max = Infinity): Promise<Link[]> {
    const found: Link[] = [];
    if (max <= 0) return found;
    // Without dates every listed link counts, so no bigger a page than asked for (posts/get without
    // dt reads one row); with them, links outside the seconds asked for are dropped: full pages.
    const pageSize = filter.from || filter.to ? walkPage : Math.min(walkPage, max);
    for await (const link of this.walk(username, filter, pageSize)) {
      found.push(link);
      if (found.length >= max) break;
    }
    return found;
  }

  /** The posts of one UTC day. */
  async day(username: string, tags: readonly string[], day: string): Promise<Link[]> {
    const from = new Date(`${day}T00:00:00Z`);
    return this.collect(username, { tags, from, to: new Date(from.getTime() + dayMs - 1) });
  }

  /** The UTC day of the newest post carrying all `tags`, if any. */
  async latestDay(username: string, tags: readonly string[]): Promise<string | undefined> {
    const [newest] = await this.collect(username, { tags }, 1);
    return newest && dayOf(newest.createdAt);
  }

  /** How many posts carrying all `tags` each UTC day has, newest day first: one GROUP BY in link-service. */
  async dates(username: string, tags: readonly string[]): Promise<Array<[day: string, count: number]>> {
    const days = await this.links.linkDates({ username, tags: [...tags] });
    return days.map(({ date, count }) => [date, count]);
  }

  /**
   * The most recent add, change or deletion of any of the user's posts, kept by link-service
   * (docs/design.md §20); the epoch for a user who never saved one.
   */
  async lastUpdate(username: string): Promise<Date> {
    return (await this.links.lastChange(username)) ?? new Date(0);
  }

  /**
   * posts/add: a new link, or with `replace` (Pinboard's default) the existing
   * one's title, description and tags replaced; `shared` and `toread` change it
   * only when given. An existing link keeps its date.
   */
  async add(username: string, post: NewPost): Promise<AddOutcome> {
    const isPrivate = post.shared === undefined ? (await this.users.getSettings(username)).defaultPrivate : !post.shared;
    try {
      await this.links.addLink({
        username,
        url: post.url,
        title: post.title,
        description: post.extended ?? '',
        tags: post.tags,
        private: isPrivate,
        unread: post.toread ?? false,
        ...(post.createdAt && { createdAt: post.createdAt }),
      });
      return 'done';
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      if (!post.replace) return 'item already exists';
    }
    const existing = await this.find(username, post.url);
    if (!existing) throw new NotFoundError(`you have no link with url ${post.url}`);
    await this.links.updateLink({
      username,
      url: existing.url,
      title: post.title,
      description: post.extended ?? '',
      addTags: post.tags,
      removeTags: existing.tags.filter((tag) => !post.tags.includes(tag)),
      ...(post.shared !== undefined && { private: !post.shared }),
      ...(post.toread !== undefined && { unread: post.toread }),
    });
    return 'done';
  }
}
