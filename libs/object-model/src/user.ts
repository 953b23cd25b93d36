/** Users, their sessions and their personal API tokens. */
export interface User {
  username: string;
  name: string;
  email: string;
}

export interface Session {
  token: string;
  username: string;
  expiresAt: Date;
}

export interface ApiTokenInfo {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export interface UserManager {
  register(user: User): Promise<User>;
  login(username: string): Promise<Session>;
  logout(token: string): Promise<void>;
  /** The user a session or API token belongs to; UnauthenticatedError when none. */
  validate(token: string): Promise<User>;
  createApiToken(username: string, name: string): Promise<{ token: string; info: ApiTokenInfo }>;
  listApiTokens(username: string): Promise<ApiTokenInfo[]>;
  revokeApiToken(username: string, id: string): Promise<void>;
}
