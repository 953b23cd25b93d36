/** NewsStore on PostgreSQL or PGlite (the same SQL runs on both): the embedded default, which survives a restart. */
import type { Database } from '@delinkcious/db';
import { GroupCommit } from '@delinkcious/kit';
import type { NewsEventType } from '@delinkcious/object-model';
import type { FeedItem, FeedPosition } from '../feed.ts';
import { mergeRebuilt, type ReplaceableFeeds } from '../feed-replace.ts';
import type { FeedPageCache } from './feed-page-cache.ts';
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

/**
 * For each feed, the first item past the cap (an index range walk), then everything from it on.
 * Exported for the test of its plan (news-service migration 003).
 */
export const trimSql = `
  DELETE FROM news_feed f USING (
    SELECT u.username, c.ts_ms, c.event_id
    FROM unnest($1::text[]) AS u(username)
    CROSS JOIN LATERAL (
      SELECT n.ts_ms, n.event_id FROM news_feed n WHERE n.username = u.username
      ORDER BY n.ts_ms DESC, n.event_id DESC OFFSET $2 LIMIT 1) c
  ) cut
  WHERE f.username = cut.username AND (f.ts_ms, f.event_id) <= (cut.ts_ms, cut.event_id)`;

/**
 * deliverOnce in one statement: the delivered mark, and only when it is new, the item in each
 * feed and the trim. The statement sees the feeds as they were, so the cap is taken before the
 * item: each feed's feedMax-th newest item. The new item goes in only if newer than that one,
 * and then that one goes (as the trim after an insert would); older ones always go.
 */
const deliverSql = `
  WITH mark AS (
    INSERT INTO news_delivered (event_id) VALUES ($2) ON CONFLICT DO NOTHING RETURNING event_id
  ), cap AS (
    SELECT u.username, c.ts_ms, c.event_id
    FROM unnest($1::text[]) AS u(username)
    LEFT JOIN LATERAL (
      SELECT n.ts_ms, n.event_id FROM news_feed n WHERE n.username = u.username
      ORDER BY n.ts_ms DESC, n.event_id DESC OFFSET $8::int - 1 LIMIT 1) c ON true
    WHERE EXISTS (SELECT 1 FROM mark)
  ), added AS (
    INSERT INTO news_feed (username, event_id, ts_ms, event_type, author, url, title)
    SELECT cap.username, $2, $3, $4, $5, $6, $7 FROM cap
    WHERE cap.ts_ms IS NULL OR ($3::bigint, $2::text COLLATE "C") > (cap.ts_ms, cap.event_id)
    ON CONFLICT (username, event_id) DO NOTHING
    RETURNING username
  ), trimmed AS (
    DELETE FROM news_feed f USING cap
    WHERE f.username = cap.username AND cap.ts_ms IS NOT NULL
      AND ((f.ts_ms, f.event_id) < (cap.ts_ms, cap.event_id)
        OR ((f.ts_ms, f.event_id) = (cap.ts_ms, cap.event_id) AND cap.username IN (SELECT username FROM added)))
  )
  SELECT EXISTS (SELECT 1 FROM mark) AS fresh`;

/**
 * deliverOnce for several events at once (group commit: docs/design.md §13). $1 is a JSON array of
 * the events, each with its followers. The new events are marked and their items added, in one
 * statement; answers the new events. The feeds are cut back to their newest feedMax later
 * (trimLater), by trimSql; reads never go past it (pageSql), so an item older than a full feed's
 * cut is as good as never added, and several events for one feed in a batch keep it exact.
 */
const deliverBatchSql = `
  WITH input AS (
    -- An event twice in the batch (a redelivery meeting the first): the first is the one delivered.
    SELECT DISTINCT ON (event_id) * FROM jsonb_to_recordset($1::jsonb)
      AS i(ord int, event_id text, ts_ms bigint, event_type text, author text, url text, title text, usernames text[])
    ORDER BY event_id, ord
  ), mark AS (
    INSERT INTO news_delivered (event_id) SELECT event_id FROM input ON CONFLICT DO NOTHING RETURNING event_id
  ), added AS (
    INSERT INTO news_feed (username, event_id, ts_ms, event_type, author, url, title)
    SELECT DISTINCT ON (u.username, i.event_id) u.username, i.event_id, i.ts_ms, i.event_type, i.author, i.url, i.title
    FROM input i JOIN mark m ON m.event_id = i.event_id CROSS JOIN unnest(i.usernames) AS u(username)
    ORDER BY u.username, i.event_id
    ON CONFLICT (username, event_id) DO NOTHING
  )
  SELECT coalesce((SELECT array_agg(event_id) FROM mark), '{}') AS fresh`;

