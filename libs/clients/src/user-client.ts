/** UserManager over user-service's HTTP API: a caller cannot tell it from the local manager. */
import { NotFoundError, ValidationError, type ApiTokenInfo, type Session, type User, type UserManager } from '@delinkcious/object-model';
import { ServiceHttpClient, type HttpClientOptions } from '@delinkcious/kit';

interface WireApiTokenInfo {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

const tokenInfoFromWire = (wire: WireApiTokenInfo): ApiTokenInfo => ({
  id: wire.id,
  name: wire.name,
  createdAt: new Date(wire.created_at),
  lastUsedAt: wire.last_used_at ? new Date(wire.last_used_at) : null,
});

const userFromWire = (wire: User): User => ({ username: wire.username, name: wire.name, email: wire.email });

/**
 * A path segment. `.` and `..` cannot travel as one (URLs resolve them away,
 * and encodeURIComponent leaves them as they are). They name no user or token, so the client answers what the
 * service would: `make` builds that error.
 */
function segment(value: string, make: () => Error): string {
  if (value === '.' || value === '..') throw make();
  return encodeURIComponent(value);
}

const tokensPath = (username: string) =>
  `/users/${segment(username, () => new ValidationError(`username may not be ${username}`))}/tokens`;

export class UserClient implements UserManager {
  private readonly http: ServiceHttpClient;

  constructor(options: Omit<HttpClientOptions, 'target'>) {
    this.http = new ServiceHttpClient({ target: 'user-service', ...options });
  }

  async register(user: User): Promise<User> {
    const result = await this.http.request<{ user: User }>({
      method: 'POST',
      path: '/register',
      body: { username: user.username, name: user.name, email: user.email },
      idempotent: true, // an upsert: repeating it changes nothing
    });
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

  async validate(token: string): Promise<User> {
    // Called on every gateway request and changes nothing a caller can see: safe to retry.
    const result = await this.http.request<{ user: User }>({ method: 'POST', path: '/validate', body: { token }, idempotent: true });
    return userFromWire(result.user);
  }

  async createApiToken(username: string, name: string): Promise<{ token: string; info: ApiTokenInfo }> {
    const result = await this.http.request<{ token: string; info: WireApiTokenInfo }>({
      method: 'POST',
      path: tokensPath(username),
      body: { name },
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

  close(): void {
    this.http.close();
  }
}
