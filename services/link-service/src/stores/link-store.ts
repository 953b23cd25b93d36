/** What LinkManager needs from storage; implemented in memory and on PostgreSQL/PGlite. */
import type { Link, LinkCheckResult, LinkEvent, LinkStatus, PopularLink } from '@delinkcious/object-model';

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
  createdAt: Date;
}

export interface LinkChanges {
  url?: string;
  title?: string;
  description?: string;
  tags?: string[];
  private?: boolean;
  status?: LinkStatus;
  checkedAt?: Date | null;
}

export type InsertOutcome = { kind: 'added'; link: StoredLink } | { kind: 'duplicate' } | { kind: 'limit' };

export type UpdateOutcome =
  | { kind: 'updated'; before: StoredLink; link: StoredLink }
  | { kind: 'unchanged'; link: StoredLink }
  | { kind: 'not_found' }
  | { kind: 'duplicate' };

export interface ListQuery {
  tag?: string | undefined;
  /** Only links older than this id (keyset paging). */
  beforeId?: number | undefined;
  /** Only public links: what others may see. */
  publicOnly?: boolean | undefined;
  limit: number;
}

/**
 * Builds the event a change emits from the link as stored (and as it was, for
 * an update), or null when it emits none (a private link's changes). The store
 * writes it in the same transaction as the change. For an insert it is built
 * before the row is written, from the link as it will be stored: every field
 * is known then but `id` and `savedBy` (given as 0), which events do not carry.
 */
export type EventBuilder = (link: StoredLink, before?: StoredLink) => LinkEvent | null;

/** What the store knows about checking a URL, answered when a check is claimed. */
export type CheckClaim =
  /** A result no older than asked for exists: reuse it, no check needed. */
  | { kind: 'known'; result: LinkCheckResult }
  /** This caller should request the check. */
  | { kind: 'claimed' }
  /** Someone requested it recently; its result will apply to every link with the URL. */
  | { kind: 'in_progress' };

export interface LinkStore {
  /** The user's links, newest first. */
  list(username: string, query: ListQuery): Promise<StoredLink[]>;
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
  /** Sets the status of every link with that URL whose last result is older; answers how many changed. */
  applyCheck(result: LinkCheckResult): Promise<number>;
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
  ping(): Promise<void>;
}
