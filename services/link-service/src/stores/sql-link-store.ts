/** LinkStore on PostgreSQL or PGlite (the same SQL runs on both). */
import { byCodePoint, type LinkCheckResult, type LinkDateCount, type LinkEvent, type PopularLink, type TagCount } from '@delinkcious/object-model';
import { sqlState, uniqueViolation, type Database, type Queryable } from '@delinkcious/db';
import { appendToOutbox, outboxColumns, outboxValues } from '@delinkcious/events';
import { backgroundGatherMs, GroupCommit, interactiveGatherMs } from '@delinkcious/kit';
import { bulkEdit, deleteTag, renameTag, tagCounts } from './sql-organize.ts';
import { applyChecksIn, claimChecks, distinctUrls, type CheckToApply, type ClaimRequest } from './sql-link-checks.ts';
import { lastChange, linkDates } from './sql-link-dates.ts';
import { fromRow, healthColumns, healthJoin, linkColumns, newHealthColumns, selectWithHealth, withHealth, type LinkRow } from './sql-link-rows.ts';
import { VocabularyCache } from '../search/vocabulary-cache.ts';
import type { ListingCache } from './page-cache.ts';
import { noHealth } from '../link-health.ts';
import type { BulkEdit, CheckClaim, EventBuilder, InsertOutcome, LinkChanges, LinkStore, ListedLink, ListQuery, NewLink, StoredLink, UpdateOutcome } from './link-store.ts';

// Who else saved the link's URL publicly: the kept count, less the link itself when it is public.
const savedByColumn = `(SELECT s.public_savers FROM url_stats s WHERE s.url = links.url) - CASE WHEN links.private THEN 0 ELSE 1 END AS saved_by`;
/** A listed link: its row and who else saved it (search/sql.ts adds its health). */
const listColumns = `${linkColumns}, ${savedByColumn}`;

/**
 * A new link with its owner's count, its URL's public savers (when public) and, with an event, its outbox
 * row, in one statement (data-modifying CTEs); `counted` is null when the owner is at the limit.
 * Parameters: username, url, title, description, tags, created_at, private, the limit, unread, updated_at, then the outbox row.
 */
function insertStatement(withEvent: boolean): string {
  return `
  WITH added AS (
    INSERT INTO links (username, url, title, description, tags, private, created_at, updated_at, unread)
    VALUES ($1, $2, $3, $4, $5::text[], $7, $6, $10, $9)
    ON CONFLICT (username, url) DO NOTHING
    RETURNING ${linkColumns}
  ), counted AS (
    INSERT INTO link_counts (username, links, public_links)
    SELECT username, 1, CASE WHEN private THEN 0 ELSE 1 END FROM added
    ON CONFLICT (username) DO UPDATE SET links = link_counts.links + 1, public_links = link_counts.public_links + excluded.public_links
    WHERE link_counts.links < $8
    RETURNING links
  ), savers AS (
    INSERT INTO url_stats (url, public_savers) SELECT url, 1 FROM added WHERE NOT private
    ON CONFLICT (url) DO UPDATE SET public_savers = greatest(url_stats.public_savers + 1, 0)
    RETURNING public_savers
  )${withEvent ? `, event AS (INSERT INTO outbox (${outboxColumns}) SELECT $11::text, $12::text, $13::jsonb, $14::jsonb FROM added)` : ''}
  SELECT added.*, ${newHealthColumns}, (SELECT links FROM counted) AS counted,
    coalesce((SELECT public_savers FROM savers), (SELECT s.public_savers FROM url_stats s WHERE s.url = added.url), 0)
      - CASE WHEN added.private THEN 0 ELSE 1 END AS saved_by
  FROM added`;
}
const insertSql = insertStatement(false);
const insertWithEventSql = insertStatement(true);

/**
 * Links saved at the same moment, in one statement (group commit: docs/design.md §13); what
 * insertStatement does for one, for each. $1 is a JSON array of the saves (the columns below). A
 * URL the owner has, or that comes twice, is added once (the first); each owner's count moves by
 * the links added, and its limit is checked on the latest count under its row lock (`counted` is
 * null for an owner past it: the caller rolls back and saves one by one). Rows are written in key
 * order, so two batches never wait on each other's rows in opposite orders.
 */
