/** SocialGraphStore in memory: for unit tests, and the reference the contract suite holds the others to. */
import { byCodePoint, type FollowCounts } from '@delinkcious/object-model';
import type { FollowOutcome, NameRange, SocialGraphStore } from './social-graph-store.ts';

export class MemorySocialGraphStore implements SocialGraphStore {
  /** followed → followers */
  private readonly followersOf = new Map<string, Set<string>>();
  /** follower → followed */
  private readonly followingOf = new Map<string, Set<string>>();

  async follow(followed: string, follower: string, maxFollowing = Infinity): Promise<FollowOutcome> {
    const following = this.followingOf.get(follower);
    if (following?.has(followed)) return 'already';
    if ((following?.size ?? 0) >= maxFollowing) return 'limit';
    add(this.followersOf, followed, follower);
    add(this.followingOf, follower, followed);
    return 'added';
  }

  async unfollow(followed: string, follower: string): Promise<boolean> {
    const removed = remove(this.followersOf, followed, follower);
    remove(this.followingOf, follower, followed);
    return removed;
  }

  async following(username: string, range?: NameRange): Promise<string[]> {
    return inRange([...(this.followingOf.get(username) ?? [])].sort(byCodePoint), range);
  }

  async followers(username: string, range?: NameRange): Promise<string[]> {
    return inRange([...(this.followersOf.get(username) ?? [])].sort(byCodePoint), range);
  }

  async allFollowers(range: NameRange): Promise<string[]> {
    return inRange([...this.followingOf.keys()].sort(byCodePoint), range);
  }

  async counts(username: string): Promise<FollowCounts> {
    return { followers: this.followersOf.get(username)?.size ?? 0, following: this.followingOf.get(username)?.size ?? 0 };
  }

  async ping(): Promise<void> {}
}

function inRange(sorted: string[], range: NameRange | undefined): string[] {
  if (!range) return sorted;
  const after = range.after ?? '';
  const from = sorted.filter((name) => byCodePoint(name, after) > 0);
  return range.limit === undefined ? from : from.slice(0, range.limit);
}

function add(index: Map<string, Set<string>>, key: string, value: string): void {
  const values = index.get(key) ?? new Set<string>();
  values.add(value);
  index.set(key, values);
}

function remove(index: Map<string, Set<string>>, key: string, value: string): boolean {
  const values = index.get(key);
  if (!values?.delete(value)) return false;
  if (values.size === 0) index.delete(key);
  return true;
}
