/** What SocialGraphManager needs from storage; implemented in memory and on PostgreSQL/PGlite. */
import type { FollowCounts } from '@delinkcious/object-model';

/** `limit`: the follower already follows `maxFollowing` people (and not this one). */
export type FollowOutcome = 'added' | 'already' | 'limit';

export interface SocialGraphStore {
  /**
   * Records that `follower` follows `followed`, unless they already follow
   * `maxFollowing` people; already recorded changes nothing. Atomic per
   * follower, so concurrent follows cannot pass the cap.
   */
  follow(followed: string, follower: string, maxFollowing?: number): Promise<FollowOutcome>;
  /** Answers false when `follower` did not follow `followed`. */
  unfollow(followed: string, follower: string): Promise<boolean>;
  /** Whom `username` follows, in code point order; with `after`, only names after it; with `limit`, at most that many. */
  following(username: string, range?: NameRange): Promise<string[]>;
  /** Who follows `username`, in code point order; `range` as for following. */
  followers(username: string, range?: NameRange): Promise<string[]>;
  /** Everyone who follows someone, each once, in code point order; `range` as for following. */
  allFollowers(range: NameRange): Promise<string[]>;
  /** How many follow `username` and how many `username` follows. */
  counts(username: string): Promise<FollowCounts>;
  ping(): Promise<void>;
}

export interface NameRange {
  /** Only names after this one, in code point order. */
  after?: string;
  limit?: number;
}
