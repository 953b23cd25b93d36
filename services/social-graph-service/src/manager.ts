/**
 * The SocialGraphManager: every rule about following lives here; transports
 * and stores are adapters around it.
 */
import { NotFoundError, ValidationError, requireUsername, type SocialGraphManager } from '@delinkcious/object-model';
import type { SocialGraphStore } from './stores/social-graph-store.ts';

export interface SocialGraphManagerOptions {
  store: SocialGraphStore;
}

export class DefaultSocialGraphManager implements SocialGraphManager {
  private readonly store: SocialGraphStore;

  constructor(options: SocialGraphManagerOptions) {
    this.store = options.store;
  }

  /** Following someone already followed is harmless: nothing changes, no error. */
  async follow(followed: string, follower: string): Promise<void> {
    const [who, by] = pair(followed, follower);
    if (who === by) throw new ValidationError('a user cannot follow themselves');
    await this.store.follow(who, by);
  }

  async unfollow(followed: string, follower: string): Promise<void> {
    const [who, by] = pair(followed, follower);
    if (!(await this.store.unfollow(who, by))) throw new NotFoundError(`${by} does not follow ${who}`);
  }

  async getFollowing(username: string): Promise<string[]> {
    return this.store.following(requireUsername(username));
  }

  async getFollowers(username: string): Promise<string[]> {
    return this.store.followers(requireUsername(username));
  }
}

function pair(followed: unknown, follower: unknown): [string, string] {
  return [requireUsername(followed, 'followed'), requireUsername(follower, 'follower')];
}
