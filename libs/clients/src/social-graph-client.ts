/** SocialGraphManager over social-graph-service's HTTP API: a caller cannot tell it from the local manager. */
import { byCodePoint, type FollowCounts, type NamePage, type NamePageRequest, type SocialGraphManager } from '@delinkcious/object-model';
import { ServiceHttpClient, type HttpClientOptions } from '@delinkcious/kit';

/**
 * The names of a `{name: true}` map in code point order, as the manager
 * answers them: JSON objects put integer-like keys ("42") first, so the
 * order on the wire is not kept.
 */
function sortedNames(set: Record<string, boolean> | undefined): string[] {
  return Object.entries(set ?? {})
    .filter(([, on]) => on)
    .map(([name]) => name)
    .sort(byCodePoint);
}

/**
 * A username as one path segment. A URL drops "." and ".." segments (even
 * percent-encoded); the service trims names, so a trailing space keeps them.
 */
function segment(username: string): string {
  const encoded = encodeURIComponent(username);
  return username === '.' || username === '..' ? `${encoded}%20` : encoded;
}

const pageQuery = (page: NamePageRequest) =>
  new URLSearchParams({ limit: String(page.limit), ...(page.startToken && { start_token: page.startToken }) }).toString();

export class SocialGraphClient implements SocialGraphManager {
  private readonly http: ServiceHttpClient;

  constructor(options: Omit<HttpClientOptions, 'target'>) {
    this.http = new ServiceHttpClient({ target: 'social-graph-service', ...options });
  }

  async follow(followed: string, follower: string): Promise<void> {
    // Following twice is harmless, so a retry is safe; unfollowing twice is a NotFound, so it is not retried.
    await this.http.request({ method: 'POST', path: '/follow', body: { followed, follower }, idempotent: true });
  }

  async unfollow(followed: string, follower: string): Promise<void> {
    await this.http.request({ method: 'POST', path: '/unfollow', body: { followed, follower } });
  }

  async getFollowing(username: string): Promise<string[]> {
    const result = await this.http.request<{ following: Record<string, boolean> }>({
      method: 'GET',
      path: `/following/${segment(username)}`,
    });
    return sortedNames(result.following);
  }

  async getFollowers(username: string): Promise<string[]> {
    const result = await this.http.request<{ followers: Record<string, boolean> }>({
      method: 'GET',
      path: `/followers/${segment(username)}`,
    });
    return sortedNames(result.followers);
  }

  async getFollowingPage(username: string, page: NamePageRequest): Promise<NamePage> {
    const result = await this.http.request<{ following: Record<string, boolean>; next_page_token?: string }>({
      method: 'GET',
      path: `/following/${segment(username)}?${pageQuery(page)}`,
    });
    return { names: sortedNames(result.following), nextPageToken: result.next_page_token ?? '' };
  }

  async getFollowersPage(username: string, page: NamePageRequest): Promise<NamePage> {
    const result = await this.http.request<{ followers: Record<string, boolean>; next_page_token?: string }>({
      method: 'GET',
      path: `/followers/${segment(username)}?${pageQuery(page)}`,
    });
    return { names: sortedNames(result.followers), nextPageToken: result.next_page_token ?? '' };
  }

  async getAllFollowersPage(page: NamePageRequest): Promise<NamePage> {
    const result = await this.http.request<{ followers: Record<string, boolean>; next_page_token?: string }>({
      method: 'GET',
      path: `/all-followers?${pageQuery(page)}`,
    });
    return { names: sortedNames(result.followers), nextPageToken: result.next_page_token ?? '' };
  }

  async getFollowCounts(username: string): Promise<FollowCounts> {
    const result = await this.http.request<FollowCounts>({ method: 'GET', path: `/follow-counts/${segment(username)}` });
    return { followers: result.followers, following: result.following };
  }

  close(): void {
    this.http.close();
  }
}
