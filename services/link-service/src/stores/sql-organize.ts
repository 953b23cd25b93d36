/**
 * Tags and bulk edits on PostgreSQL/PGlite (docs/design.md §15): each is a
 * few set-based statements in one transaction, whatever the number of links.
 * Tag counts are the `tag_counts` table, which triggers on `links` keep in the
 * same transaction as every write, whoever makes it.
 */
import { ValidationError, byCodePoint, limits, type LinkEvent, type TagCount } from '@delinkcious/object-model';
import type { Database, Queryable } from '@delinkcious/db';
import { outboxColumns, outboxValues } from '@delinkcious/events';
import type { BulkEdit, EventBuilder } from './link-store.ts';
import { linkColumns, readLink, withHealth } from './sql-link-rows.ts';

/** A tag list without repeats, in first-seen order, as SQL: `distinctTags('expr')`. */
const distinctTags = (expr: string) =>
  `ARRAY(SELECT t FROM unnest(${expr}) WITH ORDINALITY AS u(t, n) GROUP BY t ORDER BY min(n))`;

export async function tagCounts(db: Queryable, username: string, prefix: string, limit: number): Promise<TagCount[]> {
  // One range of tag_counts_most_used (kept by migration 006's triggers).
  const { rows } = await db.query<{ tag: string; count: number }>(
    `SELECT tag, links AS count FROM tag_counts
     WHERE username = $1 AND links > 0 AND ($2 = '' OR starts_with(tag, $2))
     ORDER BY links DESC, tag COLLATE "C" LIMIT $3`,
    [username, prefix, limit],
  );
  return rows.map((row) => ({ tag: row.tag, count: Number(row.count) }));
}

/**
 * Locks the rows `where` selects in id order: what every multi-link change does first, so two
 * of them (a rename and a bulk edit of one user) never wait on each other's rows crosswise.
 * The rest of the lock order is in migration 006 (link_counts, tag_counts, url_stats).
 */
async function lockLinks(tx: Queryable, where: string, params: unknown[]): Promise<void> {
  await tx.query(`SELECT id FROM links WHERE ${where} ORDER BY id FOR UPDATE`, params);
}

/** Renames `tag` on every link of the user that has it; a link that has `newTag` too keeps one. */
export async function renameTag(db: Database, username: string, tag: string, newTag: string, now: Date): Promise<number> {
  return db.transaction(async (tx) => {
    await lockLinks(tx, 'username = $1 AND tags @> ARRAY[$2]::text[]', [username, tag]);
    const { rowCount } = await tx.query(
      `UPDATE links SET tags = ${distinctTags('array_replace(tags, $2, $3)')}, updated_at = $4
       WHERE username = $1 AND tags @> ARRAY[$2]::text[]`,
      [username, tag, newTag, now],
    );
    return rowCount;
  });
}

export async function deleteTag(db: Database, username: string, tag: string, now: Date): Promise<number> {
  return db.transaction(async (tx) => {
    await lockLinks(tx, 'username = $1 AND tags @> ARRAY[$2]::text[]', [username, tag]);
    const { rowCount } = await tx.query(
      `UPDATE links SET tags = array_remove(tags, $2), updated_at = $3 WHERE username = $1 AND tags @> ARRAY[$2]::text[]`,
      [username, tag, now],
    );
    return rowCount;
  });
}

/**
 * One edit of the user's links with these URLs, in one transaction. Links
 * already as asked are not changed (nor counted). `retract` builds the event
 * of each link that stops being public (made private, or deleted).
 */
