/** NewsStore on PostgreSQL or PGlite (the same SQL runs on both): the embedded default, which survives a restart. */
import type { Database } from '@delinkcious/db';
import type { NewsEventType } from '@delinkcious/object-model';
import type { FeedItem, FeedPosition } from '../feed.ts';
import { deliveredTtlSeconds, type NewsStore } from './news-store.ts';

interface FeedRow {
  event_id: string;
  ts_ms: string | number | bigint;
  event_type: NewsEventType;
  author: string;
  url: string;
  title: string;
}

const insertSql = `
  INSERT INTO news_feed (username, event_id, ts_ms, event_type, author, url, title)
  SELECT u, $2, $3, $4, $5, $6, $7 FROM unnest($1::text[]) AS u
  ON CONFLICT (username, event_id) DO NOTHING`;

/** For each feed, the first item past the cap (an index range walk), then everything from it on. */
const trimSql = `
  DELETE FROM news_feed f USING (
    SELECT u.username, c.ts_ms, c.event_id
    FROM unnest($1::text[]) AS u(username)
    CROSS JOIN LATERAL (
      SELECT n.ts_ms, n.event_id FROM news_feed n WHERE n.username = u.username
      ORDER BY n.ts_ms DESC, n.event_id DESC OFFSET $2 LIMIT 1) c
  ) cut
  WHERE f.username = cut.username AND (f.ts_ms, f.event_id) <= (cut.ts_ms, cut.event_id)`;

const pageSql = `
  SELECT event_id, ts_ms, event_type, author, url, title FROM news_feed
  WHERE username = $1 AND ($2::bigint IS NULL OR (ts_ms, event_id) < ($2::bigint, $3::text COLLATE "C"))
  ORDER BY ts_ms DESC, event_id DESC LIMIT $4`;

export class SqlNewsStore implements NewsStore {
  private lastPrune = 0;

  constructor(
    private readonly db: Database,
    private readonly options: { feedMax: number },
  ) {}

  async isDelivered(eventId: string): Promise<boolean> {
    const { rows } = await this.db.query('SELECT 1 FROM news_delivered WHERE event_id = $1', [eventId]);
    return rows.length > 0;
  }

  async addToFeeds(usernames: readonly string[], item: FeedItem): Promise<void> {
    if (usernames.length === 0) return;
    const names = [...usernames];
    await this.db.transaction(async (tx) => {
      await tx.query(insertSql, [names, item.eventId, item.timestamp.getTime(), item.eventType, item.username, item.url, item.title]);
      await tx.query(trimSql, [names, this.options.feedMax]);
    });
  }

  async markDelivered(eventId: string): Promise<void> {
    await this.db.query('INSERT INTO news_delivered (event_id) VALUES ($1) ON CONFLICT DO NOTHING', [eventId]);
    if (Date.now() - this.lastPrune > 3_600_000) {
      this.lastPrune = Date.now();
      await this.db.query(`DELETE FROM news_delivered WHERE delivered_at < now() - make_interval(secs => $1)`, [deliveredTtlSeconds]);
    }
  }

  async page(username: string, after: FeedPosition | undefined, limit: number): Promise<FeedItem[]> {
    const { rows } = await this.db.query<FeedRow>(pageSql, [username, after?.timestampMs ?? null, after?.eventId ?? null, limit]);
    return rows.map((row) => ({
      eventId: row.event_id,
      eventType: row.event_type,
      username: row.author,
      url: row.url,
      title: row.title,
      timestamp: new Date(Number(row.ts_ms)),
    }));
  }

  async ping(): Promise<void> {
    await this.db.ping();
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
