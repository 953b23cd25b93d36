/** What user-service keeps: users, sessions and API tokens. Secrets are only ever held as hashes. */
import type { User } from '@delinkcious/object-model';

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
  /** SHA-256 of the token, hex. */
  tokenHash: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export type NewApiToken = Omit<StoredApiToken, 'lastUsedAt'>;

export type InsertTokenOutcome = { kind: 'added' } | { kind: 'no_user' } | { kind: 'limit' };

export interface UserStore {
  /** Creates the user, or updates the name and email of an existing one (createdAt is kept). */
  upsertUser(user: User, now: Date): Promise<StoredUser>;
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

  ping(): Promise<void>;
}
