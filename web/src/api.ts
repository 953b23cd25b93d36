/**
 * The public API, as the web UI uses it: /v1 with the session cookie (sent by
 * the browser, same origin), and the sign-in routes. Every failure becomes an
 * ApiError carrying the API's own message ({"err": "..."}) and status.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type LinkStatus = 'pending' | 'valid' | 'invalid';

/** The LINK object as the API answers it (PascalCase, as the original). */
export interface Link {
  Url: string;
  Title: string;
  Description: string;
  Status: LinkStatus;
  Tags: Record<string, boolean> | null;
  /** Seen by you only. Absent from an API older than private links (all public then). */
  Private?: boolean;
  /** How many other people saved the same URL publicly. */
  SavedBy?: number;
  /** Saved to read later, not read yet. Absent from an API older than read-later (all read then). */
  Unread?: boolean;
  /** The last check (absent from an API older than link health): when, the HTTP status (0: none), why it failed. */
  CheckedAt?: string | null;
  HttpStatus?: number;
  CheckError?: string;
  /** Since when the link has been failing; null while it works. */
  InvalidSince?: string | null;
  /** An archived copy of the page (the Wayback Machine), '' when none is known. */
  ArchiveUrl?: string;
  CreatedAt: string;
  UpdatedAt: string;
}

export interface LinkPage {
  links: Link[];
  next_page_token: string;
}

export interface LinkFilter {
  /** One tag, or several joined by commas: links with all of them. */
  tag?: string;
  url_regex?: string;
  title_regex?: string;
  description_regex?: string;
  /** The search query language (docs/design.md §2): words, "phrases", -word, #tag, site:, is:, after:/before:, OR. */
  q?: string;
  sort?: LinkSort;
}

export type LinkSort = 'newest' | 'oldest' | 'title' | 'relevance';

/** An entry of GET /v1/tags: a tag of yours and how many of your links have it. */
export interface TagCount {
  tag: string;
  count: number;
}

export type BulkAction = 'add_tags' | 'remove_tags' | 'set_private' | 'set_public' | 'mark_read' | 'mark_unread' | 'delete';

/** GET /v1/settings: one flat object; later settings add fields. */
export interface Settings {
  default_private: boolean;
  /** Your private news feed's path, in the answer that made it only; else "" (absent: an API without feeds). */
  feed_url?: string;
  /** When your current feed URL was made; "" when you have none. */
  feed_token_created_at?: string;
}

/** An entry of GET /v1/popular: a URL saved by people you follow. */
export interface PopularLink {
  Url: string;
  Title: string;
  /** How many of the people you follow saved it. */
  SavedBy: number;
  Usernames: string[];
}

export interface NewsEvent {
  event_type: 'LINK_ADDED' | 'LINK_UPDATED' | 'LINK_DELETED';
  username: string;
  url: string;
  title: string;
  timestamp: string;
}

export interface NewsPage {
  events: NewsEvent[];
  next_token: string;
}

/** What anyone may see of someone (GET /v1/users/{username}). */
export interface Profile {
  username: string;
  name: string;
  public_links: number;
  followers: number;
  following: number;
  /** Their public Atom feed; "" (or absent) when this server serves none. */
  feed_url?: string;
}

/** A person found by GET /v1/users?q=. */
export interface Person {
  username: string;
  name: string;
}

export interface PeoplePage {
  users: Person[];
  next_page_token: string;
}

/** read: the token may only read; write: it may also change links and follows. */
export type TokenScope = 'read' | 'write';

export interface ApiToken {
  id: string;
  name: string;
  scope: TokenScope;
  created_at: string;
  last_used_at: string | null;
}

export interface Session {
  username: string;
  name: string;
  email: string;
}

export interface LoginOptions {
  github: boolean;
  dev_login: boolean;
}

type Query = Record<string, string | number | undefined>;

/** Called when the session is gone (401): the app goes back to its sign-in screen. */
let onSignedOut: (() => void) | undefined;
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

