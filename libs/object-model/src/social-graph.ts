/** Who follows whom. */
export interface SocialGraphManager {
  follow(followed: string, follower: string): Promise<void>;
  unfollow(followed: string, follower: string): Promise<void>;
  getFollowing(username: string): Promise<string[]>;
  getFollowers(username: string): Promise<string[]>;
}