const insertBatchSql = `
  WITH input AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(ord int, username text, url text, title text, description text,
      tags text[], private boolean, unread boolean, created_at timestamptz, updated_at timestamptz, max_links int,
      event_id text, subject text, payload jsonb, headers jsonb)
  ), firsts AS (
    SELECT DISTINCT ON (username, url) * FROM input ORDER BY username, url, ord
  ), added AS (
    INSERT INTO links (username, url, title, description, tags, private, created_at, updated_at, unread)
    SELECT username, url, title, description, tags, private, created_at, updated_at, unread FROM firsts ORDER BY username, url
    ON CONFLICT (username, url) DO NOTHING
    RETURNING ${linkColumns}
  ), owners AS (
    SELECT a.username, count(*) AS links, count(*) FILTER (WHERE NOT a.private) AS public_links,
      (SELECT min(i.max_links) FROM input i WHERE i.username = a.username) AS max_links
    FROM added a GROUP BY a.username
  ), counted AS (
    INSERT INTO link_counts AS c (username, links, public_links)
    SELECT username, links, public_links FROM owners WHERE links <= max_links ORDER BY username
    ON CONFLICT (username) DO UPDATE SET links = c.links + excluded.links, public_links = c.public_links + excluded.public_links
    WHERE c.links + excluded.links <= (SELECT o.max_links FROM owners o WHERE o.username = excluded.username)
    RETURNING c.username, c.links
  ), savers AS (
    INSERT INTO url_stats AS s (url, public_savers)
    SELECT url, count(*) FROM added WHERE NOT private GROUP BY url ORDER BY url
    ON CONFLICT (url) DO UPDATE SET public_savers = greatest(s.public_savers + excluded.public_savers, 0)
    RETURNING s.url, s.public_savers
  ), event AS (
    INSERT INTO outbox (${outboxColumns})
    SELECT f.event_id, f.subject, f.payload, f.headers FROM firsts f JOIN added a ON a.username = f.username AND a.url = f.url
    WHERE f.event_id IS NOT NULL ORDER BY f.ord
  )
  SELECT a.*, ${newHealthColumns}, c.links AS counted,
    coalesce(s.public_savers, (SELECT u.public_savers FROM url_stats u WHERE u.url = a.url), 0)
      - CASE WHEN a.private THEN 0 ELSE 1 END AS saved_by
  FROM added a LEFT JOIN counted c ON c.username = a.username LEFT JOIN savers s ON s.url = a.url`;

/** A link deleted with its owner's counts and its URL's public savers, in one statement; its health goes with it (migration 018). */
const deleteSql = `
  WITH deleted AS (
    DELETE FROM links WHERE username = $1 AND url = $2 RETURNING ${linkColumns}
  ), counted AS (
    UPDATE link_counts c SET links = c.links - 1, public_links = c.public_links - CASE WHEN d.private THEN 0 ELSE 1 END
    FROM deleted d WHERE c.username = d.username
  ), savers AS (
    UPDATE url_stats s SET public_savers = greatest(s.public_savers - 1, 0) FROM deleted d WHERE s.url = d.url AND NOT d.private
  )
  ${selectWithHealth('deleted')}`;

const sameTime = (a: Date | null, b: Date | null) => (a === null || b === null ? a === b : a.getTime() === b.getTime());

/** Whether an update changes the link's health (link_health), not only the link. */
function healthChanged(before: StoredLink, next: StoredLink): boolean {
  return (
    before.status !== next.status ||
    !sameTime(before.checkedAt, next.checkedAt) ||
    before.httpStatus !== next.httpStatus ||
    before.checkError !== next.checkError ||
    !sameTime(before.invalidSince, next.invalidSince) ||
    before.archiveUrl !== next.archiveUrl ||
    before.faviconUrl !== next.faviconUrl
  );
}

/** Thrown inside a transaction to roll it back with a known outcome. */
class Rollback<T> {
  constructor(readonly outcome: T) {}
}

/** A save waiting for its batch: the link, and its outbox row when it makes news. */
interface PendingInsert {
  link: NewLink;
  maxLinksPerUser: number;
  outbox: ReturnType<typeof outboxValues> | null;
}

