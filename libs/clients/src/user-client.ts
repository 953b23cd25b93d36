/** UserManager over user-service's HTTP API: a caller cannot tell it from the local manager. */
import {
  NotFoundError,
  ValidationError,
  type ApiTokenInfo,
  type Credential,
  type CredentialKind,
  type Session,
  type TokenScope,
  type User,
  type UserManager,
  type FeedTokenInfo,
  type PublicUser,
  type UserSearchPage,
  type UserSearchRequest,
  type UserSettings,
  type UserSettingsChanges,
  type WireUserSettings,
  settingsFromWire,
  tokenInfoFromWire,
  type WireApiTokenInfo,
} from '@delinkcious/object-model';
import { ServiceHttpClient, type HttpClientOptions } from '@delinkcious/kit';

interface WireUser {
  username: string;
  /** Absent from a user-service older than case-insensitive usernames. */
  spelling?: string;
  name: string;
  email: string;
  github_id?: number;
}

/** API tokens start with this (user-service's tokens.ts); it tells their kind when an older user-service does not. */
const apiTokenPrefix = 'dlk_';

const userFromWire = (wire: WireUser): User => ({
  username: wire.username,
  ...(typeof wire.spelling === 'string' && { spelling: wire.spelling }),
  name: wire.name,
  email: wire.email,
  ...(typeof wire.github_id === 'number' && { githubId: wire.github_id }),
});

/**
 * A path segment. `.` and `..` cannot travel as one (URLs resolve them away,
 * and encodeURIComponent leaves them as they are). They name no user or token, so the client answers what the
 * service would: `make` builds that error.
 */
function segment(value: string, make: () => Error): string {
  if (value === '.' || value === '..') throw make();
  return encodeURIComponent(value);
}

const userPath = (username: string) => `/users/${segment(username, () => new ValidationError(`username may not be ${username}`))}`;
const tokensPath = (username: string) => `${userPath(username)}/tokens`;
const settingsPath = (username: string) => `${userPath(username)}/settings`;

export class UserClient implements UserManager {
  private readonly http: ServiceHttpClient;

  constructor(options: Omit<HttpClientOptions, 'target'>) {
    this.http = new ServiceHttpClient({ target: 'user-service', ...options });
  }

  async register(user: User): Promise<User> {
    const result = await this.http.request<{ user: User }>({
      method: 'POST',
      path: '/register',
      body: { username: user.username, name: user.name, email: user.email, ...(user.githubId !== undefined && { github_id: user.githubId }) },
      idempotent: true, // an upsert: repeating it changes nothing
    });
    return userFromWire(result.user);
  }

  async getUser(username: string): Promise<User> {
    const path = `/users/${segment(username, () => new ValidationError(`username may not be ${username}`))}`;
    const result = await this.http.request<{ user: WireUser }>({ method: 'GET', path });
    return userFromWire(result.user);
  }

  async login(username: string): Promise<Session> {
    // Not retried: each call creates a session.
    const result = await this.http.request<{ session: string; username?: string; expires_at: string }>({
      method: 'POST',
      path: '/login',
      body: { username },
    });
    return { token: result.session, username: result.username ?? username, expiresAt: new Date(result.expires_at) };
  }

  async logout(token: string): Promise<void> {
    await this.http.request({ method: 'POST', path: '/logout', body: { token }, idempotent: true });
  }

  async validate(token: string): Promise<Credential> {
    // Called on every gateway request and changes nothing a caller can see: safe to retry.
    const result = await this.http.request<{ user: WireUser; kind?: CredentialKind; scope?: TokenScope }>({
      method: 'POST',
      path: '/validate',
      body: { token },
      idempotent: true,
    });
    const kind = result.kind ?? (token.startsWith(apiTokenPrefix) ? 'api_token' : 'session');
    return { user: userFromWire(result.user), kind, scope: result.scope ?? 'write' };
  }

  async createApiToken(username: string, name: string, scope?: TokenScope): Promise<{ token: string; info: ApiTokenInfo }> {
    const result = await this.http.request<{ token: string; info: WireApiTokenInfo }>({
      method: 'POST',
      path: tokensPath(username),
      body: { name, ...(scope !== undefined && { scope }) },
    });
    return { token: result.token, info: tokenInfoFromWire(result.info) };
  }

  async listApiTokens(username: string): Promise<ApiTokenInfo[]> {
    const result = await this.http.request<{ tokens: WireApiTokenInfo[] }>({ method: 'GET', path: tokensPath(username) });
    return result.tokens.map(tokenInfoFromWire);
  }

  async revokeApiToken(username: string, id: string): Promise<void> {
    // Not retried: a repeat after a lost answer would report NotFoundError for a revoke that worked.
    const tokenId = segment(id, () => new NotFoundError(`you have no API token with id ${id}`));
    await this.http.request({ method: 'DELETE', path: `${tokensPath(username)}/${tokenId}` });
  }

  async newSignInState(): Promise<string> {
    // Not retried: a lost answer only leaves an unused state to expire.
    const result = await this.http.request<{ state: string }>({ method: 'POST', path: '/sign-in-states' });
    return result.state;
  }

  async consumeSignInState(state: string): Promise<boolean> {
    // Not retried: a repeat after a lost answer would find the state consumed and refuse a genuine sign-in.
    const result = await this.http.request<{ consumed: boolean }>({ method: 'POST', path: '/sign-in-states/consume', body: { state } });
    return result.consumed === true;
  }

  async getSettings(username: string): Promise<UserSettings> {
    const result = await this.http.request<{ settings: WireUserSettings }>({ method: 'GET', path: settingsPath(username) });
    return settingsFromWire(result.settings);
  }

  async updateSettings(username: string, changes: UserSettingsChanges): Promise<UserSettings> {
    const result = await this.http.request<{ settings: WireUserSettings }>({
      method: 'PUT',
      path: settingsPath(username),
      body: { default_private: changes.defaultPrivate },
      // Setting values (not toggling them): a repeat changes nothing more.
      idempotent: true,
    });
    return settingsFromWire(result.settings);
  }

  async searchUsers(request: UserSearchRequest): Promise<UserSearchPage> {
    const query = new URLSearchParams({
      q: request.query,
      ...(request.limit !== undefined && { limit: String(request.limit) }),
      ...(request.startToken && { start_token: request.startToken }),
    });
    const result = await this.http.request<{ users: PublicUser[]; next_page_token?: string }>({ method: 'GET', path: `/users?${query}` });
    return { users: result.users.map((user) => ({ username: user.username, name: user.name })), nextPageToken: result.next_page_token ?? '' };
  }

  async getFeedToken(username: string): Promise<FeedTokenInfo | null> {
    const result = await this.http.request<{ feed_token: { created_at: string } | null }>({
      method: 'GET',
      path: `${userPath(username)}/feed-token`,
    });
    return result.feed_token ? { createdAt: new Date(result.feed_token.created_at) } : null;
  }

  async newFeedToken(username: string): Promise<{ token: string; info: FeedTokenInfo }> {
    // Not retried: a repeat after a lost answer would revoke the token it made.
    const result = await this.http.request<{ token: string; created_at: string }>({ method: 'POST', path: `${userPath(username)}/feed-token` });
    return { token: result.token, info: { createdAt: new Date(result.created_at) } };
  }

  async feedTokenOwner(token: string): Promise<string> {
    // Reads only: safe to retry.
    const result = await this.http.request<{ username: string }>({ method: 'POST', path: '/feed-tokens/owner', body: { token }, idempotent: true });
    return result.username;
  }

  close(): void {
    this.http.close();
  }
}
