/** UserStore on PostgreSQL or PGlite (the same SQL runs on both). */
import type { FeedTokenInfo, PublicUser, TokenScope, User, UserSettings, UserSettingsChanges } from '@delinkcious/object-model';
import { ReadCache, type Database } from '@delinkcious/db';
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

interface UserRow {
  username: string;
  spelling: string;
  name: string;
  email: string;
  /** bigint: the driver answers text (pg) or a number (PGlite). */
  github_id: string | number | null;
  created_at: Date;
  updated_at: Date;
}

interface TokenRow {
  id: string;
  username: string;
  name: string;
  scope: TokenScope;
  token_hash: string;
  created_at: Date;
  last_used_at: Date | null;
}

const userColumns = 'u.username, u.spelling, u.name, u.email, u.github_id, u.created_at, u.updated_at';
const tokenColumns = 't.id, t.username, t.name, t.scope, t.token_hash, t.created_at, t.last_used_at';
// A token's user beside the token's own columns, renamed where they would clash.
const userColumnsOfToken =
  'u.spelling AS user_spelling, u.name AS user_name, u.email AS user_email, u.github_id AS user_github_id, u.created_at AS user_created_at, u.updated_at AS user_updated_at';

interface UserColumnsOfToken {
  user_spelling: string;
  user_name: string;
  user_email: string;
  user_github_id: string | number | null;
  user_created_at: Date;
  user_updated_at: Date;
}