export class SqlLinkStore implements LinkStore {
  // Group commit (docs/design.md §13): saves, check claims and check results that arrive together.
  private readonly inserts = new GroupCommit<PendingInsert, InsertOutcome>({
    together: (batch) => this.db.transaction((tx) => this.insertAllIn(tx, batch)),
    alone: (pending) => this.rollbackable<InsertOutcome>((tx) => this.insertIn(tx, pending), () => ({ kind: 'duplicate' })),
    gatherMs: interactiveGatherMs,
    goWhenCallersReturn: true,
  });
  private readonly claims = new GroupCommit<ClaimRequest, CheckClaim>({
    together: (batch) => claimChecks(this.db, batch),
    alone: async (request) => (await claimChecks(this.db, [request]))[0]!,
    // One claim per URL in a statement: of two, the second sees the first's.
    groupable: (batch) => distinctUrls(batch.map((request) => request.url)),
    gatherMs: backgroundGatherMs,
  });
  private readonly checks = new GroupCommit<CheckToApply, number>({
    together: (batch) => this.db.transaction((tx) => applyChecksIn(tx, batch)),
    alone: async (check) => (await this.db.transaction((tx) => applyChecksIn(tx, [check])))[0]!,
    groupable: (batch) => distinctUrls(batch.map((check) => check.result.url)),
    gatherMs: backgroundGatherMs,
  });

  private readonly vocabularies = new VocabularyCache();

  /** `listings`: only where this process alone writes `db` (page-cache.ts). */
  constructor(
    private readonly db: Database,
    private readonly listings?: ListingCache,
  ) {}

  async list(username: string, query: ListQuery): Promise<ListedLink[]> {
    return this.listings ? this.listings.through(username, query, () => this.load(username, query)) : this.load(username, query);
  }

  private async load(username: string, query: ListQuery): Promise<ListedLink[]> {
    // Filters, search, sort and keyset: search/sql.ts; the words' tokens: search/vocabulary-cache.ts.
    const rows = await this.vocabularies.list<LinkRow & { sort_key: string }>(this.db, username, query, listColumns);
    return rows.map((row) => ({ ...fromRow(row), sortKey: row.sort_key }));
  }

  async insert(link: NewLink, maxLinksPerUser: number, event: EventBuilder): Promise<InsertOutcome> {
    // The event is built here, in the request's own trace: its outbox row carries that trace.
    const built = event({ ...link, unread: link.unread ?? false, id: 0, status: 'pending', ...noHealth, updatedAt: link.updatedAt ?? link.createdAt, savedBy: 0 });
    return this.inserts.submit({ link, maxLinksPerUser, outbox: built ? outboxValues(built.type, built) : null });
  }

  private async insertAllIn(tx: Queryable, batch: PendingInsert[]): Promise<InsertOutcome[]> {
    const saves = batch.map(({ link, maxLinksPerUser, outbox }, ord) => ({
      ord,
      username: link.username,
      url: link.url,
      title: link.title,
      description: link.description,
      tags: link.tags,
      private: link.private,
      unread: link.unread ?? false,
      created_at: link.createdAt,
      updated_at: link.updatedAt ?? link.createdAt,
      max_links: maxLinksPerUser,
      ...(outbox && { event_id: outbox[0], subject: outbox[1], payload: JSON.parse(outbox[2]) as unknown, headers: JSON.parse(outbox[3]) as unknown }),
    }));
    const { rows } = await tx.query<LinkRow & { counted: number | null }>(insertBatchSql, [JSON.stringify(saves)]);
    // An owner past the limit: the batch rolls back, and its saves go one by one, each for its own outcome.
    if (rows.some((row) => row.counted === null)) throw new Error('an owner reached the limit');
    const added = new Map(rows.map((row) => [`${row.username}\n${row.url}`, row]));
    return batch.map(({ link }): InsertOutcome => {
      const key = `${link.username}\n${link.url}`;
      const row = added.get(key);
      // The first save of a URL took the row; another save of it in the batch is a duplicate.
      added.delete(key);
      return row ? { kind: 'added', link: fromRow(row) } : { kind: 'duplicate' };
    });
  }

  /**
   * One statement: every column of the new row is known before the insert but its id and savedBy,
   * which no event carries, so the event is built first and the link, its owner's count (the limit,
   * checked on the latest count under its row lock), its URL's public savers and its outbox row are
   * written together. A link past the limit is rolled back with the transaction.
   */
  private async insertIn(tx: Queryable, { link, maxLinksPerUser, outbox }: PendingInsert): Promise<InsertOutcome> {
    const { rows } = await tx.query<LinkRow & { counted: number | null }>(outbox ? insertWithEventSql : insertSql, [
      link.username,
      link.url,
      link.title,
      link.description,
      link.tags,
      link.createdAt,
      link.private,
      maxLinksPerUser,
      link.unread ?? false,
      link.updatedAt ?? link.createdAt,
      ...(outbox ?? []),
    ]);
    const row = rows[0];
    if (!row) return { kind: 'duplicate' };
    if (row.counted === null) throw new Rollback<InsertOutcome>({ kind: 'limit' });
    return { kind: 'added', link: fromRow(row) };
  }

