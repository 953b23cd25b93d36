/** Who follows whom. */

/** One page of a follow list: names in code point order, and the token of the next page ('' on the last). */
export interface NamePage {
  names: string[];
  nextPageToken: string;
}

export interface NamePageRequest {
  limit: number;
  /** The opaque token of a previous page; '' or absent for the first page. */
  startToken?: string;
}

/** How many people follow a user and how many they follow (a profile's counts). */
export interface FollowCounts {
  followers: number;
  following: number;
}

export interface SocialGraphManager {
  follow(followed: string, follower: string): Promise<void>;
  unfollow(followed: string, follower: string): Promise<void>;
  getFollowing(username: string): Promise<string[]>;
  getFollowers(username: string): Promise<string[]>;
  getFollowingPage(username: string, page: NamePageRequest): Promise<NamePage>;
  getFollowersPage(username: string, page: NamePageRequest): Promise<NamePage>;
  /** Everyone who follows at least one user, a page in code point order (for rebuilding every news feed). */
  getAllFollowersPage(page: NamePageRequest): Promise<NamePage>;
  /** Counted by the store, never by listing the names. */
  getFollowCounts(username: string): Promise<FollowCounts>;
}
