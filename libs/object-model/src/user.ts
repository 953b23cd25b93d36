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

/**
 * A user's settings, kept by user-service. Further settings are added as
 * optional fields (a user-service older than them omits them).
 */
export interface UserSettings {
  /** New links are private unless their request says otherwise. */
  defaultPrivate: boolean;
}

/** The settings a PUT changes; absent fields stay as they are. */
export type UserSettingsChanges = Partial<Pick<UserSettings, 'defaultPrivate'>>;

/** What anyone may see of a user: never the email or the GitHub id. */
export interface PublicUser {
  /** The canonical (lower-case) username. */
  username: string;
  name: string;
}

/** People whose username or name starts with `query` (case-insensitive), in username order. */
export interface UserSearchRequest {
  query: string;
  /** At most userSearchLimits.max; default userSearchLimits.max. */
  limit?: number;
  /** The nextPageToken of the previous page. */
  startToken?: string;
}

export interface UserSearchPage {
  users: PublicUser[];
  /** Opaque; empty on the last page. */
  nextPageToken: string;
}

export const userSearchLimits = {
  /** The largest (and default) page of people. */
  max: 20,
  /** The longest query: longer than any username or name it could match the start of. */
  queryLength: 200,
} as const;

/**
 * The secret in a user's private news-feed URL (/feeds/news/<token>): shown
 * when made, stored as a hash, replaced (and so revoked) by a new one.
 */
export interface FeedTokenInfo {
  createdAt: Date;
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
  /** The user's settings (defaults until changed); NotFoundError for an unknown user. */
  getSettings(username: string): Promise<UserSettings>;
  /** Changes the given settings; answers them all. NotFoundError for an unknown user. */
  updateSettings(username: string, changes: UserSettingsChanges): Promise<UserSettings>;
  /** People by username or name prefix; served from indexes, never a scan. */
  searchUsers(request: UserSearchRequest): Promise<UserSearchPage>;
  /** When the user's current feed token was made; null when they have none. NotFoundError for an unknown user. */
  getFeedToken(username: string): Promise<FeedTokenInfo | null>;
  /** A new feed token for the user, revoking the one they had; the secret is answered this once. */
  newFeedToken(username: string): Promise<{ token: string; info: FeedTokenInfo }>;
  /** Whose feed token this is; NotFoundError when it is unknown or revoked. */
  feedTokenOwner(token: string): Promise<string>;
}