  async update(
    username: string,
    url: string,
    change: (current: StoredLink) => LinkChanges | null,
    now: Date,
    event: EventBuilder,
  ): Promise<UpdateOutcome> {
    return this.rollbackable(
      async (tx): Promise<UpdateOutcome> => {
        const found = await tx.query<LinkRow>(`SELECT ${listColumns}, ${healthColumns} FROM links ${healthJoin()} WHERE username = $1 AND url = $2 FOR UPDATE OF links`, [
          username,
          url,
        ]);
        if (found.rows.length === 0) return { kind: 'not_found' };
        const before = fromRow(found.rows[0]!);
        const changes = change(before);
        if (!changes) return { kind: 'unchanged', link: before };
        const next = { ...before, ...changes };
        // The health changes with the URL (back to pending): its row first, so the link's update reads it.
        if (healthChanged(before, next)) {
          await tx.query(
            `INSERT INTO link_health AS h (link_id, status, checked_at, http_status, check_error, invalid_since, archive_url, favicon_url)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (link_id) DO UPDATE SET status = excluded.status, checked_at = excluded.checked_at, http_status = excluded.http_status,
               check_error = excluded.check_error, invalid_since = excluded.invalid_since, archive_url = excluded.archive_url, favicon_url = excluded.favicon_url`,
            [before.id, next.status, next.checkedAt, next.httpStatus, next.checkError, next.invalidSince, next.archiveUrl, next.faviconUrl],
          );
        }
        const { rows } = await tx.query<LinkRow>(
          withHealth(`UPDATE links SET url = $2, title = $3, description = $4, tags = $5::text[], updated_at = $6, private = $7, unread = $8
            WHERE id = $1 RETURNING ${linkColumns}`),
          [before.id, next.url, next.title, next.description, next.tags, now, next.private, next.unread],
        );
        const link = fromRow(rows[0]!);
        const moved: Array<[string, number]> = [];
        if (!before.private) moved.push([before.url, -1]);
        if (!link.private) moved.push([link.url, 1]);
        if (before.private !== link.private) {
          await tx.query('UPDATE link_counts SET public_links = public_links + $2 WHERE username = $1', [username, link.private ? -1 : 1]);
        }
        link.savedBy = await this.countPublicSavers(tx, moved, link);
        await this.record(tx, event(link, before));
        return { kind: 'updated', before, link };
      },
      () => ({ kind: 'duplicate' }),
    );
  }

