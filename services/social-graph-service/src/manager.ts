/**
 * The SocialGraphManager: every rule about following lives here; transports
 * and stores are adapters around it.
 */
import {
  ForbiddenError,
  NotFoundError,
  ValidationError,
  canonicalUsername,
  isUsername,
  pageLimit,
  type FollowCounts,
  type NamePage,
  type NamePageRequest,
  type SocialGraphManager,
} from '@delinkcious/object-model';
import type { NameRange, SocialGraphStore } from './stores/social-graph-store.ts';

export const defaultMaxFollowing = 5000;

export interface SocialGraphManagerOptions {
  store: SocialGraphStore;
  /** How many people one user may follow. */
  maxFollowing?: number;
}

export class DefaultSocialGraphManager implements SocialGraphManager {
  private readonly store: SocialGraphStore;
  private readonly maxFollowing: number;

  constructor(options: SocialGraphManagerOptions) {
    this.store = options.store;
    this.maxFollowing = options.maxFollowing ?? defaultMaxFollowing;
  }

  /** Following someone already followed is harmless: nothing changes, no error (even at the cap). */
  async follow(followed: string, follower: string): Promise<void> {
    const [who, by] = pair(followed, follower);
    if (who === by) throw new ValidationError('a user cannot follow themselves');
    if ((await this.store.follow(who, by, this.maxFollowing)) === 'limit') {
      throw new ForbiddenError(`you already follow ${this.maxFollowing} people, the most one may follow; unfollow some first`);
    }
  }

  async unfollow(followed: string, follower: string): Promise<void> {
    const [who, by] = pair(followed, follower);
    if (!(await this.store.unfollow(who, by))) throw new NotFoundError(`${by} does not follow ${who}`);
  }

  async getFollowing(username: string): Promise<string[]> {
    return this.store.following(canonicalUsername(username));
  }

  async getFollowers(username: string): Promise<string[]> {
    return this.store.followers(canonicalUsername(username));
  }

  async getFollowingPage(username: string, page: NamePageRequest): Promise<NamePage> {
    const name = canonicalUsername(username);
    return pageOf((range) => this.store.following(name, range), page);
  }

  async getFollowersPage(username: string, page: NamePageRequest): Promise<NamePage> {
    const name = canonicalUsername(username);
    return pageOf((range) => this.store.followers(name, range), page);
  }

  async getAllFollowersPage(page: NamePageRequest): Promise<NamePage> {
    return pageOf((range) => this.store.allFollowers(range), page);
  }

  async getFollowCounts(username: string): Promise<FollowCounts> {
    return this.store.counts(canonicalUsername(username));
  }
}

function pair(followed: unknown, follower: unknown): [string, string] {
  return [canonicalUsername(followed, 'followed'), canonicalUsername(follower, 'follower')];
}

/** One page, asking for one name more than the page holds to learn whether another page follows. */
async function pageOf(list: (range: NameRange) => Promise<string[]>, page: NamePageRequest): Promise<NamePage> {
  const limit = pageLimit(page.limit);
  const after = nameOfPageToken(page.startToken);
  const names = await list({ after, limit: limit + 1 });
  if (names.length <= limit) return { names, nextPageToken: '' };
  const shown = names.slice(0, limit);
  return { names: shown, nextPageToken: pageTokenAfter(shown[shown.length - 1]!) };
}

/** The token of the page after `name`: opaque to clients (they send it back as given). */
export function pageTokenAfter(name: string): string {
  return Buffer.from(name, 'utf8').toString('base64url');
}

function nameOfPageToken(token: string | undefined): string {
  if (token === undefined || token === '') return '';
  const name = Buffer.from(token, 'base64url').toString('utf8');
  if (!isUsername(name) || pageTokenAfter(name) !== token) throw new ValidationError('start_token is not a page token this service gave');
  return name;
}
