/** SocialGraphStore on PostgreSQL or PGlite (the same SQL runs on both). */
import type { Database } from '@delinkcious/db';
import type { SocialGraphStore } from './social-graph-store.ts';

/** Each list is one range of an index, already in order: no sort, however many names. */
export const followersSql = 'SELECT follower FROM social_graph WHERE followed = $1 ORDER BY follower';
export const followingSql = 'SELECT followed FROM social_graph WHERE follower = $1 ORDER BY followed';

export class SqlSocialGraphStore implements SocialGraphStore {
  constructor(private readonly db: Database) {}

  async follow(followed: string, follower: string): Promise<void> {
    await this.db.query('INSERT INTO social_graph (followed, follower) VALUES ($1, $2) ON CONFLICT DO NOTHING', [followed, follower]);
  }

  async unfollow(followed: string, follower: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM social_graph WHERE followed = $1 AND follower = $2', [followed, follower]);
    return rowCount > 0;
  }

  async following(username: string): Promise<string[]> {
    const { rows } = await this.db.query<{ followed: string }>(followingSql, [username]);
    return rows.map((row) => row.followed);
  }

  async followers(username: string): Promise<string[]> {
    const { rows } = await this.db.query<{ follower: string }>(followersSql, [username]);
    return rows.map((row) => row.follower);
  }

  async ping(): Promise<void> {
    await this.db.ping();
  }
}