function userFromRow(row: UserRow): StoredUser {
  return {
    username: row.username,
    spelling: row.spelling,
    name: row.name,
    email: row.email,
    ...(row.github_id !== null && { githubId: Number(row.github_id) }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

interface SettingsRow {
  default_private: boolean;
}

const settingsFromRow = (row: SettingsRow): UserSettings => ({ defaultPrivate: row.default_private });

/** Past every text starting with `prefix`, in code point order: the prefix and the highest code point. */
const prefixEnd = (prefix: string) => `${prefix}\u{10FFFF}`;

function tokenFromRow(row: TokenRow): StoredApiToken {
  return {
    id: row.id,
    username: row.username,
    name: row.name,
    scope: row.scope,
    tokenHash: row.token_hash,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}

/** Users whose settings are kept at most (a few bytes each). */
const maxKeptSettings = 10_000;

/** The settings cache of a store whose database this process alone writes; `generation` from db's countingWrites. */
export function keptSettings(generation: () => number): ReadCache<UserSettings | null> {
  // Shared by every later caller: frozen, so none can change what another reads.
  return new ReadCache<UserSettings | null>(generation, maxKeptSettings, (settings) => settings && Object.freeze({ ...settings }));
}

export class SqlUserStore implements UserStore {
  /**
   * `settings`: only where this process alone writes `db` (embedded; db's read-cache.ts). A save
   * that does not say `private` asks for its owner's default: kept, it costs no query (~0.1 ms and a
   * role switch on the shared embedded connection, per save).
   */
  constructor(
    private readonly db: Database,
    private readonly settings?: ReadCache<UserSettings | null>,
  ) {}

  async upsertUser(user: User, now: Date): Promise<StoredUser> {
    const { rows } = await this.db.query<UserRow>(
      `INSERT INTO users AS u (username, spelling, name, email, created_at, updated_at) VALUES ($1, $5, $2, $3, $4, $4)
       ON CONFLICT (username) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email, updated_at = EXCLUDED.updated_at
       RETURNING ${userColumns}`,
      [user.username, user.name, user.email, now, user.spelling ?? user.username],
    );
    return userFromRow(rows[0]!);
  }

  async upsertGitHubUser(user: GitHubUser, now: Date): Promise<UpsertGitHubUserOutcome> {
    return this.db.transaction(async (tx) => {
      const linked = await tx.query<UserRow>(
        `UPDATE users u SET name = $2, email = $3, updated_at = $4 WHERE u.github_id = $1 RETURNING ${userColumns}`,
        [user.githubId, user.name, user.email, now],
      );
      if (linked.rows[0]) return { kind: 'ok', user: userFromRow(linked.rows[0]) };
      // A new account, or the account of this login that no GitHub id holds yet; never one another id holds.
      const claimed = await tx.query<UserRow>(
        `INSERT INTO users AS u (username, spelling, name, email, github_id, created_at, updated_at) VALUES ($1, $6, $2, $3, $4, $5, $5)
         ON CONFLICT (username) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email, github_id = EXCLUDED.github_id,
           updated_at = EXCLUDED.updated_at
         WHERE u.github_id IS NULL
         RETURNING ${userColumns}`,
        [user.username, user.name, user.email, user.githubId, now, user.spelling ?? user.username],
      );
      return claimed.rows[0] ? { kind: 'ok', user: userFromRow(claimed.rows[0]) } : { kind: 'taken' };
    });
  }

  async getUser(username: string): Promise<StoredUser | null> {
    const { rows } = await this.db.query<UserRow>(`SELECT ${userColumns} FROM users u WHERE u.username = $1`, [username]);
    return rows[0] ? userFromRow(rows[0]) : null;
  }

  async insertSession(session: NewSession): Promise<void> {
    await this.db.query('INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES ($1, $2, $3, $4)', [
      session.tokenHash,
      session.username,
      session.createdAt,
      session.expiresAt,
    ]);
  }

  async findSession(tokenHash: string): Promise<{ user: StoredUser; expiresAt: Date } | null> {
    const { rows } = await this.db.query<UserRow & { expires_at: Date }>(
      `SELECT ${userColumns}, s.expires_at FROM sessions s JOIN users u ON u.username = s.username WHERE s.token_hash = $1`,
      [tokenHash],
    );
    const row = rows[0];
    return row ? { user: userFromRow(row), expiresAt: row.expires_at } : null;
  }

  async deleteSession(tokenHash: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
    return rowCount > 0;
  }

  async deleteExpiredSessions(now: Date): Promise<number> {
    const { rowCount } = await this.db.query('DELETE FROM sessions WHERE expires_at <= $1', [now]);
    return rowCount;
  }

  async insertApiToken(token: NewApiToken, maxPerUser: number): Promise<InsertTokenOutcome> {
    return this.db.transaction(async (tx) => {
      // Locking the user's row serialises token creation per user, so the limit holds under concurrency.
      const user = await tx.query('SELECT 1 FROM users WHERE username = $1 FOR UPDATE', [token.username]);
      if (user.rows.length === 0) return { kind: 'no_user' };
      const { rows } = await tx.query<{ n: number | string }>('SELECT count(*) AS n FROM api_tokens WHERE username = $1', [
        token.username,
      ]);
      if (Number(rows[0]?.n ?? 0) >= maxPerUser) return { kind: 'limit' };
      await tx.query('INSERT INTO api_tokens (id, username, name, scope, token_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [
        token.id,
        token.username,
        token.name,
        token.scope,
        token.tokenHash,
        token.createdAt,
      ]);
      return { kind: 'added' };
    });
  }

  async findApiToken(tokenHash: string): Promise<{ user: StoredUser; token: StoredApiToken } | null> {
    const { rows } = await this.db.query<TokenRow & UserColumnsOfToken>(
      `SELECT ${tokenColumns}, ${userColumnsOfToken} FROM api_tokens t JOIN users u ON u.username = t.username WHERE t.token_hash = $1`,
      [tokenHash],
    );
    const row = rows[0];
    if (!row) return null;
    const user = {
      username: row.username,
      spelling: row.user_spelling,
      name: row.user_name,
      email: row.user_email,
      github_id: row.user_github_id,
      created_at: row.user_created_at,
      updated_at: row.user_updated_at,
    };
    return { user: userFromRow(user), token: tokenFromRow(row) };
  }

  async listApiTokens(username: string): Promise<StoredApiToken[]> {
    const { rows } = await this.db.query<TokenRow>(
      `SELECT ${tokenColumns} FROM api_tokens t WHERE t.username = $1 ORDER BY t.created_at DESC, t.id COLLATE "C" DESC`,
      [username],
    );
    return rows.map(tokenFromRow);
  }

  async deleteApiToken(username: string, id: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM api_tokens WHERE id = $1 AND username = $2', [id, username]);
    return rowCount > 0;
  }

  async touchApiToken(id: string, now: Date, staleBefore: Date): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'UPDATE api_tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $3)',
      [id, now, staleBefore],
    );
    return rowCount > 0;
  }

  async insertSignInState(stateHash: string, expiresAt: Date, now: Date): Promise<void> {
    await this.db.query('DELETE FROM sign_in_states WHERE expires_at <= $1', [now]);
    await this.db.query('INSERT INTO sign_in_states (state_hash, expires_at) VALUES ($1, $2)', [stateHash, expiresAt]);
  }

  async consumeSignInState(stateHash: string, now: Date): Promise<boolean> {
    // One DELETE: of replicas racing with one state, exactly one gets the row back.
    const { rows } = await this.db.query<{ expires_at: Date }>('DELETE FROM sign_in_states WHERE state_hash = $1 RETURNING expires_at', [
      stateHash,
    ]);
    return rows[0] !== undefined && rows[0].expires_at.getTime() > now.getTime();
  }

  async getSettings(username: string): Promise<UserSettings | null> {
    return this.settings ? this.settings.through(username, () => this.readSettings(username)) : this.readSettings(username);
  }

  private async readSettings(username: string): Promise<UserSettings | null> {
    // No settings row: the column defaults.
    const { rows } = await this.db.query<SettingsRow>(
      `SELECT coalesce(s.default_private, false) AS default_private
       FROM users u LEFT JOIN user_settings s ON s.username = u.username WHERE u.username = $1`,
      [username],
    );
    return rows[0] ? settingsFromRow(rows[0]) : null;
  }

  async updateSettings(username: string, changes: UserSettingsChanges): Promise<UserSettings | null> {
    // One statement: the row is made for an existing user only, and a null change keeps the value.
    const { rows } = await this.db.query<SettingsRow>(
      `INSERT INTO user_settings AS s (username, default_private)
         SELECT username, coalesce($2::boolean, false) FROM users WHERE username = $1
       ON CONFLICT (username) DO UPDATE SET default_private = coalesce($2::boolean, s.default_private)
       RETURNING s.default_private`,
      [username, changes.defaultPrivate ?? null],
    );
    return rows[0] ? settingsFromRow(rows[0]) : null;
  }

  async searchUsers(prefix: string, after: string, limit: number): Promise<PublicUser[]> {
    // Each side of the OR is one range of its index (users_by_username_prefix, users_by_name_prefix).
    const { rows } = await this.db.query<{ username: string; name: string }>(
      `SELECT u.username, u.name FROM users u
       WHERE ((u.username COLLATE "C" >= $1 AND u.username COLLATE "C" < $2)
           OR (lower(u.name COLLATE "C") >= $1 AND lower(u.name COLLATE "C") < $2))
         AND u.username COLLATE "C" > $3
       ORDER BY u.username COLLATE "C" LIMIT $4`,
      [prefix, prefixEnd(prefix), after, limit],
    );
    return rows.map((row) => ({ username: row.username, name: row.name }));
  }

  async getFeedToken(username: string): Promise<FeedTokenInfo | null> {
    const { rows } = await this.db.query<{ created_at: Date }>('SELECT created_at FROM feed_tokens WHERE username = $1', [username]);
    return rows[0] ? { createdAt: rows[0].created_at } : null;
  }

  async replaceFeedToken(username: string, tokenHash: string, createdAt: Date): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `INSERT INTO feed_tokens (username, token_hash, created_at) SELECT username, $2, $3 FROM users WHERE username = $1
       ON CONFLICT (username) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = EXCLUDED.created_at`,
      [username, tokenHash, createdAt],
    );
    return rowCount > 0;
  }

  async feedTokenOwner(tokenHash: string): Promise<string | null> {
    const { rows } = await this.db.query<{ username: string }>('SELECT username FROM feed_tokens WHERE token_hash = $1', [tokenHash]);
    return rows[0]?.username ?? null;
  }

  async ping(): Promise<void> {
    await this.db.ping();
  }
}