  async delete(username: string, url: string, event: EventBuilder): Promise<StoredLink | null> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<LinkRow>(deleteSql, [username, url]);
      if (rows.length === 0) return null;
      const deleted = fromRow(rows[0]!);
      await this.record(tx, event(deleted));
      return deleted;
    });
  }

  async applyCheck(result: LinkCheckResult, filled?: EventBuilder): Promise<number> {
    return this.checks.submit({ result, filled });
  }

  async claimCheck(url: string, now: Date, reuseAfter: Date, claimBefore: Date): Promise<CheckClaim> {
    return this.claims.submit({ url, now, reuseAfter, claimBefore });
  }

  async urlsToRecheck(pendingBefore: Date, checkedBefore: Date, limit: number): Promise<Array<{ url: string; username: string }>> {
    const { rows } = await this.db.query<{ url: string; username: string }>(
      `SELECT url, username FROM (
         SELECT DISTINCT ON (url) url, username, due FROM (
           SELECT l.url, l.username, l.updated_at AS due FROM link_health h JOIN links l ON l.id = h.link_id
           WHERE h.status = 'pending' AND l.updated_at < $1
           UNION ALL
           SELECT l.url, l.username, h.checked_at AS due FROM link_health h JOIN links l ON l.id = h.link_id
           WHERE h.status <> 'pending' AND h.checked_at < $2
         ) candidates ORDER BY url, due
       ) per_url ORDER BY due LIMIT $3`,
      [pendingBefore, checkedBefore, limit],
    );
    return rows;
  }

  async countPublicLinks(username: string): Promise<number> {
    const { rows } = await this.db.query<{ public_links: number }>('SELECT public_links FROM link_counts WHERE username = $1', [username]);
    return rows[0] ? Number(rows[0].public_links) : 0;
  }

  async popular(usernames: string[], since: Date, limit: number): Promise<PopularLink[]> {
    if (usernames.length === 0) return [];
    // Each user's recent public links come from links_public_by_user_created; only those rows are grouped.
    const { rows } = await this.db.query<{ url: string; title: string; saved_by: number; usernames: string[] }>(
      `SELECT url, count(*)::int AS saved_by, array_agg(username ORDER BY username COLLATE "C") AS usernames,
         -- The most recent title, of those not left empty (a link saved without one, not checked yet: §17).
         (array_agg(title ORDER BY title = '', updated_at DESC, id DESC))[1] AS title
       FROM links
       WHERE username = ANY($1::text[]) AND NOT private AND created_at >= $2
       GROUP BY url
       ORDER BY count(*) DESC, max(created_at) DESC, url COLLATE "C"
       LIMIT $3`,
      [usernames, since, limit],
    );
    return rows.map((row) => ({ url: row.url, title: row.title, savedBy: Number(row.saved_by), usernames: [...row.usernames].sort(byCodePoint) }));
  }

  async tagCounts(username: string, prefix: string, limit: number): Promise<TagCount[]> {
    return tagCounts(this.db, username, prefix, limit);
  }

  async renameTag(username: string, tag: string, newTag: string, now: Date): Promise<number> {
    return renameTag(this.db, username, tag, newTag, now);
  }

  async deleteTag(username: string, tag: string, now: Date): Promise<number> {
    return deleteTag(this.db, username, tag, now);
  }

  async bulkEdit(username: string, urls: string[], edit: BulkEdit, now: Date, retract: EventBuilder): Promise<number> {
    return bulkEdit(this.db, username, urls, edit, now, retract);
  }

  async lastChange(username: string): Promise<Date | null> {
    // Kept by migration 011's triggers on every write of links, whoever makes it.
    return lastChange(this.db, username);
  }

  async linkDates(username: string, tags: string[]): Promise<LinkDateCount[]> {
    return linkDates(this.db, username, tags);
  }

  async ping(): Promise<void> {
    await this.db.ping();
  }

  private async record(tx: Queryable, event: LinkEvent | null): Promise<void> {
    if (event) await appendToOutbox(tx, event.type, event);
  }

  /**
   * Applies `deltas` to the per-URL public save counts (in URL order, so two
   * transactions never wait on each other's rows in opposite orders) and
   * answers who else saved `link`'s URL publicly.
   */
  private async countPublicSavers(tx: Queryable, deltas: Array<[string, number]>, link: StoredLink): Promise<number> {
    const net = new Map<string, number>();
    for (const [url, delta] of deltas) net.set(url, (net.get(url) ?? 0) + delta);
    let savers: number | undefined;
    for (const [url, delta] of [...net].filter(([, d]) => d !== 0).sort(([a], [b]) => byCodePoint(a, b))) {
      const { rows } = await tx.query<{ public_savers: number }>(
        `INSERT INTO url_stats (url, public_savers) VALUES ($1, greatest($2::int, 0))
         ON CONFLICT (url) DO UPDATE SET public_savers = greatest(url_stats.public_savers + $2::int, 0)
         RETURNING public_savers`,
        [url, delta],
      );
      if (url === link.url) savers = Number(rows[0]!.public_savers);
    }
    if (savers === undefined) {
      const { rows } = await tx.query<{ public_savers: number }>('SELECT public_savers FROM url_stats WHERE url = $1', [link.url]);
      savers = rows[0] ? Number(rows[0].public_savers) : 0;
    }
    return Math.max(0, savers - (link.private ? 0 : 1));
  }

  /** Runs `fn` in a transaction; a Rollback answers its outcome, a unique violation answers `onDuplicate()`. */
  private async rollbackable<T>(fn: (tx: Queryable) => Promise<T>, onDuplicate: () => T): Promise<T> {
    try {
      return await this.db.transaction(fn);
    } catch (error) {
      if (error instanceof Rollback) return error.outcome as T;
      if (sqlState(error) === uniqueViolation) return onDuplicate();
      throw error;
    }
  }
}
