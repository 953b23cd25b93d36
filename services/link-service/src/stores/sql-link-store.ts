/** LinkStore on PostgreSQL or PGlite (the same SQL runs on both). */
import type { LinkCheckResult, LinkEvent, LinkStatus } from '@delinkcious/object-model';
import { sqlState, uniqueViolation, type Database, type Queryable } from '@delinkcious/db';
import { appendToOutbox } from '@delinkcious/events';
import type { CheckClaim, EventBuilder, InsertOutcome, LinkChanges, LinkStore, ListQuery, NewLink, StoredLink, UpdateOutcome } from './link-store.ts';

interface LinkRow {
  id: number | string;
  username: string;
  url: string;
  title: string;
  description: string;
  tags: string[];
  status: LinkStatus;
  checked_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const columns = 'id, username, url, title, description, tags, status, checked_at, created_at, updated_at';

function fromRow(row: LinkRow): StoredLink {
  return {
    id: Number(row.id),
    username: row.username,
    url: row.url,
    title: row.title,
    description: row.description,
    tags: row.tags,
    status: row.status,
    checkedAt: row.checked_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Thrown inside a transaction to roll it back with a known outcome. */
class Rollback<T> {
  constructor(readonly outcome: T) {}
}

export class SqlLinkStore implements LinkStore {
  constructor(private readonly db: Database) {}

  async list(username: string, query: ListQuery): Promise<StoredLink[]> {
    const params: unknown[] = [username];
    const where = ['username = $1'];
    if (query.tag !== undefined) {
      params.push([query.tag]);
      where.push(`tags @> $${params.length}::text[]`);
    }
    if (query.beforeId !== undefined) {
      params.push(query.beforeId);
      where.push(`id < $${params.length}`);
    }
    params.push(query.limit);
    const { rows } = await this.db.query<LinkRow>(
      `SELECT ${columns} FROM links WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(fromRow);
  }

  async insert(link: NewLink, maxLinksPerUser: number, event: EventBuilder): Promise<InsertOutcome> {
    return this.rollbackable(
      (tx) => this.insertIn(tx, link, maxLinksPerUser, event),
      () => ({ kind: 'duplicate' }),
    );
  }

  private async insertIn(tx: Queryable, link: NewLink, maxLinksPerUser: number, event: EventBuilder): Promise<InsertOutcome> {
    const added = await tx.query<LinkRow>(
      `INSERT INTO links (username, url, title, description, tags, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5::text[], $6, $6)
       ON CONFLICT (username, url) DO NOTHING
       RETURNING ${columns}`,
      [link.username, link.url, link.title, link.description, link.tags, link.createdAt],
    );
    if (added.rows.length === 0) return { kind: 'duplicate' };
    const counted = await tx.query(
      `INSERT INTO link_counts (username, links) VALUES ($1, 1)
       ON CONFLICT (username) DO UPDATE SET links = link_counts.links + 1 WHERE link_counts.links < $2
       RETURNING links`,
      [link.username, maxLinksPerUser],
    );
    if (counted.rows.length === 0) throw new Rollback<InsertOutcome>({ kind: 'limit' });
    const stored = fromRow(added.rows[0]!);
    await this.record(tx, event(stored));
    return { kind: 'added', link: stored };
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
        const found = await tx.query<LinkRow>(`SELECT ${columns} FROM links WHERE username = $1 AND url = $2 FOR UPDATE`, [
          username,
          url,
        ]);
        if (found.rows.length === 0) return { kind: 'not_found' };
        const before = fromRow(found.rows[0]!);
        const changes = change(before);
        if (!changes) return { kind: 'unchanged', link: before };
        const next = { ...before, ...changes };
        const { rows } = await tx.query<LinkRow>(
          `UPDATE links SET url = $2, title = $3, description = $4, tags = $5::text[], status = $6, checked_at = $7, updated_at = $8
           WHERE id = $1 RETURNING ${columns}`,
          [before.id, next.url, next.title, next.description, next.tags, next.status, next.checkedAt, now],
        );
        const link = fromRow(rows[0]!);
        await this.record(tx, event(link, before));
        return { kind: 'updated', before, link };
      },
      () => ({ kind: 'duplicate' }),
    );
  }

  async delete(username: string, url: string, event: EventBuilder): Promise<StoredLink | null> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<LinkRow>(`DELETE FROM links WHERE username = $1 AND url = $2 RETURNING ${columns}`, [username, url]);
      if (rows.length === 0) return null;
      await tx.query('UPDATE link_counts SET links = links - 1 WHERE username = $1', [username]);
      const deleted = fromRow(rows[0]!);
      await this.record(tx, event(deleted));
      return deleted;
    });
  }

  async applyCheck(result: LinkCheckResult): Promise<number> {
    return this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO url_checks (url, requested_at, status, checked_at) VALUES ($1, $3, $2, $3)
         ON CONFLICT (url) DO UPDATE SET status = $2, checked_at = $3
         WHERE url_checks.checked_at IS NULL OR url_checks.checked_at < $3`,
        [result.url, result.status, result.checkedAt],
      );
      const { rowCount } = await tx.query(
        `UPDATE links SET status = $2, checked_at = $3
         WHERE url = $1 AND (checked_at IS NULL OR checked_at < $3)`,
        [result.url, result.status, result.checkedAt],
      );
      return rowCount;
    });
  }

  async claimCheck(url: string, now: Date, reuseAfter: Date, claimBefore: Date): Promise<CheckClaim> {
    const known = await this.db.query<{ status: 'valid' | 'invalid'; checked_at: Date }>(
      'SELECT status, checked_at FROM url_checks WHERE url = $1 AND checked_at >= $2',
      [url, reuseAfter],
    );
    const fresh = known.rows[0];
    if (fresh) return { kind: 'known', result: { url, status: fresh.status, checkedAt: fresh.checked_at } };
    // One statement: of many callers at once, exactly one gets the row back.
    const claimed = await this.db.query(
      `INSERT INTO url_checks (url, requested_at) VALUES ($1, $2)
       ON CONFLICT (url) DO UPDATE SET requested_at = $2 WHERE url_checks.requested_at < $3
       RETURNING url`,
      [url, now, claimBefore],
    );
    return claimed.rows.length > 0 ? { kind: 'claimed' } : { kind: 'in_progress' };
  }

  async urlsToRecheck(pendingBefore: Date, checkedBefore: Date, limit: number): Promise<Array<{ url: string; username: string }>> {
    const { rows } = await this.db.query<{ url: string; username: string }>(
      `SELECT url, username FROM (
         SELECT DISTINCT ON (url) url, username, due FROM (
           SELECT url, username, updated_at AS due FROM links WHERE status = 'pending' AND updated_at < $1
           UNION ALL
           SELECT url, username, checked_at AS due FROM links WHERE status <> 'pending' AND checked_at < $2
         ) candidates ORDER BY url, due
       ) per_url ORDER BY due LIMIT $3`,
      [pendingBefore, checkedBefore, limit],
    );
    return rows;
  }

  async ping(): Promise<void> {
    await this.db.ping();
  }

  private async record(tx: Queryable, event: LinkEvent): Promise<void> {
    await appendToOutbox(tx, event.type, event);
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