/** An event waiting for its batch: its feed item and the feeds it goes to. */
interface Delivery {
  usernames: string[];
  item: FeedItem;
}

/**
 * A page of the feed's newest $5 (feedMax) items: a feed may hold more until it is cut back
 * (trimLater). The first page needs no count; a later one counts the items at or before its position
 * (an index walk of at most $5 entries) and ends where the newest $5 end.
 */
const pageSql = `
  SELECT event_id, ts_ms, event_type, author, url, title FROM news_feed
  WHERE username = $1 AND ($2::bigint IS NULL OR (ts_ms, event_id) < ($2::bigint, $3::text COLLATE "C"))
  ORDER BY ts_ms DESC, event_id DESC
  LIMIT greatest(0, least($4::int, $5::int - CASE WHEN $2::bigint IS NULL THEN 0 ELSE (
    SELECT count(*)::int FROM (
      SELECT 1 FROM news_feed WHERE username = $1 AND (ts_ms, event_id) >= ($2::bigint, $3::text COLLATE "C") LIMIT $5) above) END))`;

/** rebuild-feeds: the rows one feed's rebuilt items become ($1 the feed's owner, then one array per column). */
const insertRebuiltSql = `
  INSERT INTO news_feed (username, event_id, ts_ms, event_type, author, url, title)
  SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[])
  ON CONFLICT (username, event_id) DO NOTHING`;

const itemOfRow = (row: FeedRow): FeedItem => ({
  eventId: row.event_id,
  eventType: row.event_type,
  username: row.author,
  url: row.url,
  title: row.title,
  timestamp: new Date(Number(row.ts_ms)),
});

export class SqlNewsStore implements NewsStore, ReplaceableFeeds {
  private lastPrune = 0;
  /**
   * Items this process added to each feed (in batches) since it last cut the feed back. Cutting a feed
   * walks its newest feedMax index entries: at every batch, that was ~1 ms of a batch's 1.6 (a sixth
   * of a save's database time, embedded). A feed is cut once it got trimSlack items; reads end at the
   * newest feedMax all the same (pageSql). Forgotten at a restart: a feed then holds at most
   * feedMax + 2 × trimSlack rows (and on several replicas, trimSlack more for each).
   */
  private readonly untrimmed = new Map<string, number>();
  private readonly trimSlack: number;
  // Group commit (docs/design.md §13): the events handled at the same moment.
  private readonly deliveries = new GroupCommit<Delivery, boolean>({
    together: (batch) => this.deliverTogether(batch),
    alone: (delivery) => this.deliverAlone(delivery),
    // No gathering: the caller, the outbox relay, has a bounded number of events in flight, all here at once
    // (embedded, a whole pass of up to 100, gathered for 50 ms while events flow: outbox.ts).
  });

