/**
 * The UserManager: users (keyed by GitHub login), sessions and personal API
 * tokens. Every rule lives here; transports and stores are adapters around it.
 * Secrets leave this module once, to their owner, and are stored as hashes.
 */
import { randomUUID } from 'node:crypto';
import {
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  optionalEmail,
  optionalName,
  requireText,
  requireTokenName,
  requireUsername,
  type ApiTokenInfo,
  type Session,
  type User,
  type UserManager,
} from '@delinkcious/object-model';
import type { StoredApiToken, StoredUser, UserStore } from './stores/user-store.ts';
import { hashToken, isApiToken, maxTokenLength, newApiToken, newSessionToken } from './tokens.ts';

export const defaultSessionTtlMs = 30 * 24 * 60 * 60 * 1000;

export interface UserManagerOptions {
  store: UserStore;
  sessionTtlMs?: number;
  /** lastUsedAt is written at most this often per token, not on every request. */
  lastUsedIntervalMs?: number;
  maxApiTokensPerUser?: number;
  now?: () => Date;
}

export class DefaultUserManager implements UserManager {
  private readonly store: UserStore;
  private readonly sessionTtlMs: number;
  private readonly lastUsedIntervalMs: number;
  private readonly maxApiTokensPerUser: number;
  private readonly now: () => Date;

  constructor(options: UserManagerOptions) {
    this.store = options.store;
    this.sessionTtlMs = options.sessionTtlMs ?? defaultSessionTtlMs;
    this.lastUsedIntervalMs = options.lastUsedIntervalMs ?? 60_000;
    this.maxApiTokensPerUser = options.maxApiTokensPerUser ?? 100;
    this.now = options.now ?? (() => new Date());
  }

  /** Creates the user on first login; later logins refresh name and email from GitHub. */
  async register(user: User): Promise<User> {
    const username = requireUsername(user?.username);
    const name = optionalName(user.name);
    const email = optionalEmail(user.email);
    return publicUser(await this.store.upsertUser({ username, name, email }, this.now()));
  }

  async login(username: string): Promise<Session> {
    const wanted = requireUsername(username);
    const user = await this.store.getUser(wanted);
    if (!user) throw new NotFoundError(`no user ${wanted}; register first`);
    const now = this.now();
    // Opportunistic clean-up: logins are rare enough, and this keeps the table from growing forever.
    await this.store.deleteExpiredSessions(now);
    const token = newSessionToken();
    const expiresAt = new Date(now.getTime() + this.sessionTtlMs);
    await this.store.insertSession({ tokenHash: hashToken(token), username: user.username, createdAt: now, expiresAt });
    return { token, username: user.username, expiresAt };
  }

  /** Ends a session. Idempotent: an unknown or expired session is already ended. API tokens are revoked, not logged out. */
  async logout(token: string): Promise<void> {
    if (!isPlausibleToken(token) || isApiToken(token)) return;
    await this.store.deleteSession(hashToken(token));
  }

  async validate(token: string): Promise<User> {
    if (!isPlausibleToken(token)) throw new UnauthenticatedError();
    const hash = hashToken(token);
    const now = this.now();
    if (isApiToken(token)) {
      const found = await this.store.findApiToken(hash);
      if (!found) throw new UnauthenticatedError();
      await this.recordUse(found.token, now);
      return publicUser(found.user);
    }
    const session = await this.store.findSession(hash);
    if (!session) throw new UnauthenticatedError();
    if (session.expiresAt.getTime() <= now.getTime()) {
      await this.store.deleteSession(hash);
      throw new UnauthenticatedError();
    }
    return publicUser(session.user);
  }

  async createApiToken(username: string, name: string): Promise<{ token: string; info: ApiTokenInfo }> {
    const owner = requireUsername(username);
    const tokenName = requireTokenName(name);
    const token = newApiToken();
    const stored: StoredApiToken = {
      id: randomUUID(),
      username: owner,
      name: tokenName,
      tokenHash: hashToken(token),
      createdAt: this.now(),
      lastUsedAt: null,
    };
    const outcome = await this.store.insertApiToken(stored, this.maxApiTokensPerUser);
    switch (outcome.kind) {
      case 'no_user':
        throw new NotFoundError(`no user ${owner}`);
      case 'limit':
        throw new ForbiddenError(`you have reached the limit of ${this.maxApiTokensPerUser} API tokens; revoke some to create more`);
      case 'added':
        return { token, info: tokenInfo(stored) };
    }
  }

  async listApiTokens(username: string): Promise<ApiTokenInfo[]> {
    return (await this.store.listApiTokens(requireUsername(username))).map(tokenInfo);
  }

  /** Only the owner's token can be revoked: someone else's answers the same NotFoundError as an unknown one. */
  async revokeApiToken(username: string, id: string): Promise<void> {
    const owner = requireUsername(username);
    const tokenId = requireText(id, 'id');
    if (!(await this.store.deleteApiToken(owner, tokenId))) throw new NotFoundError(`you have no API token with id ${tokenId}`);
  }

  private async recordUse(token: StoredApiToken, now: Date): Promise<void> {
    const staleBefore = new Date(now.getTime() - this.lastUsedIntervalMs);
    // Checked here first to spare the write; the store checks again against concurrent replicas.
    if (token.lastUsedAt !== null && token.lastUsedAt.getTime() > staleBefore.getTime()) return;
    await this.store.touchApiToken(token.id, now, staleBefore);
  }
}

function isPlausibleToken(token: unknown): token is string {
  return typeof token === 'string' && token.length > 0 && token.length <= maxTokenLength;
}

function publicUser(user: StoredUser): User {
  return { username: user.username, name: user.name, email: user.email };
}

function tokenInfo(token: StoredApiToken): ApiTokenInfo {
  return { id: token.id, name: token.name, createdAt: token.createdAt, lastUsedAt: token.lastUsedAt };
}
