/**
 * The UserManager: users (keyed by GitHub's numeric id when they sign in with
 * GitHub, by username otherwise), sessions, personal API tokens with scopes,
 * and the OAuth sign-in states the gateway replicas share. Every rule lives here; transports and stores are adapters around it.
 * Secrets leave this module once, to their owner, and are stored as hashes.
 */
import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  canonicalUsername,
  optionalEmail,
  optionalName,
  requireText,
  requireTokenName,
  requireUsername,
  tokenScopes,
  ValidationError,
  type ApiTokenInfo,
  type Credential,
  type FeedTokenInfo,
  type Session,
  type TokenScope,
  type User,
  type UserManager,
  type UserSettings,
  type UserSettingsChanges,
  type UserSearchPage,
  type UserSearchRequest,
  userSearchLimits,
} from '@delinkcious/object-model';
import type { StoredApiToken, StoredUser, UserStore } from './stores/user-store.ts';
import { foldForSearch, searchPageTokenAfter, usernameOfSearchPageToken } from './people-search.ts';
import { hashToken, isApiToken, maxTokenLength, newApiToken, newFeedToken, newSessionToken, newSignInState } from './tokens.ts';

export const defaultSessionTtlMs = 30 * 24 * 60 * 60 * 1000;
/** How long a sign-in may take between /login and GitHub's callback. */
export const signInStateTtlMs = 10 * 60 * 1000;

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

  /**
   * Creates the user on first sign-in; later sign-ins refresh name and email.
   * A GitHub sign-in finds its account by GitHub id: after a rename on GitHub
   * the account keeps its username (links, follows and feeds in the other
   * services name it), and a login that moved to another GitHub account does
   * not bring this account with it.
   */
  async register(user: User): Promise<User> {
    // Usernames differing only in case are one account; the spelling of its first sign-in is kept for display.
    const spelling = requireUsername(user?.username);
    const username = canonicalUsername(spelling);
    const name = optionalName(user.name);
    const email = optionalEmail(user.email);
    if (user.githubId === undefined || user.githubId === null) {
      return publicUser(await this.store.upsertUser({ username, spelling, name, email }, this.now()));
    }
    const githubId = requireGitHubId(user.githubId);
    const outcome = await this.store.upsertGitHubUser({ username, spelling, name, email, githubId }, this.now());
    if (outcome.kind === 'taken') {
      throw new ConflictError(`the username ${username} belongs to another GitHub account here, so you cannot sign in as it`);
    }
    return publicUser(outcome.user);
  }

  async getUser(username: string): Promise<User> {
    const wanted = canonicalUsername(username);
    const user = await this.store.getUser(wanted);
    if (!user) throw new NotFoundError(`no user ${wanted}`);
    return publicUser(user);
  }

  async login(username: string): Promise<Session> {
    const wanted = canonicalUsername(username);
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

  async validate(token: string): Promise<Credential> {
    if (!isPlausibleToken(token)) throw new UnauthenticatedError();
    const hash = hashToken(token);
    const now = this.now();
    if (isApiToken(token)) {
      const found = await this.store.findApiToken(hash);
      if (!found) throw new UnauthenticatedError();
      await this.recordUse(found.token, now);
      return { user: publicUser(found.user), kind: 'api_token', scope: found.token.scope };
    }
    const session = await this.store.findSession(hash);
    if (!session) throw new UnauthenticatedError();
    if (session.expiresAt.getTime() <= now.getTime()) {
      await this.store.deleteSession(hash);
      throw new UnauthenticatedError();
    }
    return { user: publicUser(session.user), kind: 'session', scope: 'write' };
  }

  /** A token's scope defaults to write, what every token could do before scopes. */
  async createApiToken(username: string, name: string, scope?: TokenScope): Promise<{ token: string; info: ApiTokenInfo }> {
    const owner = canonicalUsername(username);
    const tokenName = requireTokenName(name);
    const tokenScope = requireScope(scope);
    const token = newApiToken();
    const stored: StoredApiToken = {
      id: randomUUID(),
      username: owner,
      name: tokenName,
      scope: tokenScope,
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
    return (await this.store.listApiTokens(canonicalUsername(username))).map(tokenInfo);
  }

  /** Only the owner's token can be revoked: someone else's answers the same NotFoundError as an unknown one. */
  async revokeApiToken(username: string, id: string): Promise<void> {
    const owner = canonicalUsername(username);
    const tokenId = requireText(id, 'id');
    if (!(await this.store.deleteApiToken(owner, tokenId))) throw new NotFoundError(`you have no API token with id ${tokenId}`);
  }

  async newSignInState(): Promise<string> {
    const state = newSignInState();
    const now = this.now();
    await this.store.insertSignInState(hashToken(state), new Date(now.getTime() + signInStateTtlMs), now);
    return state;
  }

  async consumeSignInState(state: string): Promise<boolean> {
    if (!isPlausibleToken(state)) return false;
    return this.store.consumeSignInState(hashToken(state), this.now());
  }

  async getSettings(username: string): Promise<UserSettings> {
    const owner = canonicalUsername(username);
    const settings = await this.store.getSettings(owner);
    if (!settings) throw new NotFoundError(`no user ${owner}`);
    return settings;
  }

  async updateSettings(username: string, changes: UserSettingsChanges): Promise<UserSettings> {
    const owner = canonicalUsername(username);
    if (changes.defaultPrivate !== undefined && typeof changes.defaultPrivate !== 'boolean') {
      throw new ValidationError('default_private must be true or false');
    }
    const settings = await this.store.updateSettings(owner, changes);
    if (!settings) throw new NotFoundError(`no user ${owner}`);
    return settings;
  }

  async searchUsers(request: UserSearchRequest): Promise<UserSearchPage> {
    const prefix = foldForSearch(requireText(request?.query, 'q', { max: userSearchLimits.queryLength }));
    const limit = requireSearchLimit(request.limit);
    const after = usernameOfSearchPageToken(request.startToken);
    // One more than the page holds tells whether another page follows.
    const found = await this.store.searchUsers(prefix, after, limit + 1);
    if (found.length <= limit) return { users: found, nextPageToken: '' };
    const users = found.slice(0, limit);
    return { users, nextPageToken: searchPageTokenAfter(users[users.length - 1]!.username) };
  }

  async getFeedToken(username: string): Promise<FeedTokenInfo | null> {
    const owner = canonicalUsername(username);
    if (!(await this.store.getUser(owner))) throw new NotFoundError(`no user ${owner}`);
    return this.store.getFeedToken(owner);
  }

  async newFeedToken(username: string): Promise<{ token: string; info: FeedTokenInfo }> {
    const owner = canonicalUsername(username);
    const token = newFeedToken();
    const createdAt = this.now();
    if (!(await this.store.replaceFeedToken(owner, hashToken(token), createdAt))) throw new NotFoundError(`no user ${owner}`);
    return { token, info: { createdAt } };
  }

  /**
   * Found by the token's SHA-256, as sessions are: what the store compares is
   * a hash, so its timing tells nothing about the token, and a leaked table
   * holds no usable token.
   */
  async feedTokenOwner(token: string): Promise<string> {
    const owner = isPlausibleToken(token) ? await this.store.feedTokenOwner(hashToken(token)) : null;
    if (owner === null) throw new NotFoundError('no such feed');
    return owner;
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

function requireGitHubId(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new ValidationError('github_id must be a positive whole number');
  }
  return value;
}

function requireSearchLimit(value: unknown): number {
  if (value === undefined || value === null) return userSearchLimits.max;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > userSearchLimits.max) {
    throw new ValidationError(`limit must be a whole number from 1 to ${userSearchLimits.max}`);
  }
  return value;
}

function requireScope(value: unknown): TokenScope {
  if (value === undefined || value === null || value === '') return 'write';
  if (typeof value !== 'string' || !tokenScopes.includes(value as TokenScope)) {
    throw new ValidationError(`scope must be one of ${tokenScopes.join(', ')}`);
  }
  return value as TokenScope;
}

function publicUser(user: StoredUser): User {
  return {
    username: user.username,
    ...(user.spelling !== undefined && user.spelling !== user.username && { spelling: user.spelling }),
    name: user.name,
    email: user.email,
    ...(user.githubId !== undefined && { githubId: user.githubId }),
  };
}

function tokenInfo(token: StoredApiToken): ApiTokenInfo {
  return { id: token.id, name: token.name, scope: token.scope, createdAt: token.createdAt, lastUsedAt: token.lastUsedAt };
}