  /**
   * `trimSlack`: items a feed may hold past feedMax until cut back; default a tenth of feedMax.
   * `pages`: only where this process alone writes `db`, and `db` counts its writes (feed-page-cache.ts).
   */
  constructor(
    private readonly db: Database,
    private readonly options: { feedMax: number; trimSlack?: number; pages?: FeedPageCache },
  ) {
    this.trimSlack = Math.max(1, options.trimSlack ?? Math.ceil(options.feedMax / 10));
  }

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
    await this.pruneDelivered();
  }

  async deliverOnce(usernames: readonly string[], item: FeedItem): Promise<boolean> {
    const fresh = await this.deliveries.submit({ usernames: [...usernames], item });
    await this.pruneDelivered();
    return fresh;
  }

  /** Events handled at the same moment, in one statement: whether each was new. */
  private async deliverTogether(batch: Delivery[]): Promise<boolean[]> {
    const events = batch.map(({ usernames, item }, ord) => ({
      ord,
      event_id: item.eventId,
      ts_ms: item.timestamp.getTime(),
      event_type: item.eventType,
      author: item.username,
      url: item.url,
      title: item.title,
      usernames,
    }));
    const { rows } = await this.db.query<{ fresh: string[] }>(deliverBatchSql, [JSON.stringify(events)]);
    const marked = new Set(rows[0]!.fresh);
    // An event twice in the batch (a redelivery meeting the first): new for the first only.
    const outcomes = batch.map(({ item }) => marked.delete(item.eventId));
    await this.trimLater(batch.filter((_, i) => outcomes[i]).flatMap(({ usernames }) => usernames));
    return outcomes;
  }

  /** Counts an item for each of `feeds` (a name once per item); cuts back those that got trimSlack since their last cut. */
  private async trimLater(feeds: string[]): Promise<void> {
    const due: string[] = [];
    for (const feed of feeds) {
      const items = (this.untrimmed.get(feed) ?? 0) + 1;
      this.untrimmed.set(feed, items);
      if (items === this.trimSlack) due.push(feed);
    }
    if (due.length === 0) return;
    for (const feed of due) this.untrimmed.delete(feed);
    // The delivery has committed: a cut that fails is tried again at each feed's next item, and reads end at feedMax meanwhile.
    await this.db.query(trimSql, [due, this.options.feedMax]).catch(() => {
      for (const feed of due) this.untrimmed.set(feed, this.trimSlack - 1);
    });
  }

  private async deliverAlone({ usernames, item }: Delivery): Promise<boolean> {
    const { rows } = await this.db.query<{ fresh: boolean }>(deliverSql, [
      usernames,
      item.eventId,
      item.timestamp.getTime(),
      item.eventType,
      item.username,
      item.url,
      item.title,
      this.options.feedMax,
    ]);
    return rows[0]?.fresh === true;
  }

  /** Forgets delivered marks older than the bus keeps events, at most once an hour. */
  private async pruneDelivered(): Promise<void> {
    if (Date.now() - this.lastPrune < 3_600_000) return;
    this.lastPrune = Date.now();
    await this.db.query(`DELETE FROM news_delivered WHERE delivered_at < now() - make_interval(secs => $1)`, [deliveredTtlSeconds]);
  }

  async page(username: string, after: FeedPosition | undefined, limit: number): Promise<FeedItem[]> {
    const load = async () => {
      const { rows } = await this.db.query<FeedRow>(pageSql, [username, after?.timestampMs ?? null, after?.eventId ?? null, limit, this.options.feedMax]);
      return rows.map(itemOfRow);
    };
    return this.options.pages ? this.options.pages.through(username, after, limit, load) : load();
  }

  /**
   * One transaction: readers see the old feed or the new one. Only rows it
   * decided about are deleted (those at or before `keepAfterMs`, and newer
   * ones the rebuild holds already), so an item the fan-out commits meanwhile
   * stays; the cap is applied after.
   */
  async replaceFeed(username: string, rebuilt: readonly FeedItem[], keepAfterMs: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      const { rows } = await tx.query<FeedRow>(
        'SELECT event_id, ts_ms, event_type, author, url, title FROM news_feed WHERE username = $1 AND ts_ms > $2 FOR UPDATE',
        [username, keepAfterMs],
      );
      const live = rows.map(itemOfRow);
      const merged = new Set(mergeRebuilt(rebuilt, live, keepAfterMs, Number.MAX_SAFE_INTEGER).map((item) => item.eventId));
      const dropped = live.filter((item) => !merged.has(item.eventId)).map((item) => item.eventId);
      await tx.query('DELETE FROM news_feed WHERE username = $1 AND (ts_ms <= $2 OR event_id = ANY($3::text[]))', [username, keepAfterMs, dropped]);
      await tx.query(insertRebuiltSql, [
        username,
        rebuilt.map((item) => item.eventId),
        rebuilt.map((item) => item.timestamp.getTime()),
        rebuilt.map((item) => item.eventType),
        rebuilt.map((item) => item.username),
        rebuilt.map((item) => item.url),
        rebuilt.map((item) => item.title),
      ]);
      await tx.query(trimSql, [[username], this.options.feedMax]);
    });
  }

  async ping(): Promise<void> {
    await this.db.ping();
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