export async function bulkEdit(
  db: Database,
  username: string,
  urls: string[],
  edit: BulkEdit,
  now: Date,
  retract: EventBuilder,
): Promise<number> {
  if (urls.length === 0) return 0;
  return db.transaction(async (tx) => {
    const selected = 'username = $1 AND url = ANY($2::text[])';
    await lockLinks(tx, selected, [username, urls]);
    switch (edit.action) {
      case 'add_tags': {
        const { rows } = await tx.query<{ url: string; count: number }>(
          `UPDATE links SET tags = tags || ARRAY(SELECT t FROM unnest($3::text[]) WITH ORDINALITY AS u(t, n) WHERE NOT t = ANY(links.tags) ORDER BY n),
             updated_at = $4
           WHERE ${selected} AND NOT tags @> $3::text[]
           RETURNING url, cardinality(tags) AS count`,
          [username, urls, edit.tags, now],
        );
        const over = rows.find((row) => Number(row.count) > limits.tagsPerLink);
        // Thrown inside the transaction: nothing is written.
        if (over) throw new ValidationError(`tags: ${over.url} would have more than ${limits.tagsPerLink} tags`);
        return rows.length;
      }
      case 'remove_tags': {
        const { rowCount } = await tx.query(
          `UPDATE links SET tags = ARRAY(SELECT t FROM unnest(tags) WITH ORDINALITY AS u(t, n) WHERE NOT t = ANY($3::text[]) ORDER BY n),
             updated_at = $4
           WHERE ${selected} AND tags && $3::text[]`,
          [username, urls, edit.tags, now],
        );
        return rowCount;
      }
      case 'mark_read':
      case 'mark_unread': {
        const { rowCount } = await tx.query(`UPDATE links SET unread = $3, updated_at = $4 WHERE ${selected} AND unread <> $3`, [
          username,
          urls,
          edit.action === 'mark_unread',
          now,
        ]);
        return rowCount;
      }
      case 'set_private':
      case 'set_public': {
        const makePrivate = edit.action === 'set_private';
        const { rows } = await tx.query<Record<string, unknown>>(
          withHealth(`UPDATE links SET private = $3, updated_at = $4 WHERE ${selected} AND private <> $3 RETURNING ${linkColumns}`),
          [username, urls, makePrivate, now],
        );
        const changed = rows.map(readLink);
        if (changed.length === 0) return 0;
        await tx.query('UPDATE link_counts SET public_links = greatest(public_links + $2, 0) WHERE username = $1', [
          username,
          makePrivate ? -changed.length : changed.length,
        ]);
        await addPublicSavers(tx, changed.map((link) => link.url), makePrivate ? -1 : 1);
        // Followers last saw these public, with their earlier updated time: the retraction carries that.
        if (makePrivate) await appendEvents(tx, changed.map((link) => retract({ ...link, private: false })));
        return changed.length;
      }
      case 'delete': {
        const { rows } = await tx.query<Record<string, unknown>>(withHealth(`DELETE FROM links WHERE ${selected} RETURNING ${linkColumns}`), [username, urls]);
        const deleted = rows.map(readLink);
        if (deleted.length === 0) return 0;
        const publicOnes = deleted.filter((link) => !link.private);
        await tx.query(
          'UPDATE link_counts SET links = greatest(links - $2, 0), public_links = greatest(public_links - $3, 0) WHERE username = $1',
          [username, deleted.length, publicOnes.length],
        );
        await addPublicSavers(tx, publicOnes.map((link) => link.url), -1);
        await appendEvents(tx, publicOnes.map((link) => retract(link)));
        return deleted.length;
      }
    }
  });
}

/** Adds `delta` to each URL's public savers, in URL order (as the store's other writers: no deadlock). */
async function addPublicSavers(tx: Queryable, urls: string[], delta: number): Promise<void> {
  if (urls.length === 0) return;
  await tx.query(
    `INSERT INTO url_stats (url, public_savers) SELECT u, greatest($2::int, 0) FROM unnest($1::text[]) AS u ORDER BY u COLLATE "C"
     ON CONFLICT (url) DO UPDATE SET public_savers = greatest(url_stats.public_savers + $2::int, 0)`,
    [[...urls].sort(byCodePoint), delta],
  );
}

/** The events in one statement. */
async function appendEvents(tx: Queryable, events: Array<LinkEvent | null>): Promise<void> {
  const rows = events.filter((event): event is LinkEvent => event !== null).map((event) => outboxValues(event.type, event));
  if (rows.length === 0) return;
  await tx.query(`INSERT INTO outbox (${outboxColumns}) SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::jsonb[])`, [
    rows.map((row) => row[0]),
    rows.map((row) => row[1]),
    rows.map((row) => row[2]),
    rows.map((row) => row[3]),
  ]);
}
