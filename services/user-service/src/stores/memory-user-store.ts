/** UserStore in memory: for unit tests, and the reference the contract suite holds the others to. */
import { byCodePoint, type FeedTokenInfo, type PublicUser, type User, type UserSettings, type UserSettingsChanges } from '@delinkcious/object-model';
import type {
  GitHubUser,
  InsertTokenOutcome,
  NewApiToken,
  NewSession,
  StoredApiToken,
  StoredUser,
  UpsertGitHubUserOutcome,
  UserStore,
} from './user-store.ts';
import { foldForSearch } from '../people-search.ts';

const defaultSettings: UserSettings = { defaultPrivate: false };

const copyUser = (user: StoredUser): StoredUser => ({ ...user });
const copyToken = (token: StoredApiToken): StoredApiToken => ({ ...token });

export class MemoryUserStore implements UserStore {
  private readonly users = new Map<string, StoredUser>();
  /** tokenHash → session */
  private readonly sessions = new Map<string, NewSession>();
  /** id → token */
  private readonly tokens = new Map<string, StoredApiToken>();
  /** state hash → expiry */
  private readonly signInStates = new Map<string, Date>();
  /** username → their feed token */
  private readonly feedTokens = new Map<string, { tokenHash: string; createdAt: Date }>();
  /** username → settings changed from the defaults */
  private readonly settings = new Map<string, UserSettings>();

  async upsertUser(user: User, now: Date): Promise<StoredUser> {
    const existing = this.users.get(user.username);
    const stored: StoredUser = {
      username: user.username,
      spelling: existing?.spelling ?? user.spelling ?? user.username,
      name: user.name,
      email: user.email,
      ...(existing?.githubId !== undefined && { githubId: existing.githubId }),
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    this.users.set(user.username, stored);
    return copyUser(stored);
  }

  async upsertGitHubUser(user: GitHubUser, now: Date): Promise<UpsertGitHubUserOutcome> {
    const linked = [...this.users.values()].find((existing) => existing.githubId === user.githubId);
    const existing = linked ?? this.users.get(user.username);
    if (existing?.githubId !== undefined && existing.githubId !== user.githubId) return { kind: 'taken' };
    const stored: StoredUser = {
      username: existing?.username ?? user.username,
      spelling: existing?.spelling ?? user.spelling ?? user.username,
      name: user.name,
      email: user.email,
      githubId: user.githubId,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    this.users.set(stored.username, stored);
    return { kind: 'ok', user: copyUser(stored) };
  }

  async getUser(username: string): Promise<StoredUser | null> {
    const user = this.users.get(username);
    return user ? copyUser(user) : null;
  }

  async insertSession(session: NewSession): Promise<void> {
    if (!this.users.has(session.username)) throw new Error(`no user ${session.username}`);
    if (this.sessions.has(session.tokenHash)) throw new Error('duplicate session');
    this.sessions.set(session.tokenHash, { ...session });
  }

  async findSession(tokenHash: string): Promise<{ user: StoredUser; expiresAt: Date } | null> {
    const session = this.sessions.get(tokenHash);
    const user = session && this.users.get(session.username);
    return session && user ? { user: copyUser(user), expiresAt: session.expiresAt } : null;
  }

  async deleteSession(tokenHash: string): Promise<boolean> {
    return this.sessions.delete(tokenHash);
  }

  async deleteExpiredSessions(now: Date): Promise<number> {
    let deleted = 0;
    for (const [hash, session] of this.sessions) {
      if (session.expiresAt.getTime() <= now.getTime()) {
        this.sessions.delete(hash);
        deleted++;
      }
    }
    return deleted;
  }

  async insertApiToken(token: NewApiToken, maxPerUser: number): Promise<InsertTokenOutcome> {
    if (!this.users.has(token.username)) return { kind: 'no_user' };
    const owned = [...this.tokens.values()].filter((t) => t.username === token.username).length;
    if (owned >= maxPerUser) return { kind: 'limit' };
    if (this.tokens.has(token.id) || this.findByHash(token.tokenHash)) throw new Error('duplicate token');
    this.tokens.set(token.id, { ...token, lastUsedAt: null });
    return { kind: 'added' };
  }

  async findApiToken(tokenHash: string): Promise<{ user: StoredUser; token: StoredApiToken } | null> {
    const token = this.findByHash(tokenHash);
    const user = token && this.users.get(token.username);
    return token && user ? { user: copyUser(user), token: copyToken(token) } : null;
  }

  async listApiTokens(username: string): Promise<StoredApiToken[]> {
    return [...this.tokens.values()]
      .filter((token) => token.username === username)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .map(copyToken);
  }

  async deleteApiToken(username: string, id: string): Promise<boolean> {
    if (this.tokens.get(id)?.username !== username) return false;
    return this.tokens.delete(id);
  }

  async touchApiToken(id: string, now: Date, staleBefore: Date): Promise<boolean> {
    const token = this.tokens.get(id);
    if (!token || (token.lastUsedAt !== null && token.lastUsedAt.getTime() > staleBefore.getTime())) return false;
    token.lastUsedAt = now;
    return true;
  }

  async insertSignInState(stateHash: string, expiresAt: Date, now: Date): Promise<void> {
    for (const [hash, expiry] of this.signInStates) if (expiry.getTime() <= now.getTime()) this.signInStates.delete(hash);
    if (this.signInStates.has(stateHash)) throw new Error('duplicate sign-in state');
    this.signInStates.set(stateHash, expiresAt);
  }

  async consumeSignInState(stateHash: string, now: Date): Promise<boolean> {
    const expiry = this.signInStates.get(stateHash);
    this.signInStates.delete(stateHash);
    return expiry !== undefined && expiry.getTime() > now.getTime();
  }

  async getSettings(username: string): Promise<UserSettings | null> {
    if (!this.users.has(username)) return null;
    return { ...defaultSettings, ...this.settings.get(username) };
  }

  async updateSettings(username: string, changes: UserSettingsChanges): Promise<UserSettings | null> {
    const current = await this.getSettings(username);
    if (!current) return null;
    const next: UserSettings = { ...current, ...(changes.defaultPrivate !== undefined && { defaultPrivate: changes.defaultPrivate }) };
    this.settings.set(username, next);
    return { ...next };
  }

  async searchUsers(prefix: string, after: string, limit: number): Promise<PublicUser[]> {
    return [...this.users.values()]
      .filter((user) => byCodePoint(user.username, after) > 0)
      .filter((user) => user.username.startsWith(prefix) || foldForSearch(user.name).startsWith(prefix))
      .sort((a, b) => byCodePoint(a.username, b.username))
      .slice(0, limit)
      .map((user) => ({ username: user.username, name: user.name }));
  }

  async getFeedToken(username: string): Promise<FeedTokenInfo | null> {
    const token = this.feedTokens.get(username);
    return token ? { createdAt: token.createdAt } : null;
  }

  async replaceFeedToken(username: string, tokenHash: string, createdAt: Date): Promise<boolean> {
    if (!this.users.has(username)) return false;
    this.feedTokens.set(username, { tokenHash, createdAt });
    return true;
  }

  async feedTokenOwner(tokenHash: string): Promise<string | null> {
    for (const [username, token] of this.feedTokens) if (token.tokenHash === tokenHash) return username;
    return null;
  }

  async ping(): Promise<void> {}

  private findByHash(tokenHash: string): StoredApiToken | undefined {
    for (const token of this.tokens.values()) if (token.tokenHash === tokenHash) return token;
    return undefined;
  }
}
