/** What SocialGraphManager needs from storage; implemented in memory and on PostgreSQL/PGlite. */

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
  ping(): Promise<void>;
}

export interface NameRange {
  /** Only names after this one, in code point order. */
  after?: string;
  limit?: number;
}
