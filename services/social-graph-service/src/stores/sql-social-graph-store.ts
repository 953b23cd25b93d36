/** SocialGraphStore on PostgreSQL or PGlite (the same SQL runs on both). */
import { ReadCache, type Database } from '@delinkcious/db';
import type { FollowCounts } from '@delinkcious/object-model';
import type { FollowOutcome, NameRange, SocialGraphStore } from './social-graph-store.ts';

/** Each list is one range of an index, already in order: no sort, however many names. */
export const followersSql = 'SELECT follower FROM social_graph WHERE followed = $1 ORDER BY follower';
export const followingSql = 'SELECT followed FROM social_graph WHERE follower = $1 ORDER BY followed';

/** A page: the same index range, starting after a name ($2, '' for the start) and at most $3 long. */
const followersPageSql = 'SELECT follower FROM social_graph WHERE followed = $1 AND follower > $2 ORDER BY follower LIMIT $3';
const followingPageSql = 'SELECT followed FROM social_graph WHERE follower = $1 AND followed > $2 ORDER BY followed LIMIT $3';
/** Each follower once: a walk of social_graph_by_follower, stopping after $2 names. */
const allFollowersPageSql = 'SELECT DISTINCT follower FROM social_graph WHERE follower > $1 ORDER BY follower LIMIT $2';

/** Authors whose followers are kept at most: each follow is in one author's list, so they never hold more than the graph. */
const maxKeptFollowers = 1_000;

/** The followers cache of a store whose database this process alone writes; `generation` from db's countingWrites. */
export function keptFollowers(generation: () => number): ReadCache<readonly string[]> {
  // Shared by every later caller: frozen, so none can change what another reads.
  return new ReadCache<readonly string[]>(generation, maxKeptFollowers, (names) => Object.freeze([...names]));
}

export class SqlSocialGraphStore implements SocialGraphStore {
  /**
   * `kept`: only where this process alone writes `db` (embedded; db's read-cache.ts). news-service
   * asks for an author's followers at every event it delivers: kept, that costs no query (~0.06 ms
   * and a role switch there and back on the shared embedded connection, per save).
   */
  constructor(
    private readonly db: Database,
    private readonly kept?: ReadCache<readonly string[]>,
  ) {}

  async follow(followed: string, follower: string, maxFollowing = Infinity): Promise<FollowOutcome> {
    return this.db.transaction(async (tx) => {
      // Serialises one follower's follows (other followers run in parallel), so the count below stays true until the insert.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`social_graph follower ${follower}`]);
      const existing = await tx.query('SELECT 1 FROM social_graph WHERE followed = $1 AND follower = $2', [followed, follower]);
      if (existing.rows.length > 0) return 'already';
      const { rows } = await tx.query<{ n: number | string }>('SELECT count(*) AS n FROM social_graph WHERE follower = $1', [follower]);
      if (Number(rows[0]?.n ?? 0) >= maxFollowing) return 'limit';
      await tx.query('INSERT INTO social_graph (followed, follower) VALUES ($1, $2) ON CONFLICT DO NOTHING', [followed, follower]);
      return 'added';
    });
  }

  async unfollow(followed: string, follower: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM social_graph WHERE followed = $1 AND follower = $2', [followed, follower]);
    return rowCount > 0;
  }

  async following(username: string, range?: NameRange): Promise<string[]> {
    const { rows } = range
      ? await this.db.query<{ followed: string }>(followingPageSql, [username, range.after ?? '', range.limit ?? null])
      : await this.db.query<{ followed: string }>(followingSql, [username]);
    return rows.map((row) => row.followed);
  }

  async followers(username: string, range?: NameRange): Promise<string[]> {
    if (range) {
      const { rows } = await this.db.query<{ follower: string }>(followersPageSql, [username, range.after ?? '', range.limit ?? null]);
      return rows.map((row) => row.follower);
    }
    const load = async () => (await this.db.query<{ follower: string }>(followersSql, [username])).rows.map((row) => row.follower);
    // A copy of the kept list: the caller owns what it gets.
    return this.kept ? [...(await this.kept.through(username, load))] : load();
  }

  async allFollowers(range: NameRange): Promise<string[]> {
    const { rows } = await this.db.query<{ follower: string }>(allFollowersPageSql, [range.after ?? '', range.limit ?? null]);
    return rows.map((row) => row.follower);
  }

  async counts(username: string): Promise<FollowCounts> {
    // Two index-only counts: the primary key serves followers, social_graph_by_follower following.
    const { rows } = await this.db.query<{ followers: number | string; following: number | string }>(
      `SELECT (SELECT count(*) FROM social_graph WHERE followed = $1) AS followers,
              (SELECT count(*) FROM social_graph WHERE follower = $1) AS following`,
      [username],
    );
    return { followers: Number(rows[0]?.followers ?? 0), following: Number(rows[0]?.following ?? 0) };
  }

  async ping(): Promise<void> {
    await this.db.ping();
  }
}
