/** What LinkManager needs from storage; implemented in memory and on PostgreSQL/PGlite. */
import type { BulkAction, Link, LinkCheckResult, LinkDateCount, LinkEvent, LinkStatus, PopularLink, TagCount } from '@delinkcious/object-model';
import type { SearchQuery, SearchSort } from '@delinkcious/object-model';

export interface StoredLink extends Link {
  /** Increases with every link added: newest first is highest id first. */
  id: number;
  username: string;
  /** When the check result now applied was taken; null while pending. */
  checkedAt: Date | null;
}

export interface NewLink {
  username: string;
  url: string;
  title: string;
  description: string;
  tags: string[];
  private: boolean;
  /** Absent: read. */
  unread?: boolean;
  createdAt: Date;
  /** Absent: createdAt. An import keeps the file's (docs/design.md §19 B). */
  updatedAt?: Date;
}

export interface LinkChanges {
  url?: string;
  title?: string;
  description?: string;
  tags?: string[];
  private?: boolean;
  unread?: boolean;
  status?: LinkStatus;
  checkedAt?: Date | null;
  /** Link health (docs/design.md §17): reset with the status when the URL changes. */
  httpStatus?: number;
  checkError?: string;
  invalidSince?: Date | null;
  archiveUrl?: string;
  faviconUrl?: string;
}

export type InsertOutcome = { kind: 'added'; link: StoredLink } | { kind: 'duplicate' } | { kind: 'limit' };

export type UpdateOutcome =
  | { kind: 'updated'; before: StoredLink; link: StoredLink }
  | { kind: 'unchanged'; link: StoredLink }
  | { kind: 'not_found' }
  | { kind: 'duplicate' };

export interface ListQuery {
  tag?: string | undefined;
  /** Links with all of these tags (and `tag`). */
  tags?: string[] | undefined;
  /**
   * A parsed `q` (rules/search-query.ts, docs/design.md §14), matched in the store: the
   * bulk edit selects its links with `list(username, { search, limit })` too.
   */
  search?: SearchQuery | undefined;
  /** Absent: newest (created_at, then id, descending). Relevance without words is newest. */
  sort?: SearchSort | undefined;
  /** Keyset paging: only links after this one in the sort's order (its sortKey and id). */
  after?: ListCursor | undefined;
  /** A page token of before search: only links after this one, newest first. */
  beforeId?: number | undefined;
  /** Only public links: what others may see. */
  publicOnly?: boolean | undefined;
  limit: number;
}

/** Where a page ended: the last link's sort key (absent: an old token's id alone, newest only) and id. */
export interface ListCursor {
  key?: string | undefined;
  id: number;
}

/** A listed link and its key in the listing's sort (what a page token carries). */
export interface ListedLink extends StoredLink {
  sortKey: string;
}

/**
 * Builds the event a change emits from the link as stored (and as it was, for
 * an update), or null when it emits none (a private link's changes). The store
 * writes it in the same transaction as the change. For an insert it is built
 * before the row is written, from the link as it will be stored: every field
 * is known then but `id` and `savedBy` (given as 0), which events do not carry.
 */
export type EventBuilder = (link: StoredLink, before?: StoredLink) => LinkEvent | null;

/** One bulk edit as the store applies it (tags already checked and normalised). */
export type BulkEdit =
  | { action: Extract<BulkAction, 'add_tags' | 'remove_tags'>; tags: string[] }
  | { action: Exclude<BulkAction, 'add_tags' | 'remove_tags'> };

/** What the store knows about checking a URL, answered when a check is claimed. */
export type CheckClaim =
  /** A result no older than asked for exists: reuse it, no check needed. */
  | { kind: 'known'; result: LinkCheckResult }
  /** This caller should request the check. */
  | { kind: 'claimed' }
  /** Someone requested it recently; its result will apply to every link with the URL. */
  | { kind: 'in_progress' };

export interface LinkStore {
  /** The user's links matching the query, in its sort order (newest first by default). */
  list(username: string, query: ListQuery): Promise<ListedLink[]>;
  /** Adds a link unless the user has that URL already or has `maxLinksPerUser` links. */
  insert(link: NewLink, maxLinksPerUser: number, event: EventBuilder): Promise<InsertOutcome>;
  /**
   * Changes a link atomically: `change` sees the current link and answers what
   * to change (null: nothing). It may throw to refuse; nothing is written then.
   */
  update(
    username: string,
    url: string,
    change: (current: StoredLink) => LinkChanges | null,
    now: Date,
    event: EventBuilder,
  ): Promise<UpdateOutcome>;
  delete(username: string, url: string, event: EventBuilder): Promise<StoredLink | null>;
  /**
   * Sets the status and health of every link with that URL whose last result is older, fills in an
   * empty title or description from the page (never one the user wrote: compared in the same write),
   * and keeps the result for reuse; answers how many links changed. `filled` builds the event of a
   * link whose title or description was filled in (written with the change).
   */
  applyCheck(result: LinkCheckResult, filled?: EventBuilder): Promise<number>;
  /**
   * Decides whether `url` needs a check at `now`: a result newer than
   * `reuseAfter` is reused; otherwise the first caller since `claimBefore`
   * claims the check (across users and replicas).
   */
  claimCheck(url: string, now: Date, reuseAfter: Date, claimBefore: Date): Promise<CheckClaim>;
  /**
   * URLs the reconciler should check again: links pending since before
   * `pendingBefore`, or whose result is older than `checkedBefore`. Distinct, oldest first.
   */
  urlsToRecheck(pendingBefore: Date, checkedBefore: Date, limit: number): Promise<Array<{ url: string; username: string }>>;
  /** How many public links the user has: a kept count. */
  countPublicLinks(username: string): Promise<number>;
  /**
   * The URLs `usernames` saved publicly since `since`, most savers first (then
   * the most recently saved, then by URL), at most `limit`.
   */
  popular(usernames: string[], since: Date, limit: number): Promise<PopularLink[]>;
  /** The user's tags and how many links carry each, most first, then in code point order; `prefix` '' is every tag. */
  tagCounts(username: string, prefix: string, limit: number): Promise<TagCount[]>;
  /** Renames a tag on every link of the user, atomically (a link with both keeps one); answers how many links changed. */
  renameTag(username: string, tag: string, newTag: string, now: Date): Promise<number>;
  /** Removes a tag from every link of the user, atomically; answers how many links changed. */
  deleteTag(username: string, tag: string, now: Date): Promise<number>;
  /**
   * Applies `edit` to the user's links with these URLs in one transaction;
   * answers how many changed (links already as asked do not count).
   * `retract` builds the event of each link that stops being public (made
   * private or deleted), from the link as followers last saw it. A refusal
   * (a link past the tag limit) is thrown and nothing is written.
   */
  bulkEdit(username: string, urls: string[], edit: BulkEdit, now: Date, retract: EventBuilder): Promise<number>;
  /**
   * When the user last added, deleted, or changed a post's fields (url, title, description, tags,
   * private, unread, createdAt) of a link, by whatever write; null if never. A kept time, not a scan.
   */
  lastChange(username: string): Promise<Date | null>;
  /** The user's links carrying all `tags`, counted per UTC day of createdAt, newest day first. */
  linkDates(username: string, tags: string[]): Promise<LinkDateCount[]>;
  ping(): Promise<void>;
}