async function request<T>(method: string, path: string, options: { query?: Query; body?: unknown; quiet401?: boolean } = {}): Promise<T> {
  const url = new URL(path, location.origin);
  for (const [key, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(url, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'Delinkcious could not be reached: check your connection, then try again.');
  }
  const data = (await response.json().catch(() => undefined)) as { err?: unknown } | undefined;
  const err = typeof data?.err === 'string' ? data.err : '';
  if (!response.ok || err) {
    if (response.status === 401 && !options.quiet401) onSignedOut?.();
    throw new ApiError(response.status, err || `the server answered ${response.status} ${response.statusText}`.trim());
  }
  return data as T;
}

export const api = {
  loginOptions: () => request<LoginOptions>('GET', '/login/options'),

  /** Who is signed in; undefined when nobody is (no session, or it ended). */
  async session(): Promise<Session | undefined> {
    try {
      return await request<Session>('GET', '/v1/session', { quiet401: true });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return undefined;
      throw error;
    }
  },

  /**
   * The local sign-in (DEV_LOGIN). Sent as a browser's sign-in (HTML first in
   * Accept), so the gateway answers with the session cookie and a redirect,
   * not with a token for scripts; errors still come as {"err"}.
   */
  async devSignIn(username: string): Promise<void> {
    let response: Response;
    try {
      response = await fetch('/login/dev', {
        method: 'POST',
        headers: { accept: 'text/html, application/json;q=0.9', 'content-type': 'application/json' },
        body: JSON.stringify({ username }),
        credentials: 'same-origin',
        redirect: 'manual',
      });
    } catch {
      throw new ApiError(0, 'Delinkcious could not be reached: check your connection, then try again.');
    }
    if (response.type === 'opaqueredirect' || response.ok) return;
    const data = (await response.json().catch(() => undefined)) as { err?: unknown } | undefined;
    throw new ApiError(response.status, typeof data?.err === 'string' && data.err ? data.err : `sign-in failed (${response.status})`);
  },

  signOut: () => request<unknown>('POST', '/logout', { quiet401: true }),

  links: (filter: LinkFilter, startToken?: string, limit = 20) =>
    request<LinkPage>('GET', '/v1/links', { query: { ...filter, start_token: startToken, limit } }),
  addLink: (link: { url: string; title: string; description: string; tags: string[]; private?: boolean; unread?: boolean }) =>
    request<{ link?: Link }>('POST', '/v1/links', { body: link }),
  updateLink: (change: {
    url: string;
    new_url?: string;
    title?: string;
    description?: string;
    add_tags?: string[];
    remove_tags?: string[];
    private?: boolean;
    unread?: boolean;
  }) =>
    request<{ link?: Link }>('PUT', '/v1/links', { body: change }),
  deleteLink: (url: string) => request<unknown>('DELETE', '/v1/links', { query: { url } }),
  /** Checks one of your links now (429 when done too often): the link as the check left it. */
  recheckLink: (url: string) => request<{ link: Link }>('POST', '/v1/links/recheck', { body: { url } }),
  /** Your tags, most used first; `q`: only those starting with it. */
  tags: (q?: string) => request<{ tags: TagCount[] }>('GET', '/v1/tags', { query: { q } }),
  /** Renames a tag on all your links, merging into `newTag` when it exists. */
  renameTag: (tag: string, newTag: string) => request<{ changed?: number }>('PUT', `/v1/tags/${encodeURIComponent(tag)}`, { body: { new_tag: newTag } }),
  deleteTag: (tag: string) => request<{ changed: number }>('DELETE', `/v1/tags/${encodeURIComponent(tag)}`),
  /** One action, atomically, on the links at `urls` (at most 1,000) or all those `q` finds (at most 10,000). */
  bulk: (change: { urls?: string[]; q?: string; action: BulkAction; tags?: string[] }) => request<{ changed: number }>('POST', '/v1/links/bulk', { body: change }),
  settings: () => request<Settings>('GET', '/v1/settings'),
  updateSettings: (change: { default_private?: boolean }) => request<Settings>('PUT', '/v1/settings', { body: change }),
  /** A new private news-feed URL (shown in this answer only); the old one stops working. */
  newFeedToken: () => request<Settings>('POST', '/v1/settings/feed-token'),
  popular: (days: number) => request<{ links: PopularLink[] }>('GET', '/v1/popular', { query: { days } }),
  /** Someone's public links, filtered and paged as links(). */
  userLinks: (username: string, filter: LinkFilter, startToken?: string, limit = 20) =>
    request<LinkPage>('GET', `/v1/users/${encodeURIComponent(username)}/links`, { query: { ...filter, start_token: startToken, limit } }),

  profile: (username: string) => request<{ user: Profile }>('GET', `/v1/users/${encodeURIComponent(username)}`),
  /** People whose username or name starts with `q`, 20 a page. */
  searchPeople: (q: string, startToken?: string) => request<PeoplePage>('GET', '/v1/users', { query: { q, start_token: startToken } }),

  following: () => request<{ following: Record<string, boolean> }>('GET', '/v1/following'),
  followers: () => request<{ followers: Record<string, boolean> }>('GET', '/v1/followers'),
  follow: (followed: string) => request<unknown>('POST', '/v1/following', { body: { followed } }),
  unfollow: (followed: string) => request<unknown>('DELETE', '/v1/following', { query: { followed } }),

  news: (startToken?: string) => request<NewsPage>('GET', '/v1/news', { query: { start_token: startToken } }),

  tokens: () => request<{ tokens: ApiToken[] }>('GET', '/v1/tokens'),
  createToken: (name: string, scope: TokenScope) =>
    request<{ access_token: string; token: ApiToken }>('POST', '/v1/tokens', { body: { name, scope } }),
  revokeToken: (id: string) => request<unknown>('DELETE', `/v1/tokens/${encodeURIComponent(id)}`),
};

/** The tags of a link, as a sorted list. */
export function tagsOf(link: Link): string[] {
  return Object.entries(link.Tags ?? {})
    .filter(([, on]) => on)
    .map(([tag]) => tag)
    .sort();
}

/** Tags as a person types them: separated by spaces or commas, lower-cased as the service stores them. */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter((tag) => tag !== '').map((tag) => tag.toLowerCase()))];
}
