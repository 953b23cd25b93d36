/** Users, their sessions and their personal API tokens. */
export interface User {
  /** The canonical (lower-case) username: what every service keys and compares by. */
  username: string;
  /**
   * The username as the user wrote it when the account was made ("Alice" for
   * username "alice"): what they see as their own name. Absent when it is
   * the username itself, and from a user-service older than it.
   */
  spelling?: string;
  name: string;
  email: string;
  /**
   * GitHub's numeric user id, which never changes (a login can be renamed and
   * then taken by someone else). Absent for local sign-ins and for accounts
   * that have not signed in with GitHub since it was recorded.
   */
  githubId?: number;
}

export interface Session {
  token: string;
  username: string;
  expiresAt: Date;
}

/** What an API token may do: `read` only reads (GET); `write` reads and changes links and follows. */
export type TokenScope = 'read' | 'write';
export const tokenScopes: readonly TokenScope[] = ['read', 'write'];

/** A session (a sign-in) may do everything, managing tokens and sessions included; an API token only what its scope allows. */
export type CredentialKind = 'session' | 'api_token';

/** Whom a token belongs to and what it may do. */
export interface Credential {
  user: User;
  kind: CredentialKind;
  scope: TokenScope;
}

export interface ApiTokenInfo {
  id: string;
  name: string;
  scope: TokenScope;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export interface UserManager {
  /**
   * Creates the user on first sign-in; later sign-ins refresh name and email.
   * With a githubId, the account is the one holding that id (whatever its
   * username now); a username held by another GitHub id is a ConflictError.
   */
  register(user: User): Promise<User>;
  /** The user with this username; NotFoundError when there is none. */
  getUser(username: string): Promise<User>;
  login(username: string): Promise<Session>;
  logout(token: string): Promise<void>;
  /** Whom a session or API token belongs to, and its kind and scope; UnauthenticatedError when none. */
  validate(token: string): Promise<Credential>;
  createApiToken(username: string, name: string, scope?: TokenScope): Promise<{ token: string; info: ApiTokenInfo }>;
  listApiTokens(username: string): Promise<ApiTokenInfo[]>;
  revokeApiToken(username: string, id: string): Promise<void>;
  /** A new OAuth `state`, remembered (by every gateway replica's shared user-service) until consumed or expired. */
  newSignInState(): Promise<string>;
  /** Forgets the state; answers whether it was issued, unused and unexpired (so each state serves once). */
  consumeSignInState(state: string): Promise<boolean>;
}
