/** What SocialGraphManager needs from storage; implemented in memory and on PostgreSQL/PGlite. */

export interface SocialGraphStore {
  /** Records that `follower` follows `followed`; already recorded changes nothing. */
  follow(followed: string, follower: string): Promise<void>;
  /** Answers false when `follower` did not follow `followed`. */
  unfollow(followed: string, follower: string): Promise<boolean>;
  /** Whom `username` follows, in code point order. */
  following(username: string): Promise<string[]>;
  /** Who follows `username`, in code point order. */
  followers(username: string): Promise<string[]>;
  ping(): Promise<void>;
}

