/** What user-service keeps: users, sessions, API tokens and sign-in states. Secrets are only ever held as hashes. */
import type { FeedTokenInfo, PublicUser, TokenScope, User, UserSettings, UserSettingsChanges } from '@delinkcious/object-model';

export interface StoredUser extends User {
  createdAt: Date;
  updatedAt: Date;
}

export interface NewSession {
  /** SHA-256 of the session token, hex. */
  tokenHash: string;
  username: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface StoredApiToken {
  id: string;
  username: string;
  name: string;
  scope: TokenScope;
  /** SHA-256 of the token, hex. */
  tokenHash: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export type NewApiToken = Omit<StoredApiToken, 'lastUsedAt'>;

export type InsertTokenOutcome = { kind: 'added' } | { kind: 'no_user' } | { kind: 'limit' };

export type GitHubUser = User & { githubId: number };

/** `taken`: the username belongs to an account of another GitHub id. */
export type UpsertGitHubUserOutcome = { kind: 'ok'; user: StoredUser } | { kind: 'taken' };

export interface UserStore {
  /**
   * Creates the user, or updates the name and email of an existing one
   * (createdAt, githubId and the spelling are kept). `username` is already
   * canonical; the spelling defaults to it.
   */
  upsertUser(user: User, now: Date): Promise<StoredUser>;
  /**
   * The account of `user.githubId`, its name and email refreshed (its username
   * kept, even when the GitHub login changed); else the account named
   * `user.username` if it has no GitHub id yet (it gets this one); else a new
   * account. Atomic, so two sign-ins cannot both claim one username.
   */
  upsertGitHubUser(user: GitHubUser, now: Date): Promise<UpsertGitHubUserOutcome>;
  getUser(username: string): Promise<StoredUser | null>;

  /** The session's user must exist. */
  insertSession(session: NewSession): Promise<void>;
  /** The session with this hash and its user, expired or not. */
  findSession(tokenHash: string): Promise<{ user: StoredUser; expiresAt: Date } | null>;
  /** Answers whether there was such a session. */
  deleteSession(tokenHash: string): Promise<boolean>;
  /** Deletes sessions that expired at or before `now`; answers how many. */
  deleteExpiredSessions(now: Date): Promise<number>;

  /** Adds a token unless its user is unknown or already has `maxPerUser` tokens. */
  insertApiToken(token: NewApiToken, maxPerUser: number): Promise<InsertTokenOutcome>;
  findApiToken(tokenHash: string): Promise<{ user: StoredUser; token: StoredApiToken } | null>;
  /** The user's tokens, newest first. */
  listApiTokens(username: string): Promise<StoredApiToken[]>;
  /** Deletes the token only if it is `username`'s; answers whether it did. */
  deleteApiToken(username: string, id: string): Promise<boolean>;
  /**
   * Sets lastUsedAt to `now` unless it is already later than `staleBefore`
   * (checked in the store, so replicas racing on one token write once).
   */
  touchApiToken(id: string, now: Date, staleBefore: Date): Promise<boolean>;

  /** Remembers a sign-in state (its hash) until `expiresAt`; forgets states expired by `now`. */
  insertSignInState(stateHash: string, expiresAt: Date, now: Date): Promise<void>;
  /** Deletes the state; answers whether it was there and unexpired at `now` (exactly one of concurrent callers wins). */
  consumeSignInState(stateHash: string, now: Date): Promise<boolean>;

  /** The user's settings (defaults where never set); null for an unknown user. */
  getSettings(username: string): Promise<UserSettings | null>;
  /** Changes the given settings, answering them all; null for an unknown user. */
  updateSettings(username: string, changes: UserSettingsChanges): Promise<UserSettings | null>;

  /**
   * Users whose username, or lower-cased name, starts with `prefix` (already
   * lower-case), with usernames after `after`, in code point order of the
   * username; at most `limit`.
   */
  searchUsers(prefix: string, after: string, limit: number): Promise<PublicUser[]>;

  /** The user's feed token, if they have one. */
  getFeedToken(username: string): Promise<FeedTokenInfo | null>;
  /** Sets the user's one feed token (its hash), replacing any other; false for an unknown user. */
  replaceFeedToken(username: string, tokenHash: string, createdAt: Date): Promise<boolean>;
  /** The username holding the feed token with this hash; null when none does. */
  feedTokenOwner(tokenHash: string): Promise<string | null>;

  ping(): Promise<void>;
}
