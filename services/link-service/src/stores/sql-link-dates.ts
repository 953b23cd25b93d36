/**
 * lastChange and linkDates on PostgreSQL/PGlite (docs/design.md §20): the kept time of the user's
 * latest change (link_counts.changed_at, migration 011's triggers), and one GROUP BY per UTC day.
 */
import type { LinkDateCount } from '@delinkcious/object-model';
import type { Queryable } from '@delinkcious/db';

export async function lastChange(db: Queryable, username: string): Promise<Date | null> {
  const { rows } = await db.query<{ changed_at: Date | null }>('SELECT changed_at FROM link_counts WHERE username = $1', [username]);
  return rows[0]?.changed_at ?? null;
}

export async function linkDates(db: Queryable, username: string, tags: string[]): Promise<LinkDateCount[]> {
  // Without tags, no `tags @> '{}'`: that condition would tempt the planner into the whole GIN index.
  const tagged = tags.length > 0 ? 'AND tags @> $2::text[]' : '';
  const { rows } = await db.query<{ date: string; count: number }>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS date, count FROM (
       SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*)::int AS count
       FROM links WHERE username = $1 ${tagged} GROUP BY 1
     ) days ORDER BY day DESC`,
    tags.length > 0 ? [username, tags] : [username],
  );
  return rows.map((row) => ({ date: row.date, count: Number(row.count) }));
}
