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

export interface SocialGraphManager {
  follow(followed: string, follower: string): Promise<void>;
  unfollow(followed: string, follower: string): Promise<void>;
  getFollowing(username: string): Promise<string[]>;
  getFollowers(username: string): Promise<string[]>;
  getFollowingPage(username: string, page: NamePageRequest): Promise<NamePage>;
  getFollowersPage(username: string, page: NamePageRequest): Promise<NamePage>;
}
