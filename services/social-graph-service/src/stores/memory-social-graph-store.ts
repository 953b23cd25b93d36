/** SocialGraphStore in memory: for unit tests, and the reference the contract suite holds the others to. */
import { byCodePoint } from '@delinkcious/object-model';
import type { SocialGraphStore } from './social-graph-store.ts';

export class MemorySocialGraphStore implements SocialGraphStore {
  /** followed → followers */
  private readonly followersOf = new Map<string, Set<string>>();
  /** follower → followed */
  private readonly followingOf = new Map<string, Set<string>>();

  async follow(followed: string, follower: string): Promise<void> {
    add(this.followersOf, followed, follower);
    add(this.followingOf, follower, followed);
  }

  async unfollow(followed: string, follower: string): Promise<boolean> {
    const removed = remove(this.followersOf, followed, follower);
    remove(this.followingOf, follower, followed);
    return removed;
  }

  async following(username: string): Promise<string[]> {
    return [...(this.followingOf.get(username) ?? [])].sort(byCodePoint);
  }

  async followers(username: string): Promise<string[]> {
    return [...(this.followersOf.get(username) ?? [])].sort(byCodePoint);
  }

  async ping(): Promise<void> {}
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
