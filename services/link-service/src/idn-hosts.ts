/**
 * The step migration 006 could not do (docs/design.md §15): URLs whose host is
 * not plain lower-case ASCII (an IDN host, a percent-encoded one) rewritten to
 * their normal form (rules/url.ts: punycode, beyond SQL), and a user's links
 * that become one merged exactly as 006 merges them: the oldest kept, tags
 * united, the longest description, private only if all were, unread if any
 * was; counts, url_stats and url_checks follow; nothing is told to followers.
 *
 * link-service runs it at every start, after the migrations: it is idempotent
 * (a rewritten host is ASCII and never found again), one transaction per user,
 * and finding nothing to do is one scan of the generated `host` column.
 * Replicas starting together lock the rows they merge; the second sees the
 * first's result.
 */
import type { Database, Queryable } from '@delinkcious/db';
import { requireHttpUrl } from '@delinkcious/object-model';

/** Hosts already in normal form as far as SQL can tell: lower-case ASCII letters, digits, . - _ and IPv6 brackets. */
const asciiHost = `'^[a-z0-9._:\\[\\]-]*$'`;

export interface IdnReport {
  /** Users whose links were rewritten. */
  users: number;
  /** Links whose URL was rewritten (kept ones included). */
  rewritten: number;
  /** Links merged into another (deleted). */
  merged: number;
}

/** The URL's normal form when it differs and is valid; undefined otherwise (left as it is). */
function normalOf(url: string): string | undefined {
  try {
    const normal = requireHttpUrl(url);
    return normal === url ? undefined : normal;
  } catch {
    return undefined;
  }
}

export async function normalizeIdnHosts(db: Database): Promise<IdnReport> {
  const { rows } = await db.query<{ username: string }>(`SELECT DISTINCT username FROM links WHERE host !~ ${asciiHost} ORDER BY username`);
  const report: IdnReport = { users: 0, rewritten: 0, merged: 0 };
  for (const { username } of rows) {
    const done = await db.transaction((tx) => normalizeUser(tx, username));
    if (done.rewritten + done.merged === 0) continue;
    report.users++;
    report.rewritten += done.rewritten;
    report.merged += done.merged;
  }
  return report;
}

async function normalizeUser(tx: Queryable, username: string): Promise<{ rewritten: number; merged: number }> {
  const { rows } = await tx.query<{ id: string; url: string }>(
    `SELECT id::text, url FROM links WHERE username = $1 AND host !~ ${asciiHost} ORDER BY id FOR UPDATE`,
    [username],
  );
  const forms = rows.flatMap((row) => {
    const normal = normalOf(row.url);
    return normal === undefined ? [] : [{ id: row.id, normal }];
  });
  if (forms.length === 0) return { rewritten: 0, merged: 0 };
  // The links already under a normal form join the merge: locked too, in id order.
  await tx.query('SELECT 1 FROM links WHERE username = $1 AND url = ANY($2::text[]) ORDER BY id FOR UPDATE', [username, forms.map((f) => f.normal)]);
  await tx.query(
    `CREATE TEMP TABLE url_forms ON COMMIT DROP AS
       SELECT l.id, l.username, l.url, l.created_at, f.normal
       FROM unnest($1::bigint[], $2::text[]) AS f(id, normal) JOIN links l ON l.id = f.id`,
    [forms.map((f) => f.id), forms.map((f) => f.normal)],
  );
  // From here as migration 006 (its statements, for the rows above).
  await tx.exec(`CREATE TEMP TABLE url_merges ON COMMIT DROP AS
    SELECT l.id, l.username, l.url, coalesce(f.normal, l.url) AS normal,
      first_value(l.id) OVER (PARTITION BY l.username, coalesce(f.normal, l.url) ORDER BY l.created_at, l.id) AS kept
    FROM links l LEFT JOIN url_forms f ON f.id = l.id
    WHERE (l.username, coalesce(f.normal, l.url)) IN (SELECT username, normal FROM url_forms)`);
  await tx.exec(`UPDATE links k SET
    tags = merged.tags,
    description = merged.description,
    title = CASE WHEN k.title <> '' THEN k.title ELSE merged.title END,
    private = merged.private,
    unread = merged.unread,
    updated_at = greatest(k.updated_at, merged.updated_at)
  FROM (
    SELECT m.kept,
      (SELECT coalesce(array_agg(tag ORDER BY first_at), '{}') FROM (
         SELECT tag, min(at) AS first_at FROM (
           SELECT t.tag, row_number() OVER (ORDER BY l2.id <> m.kept, l2.created_at, l2.id, t.pos) AS at
           FROM url_merges m2 JOIN links l2 ON l2.id = m2.id CROSS JOIN LATERAL unnest(l2.tags) WITH ORDINALITY AS t(tag, pos)
           WHERE m2.kept = m.kept
         ) occurrences GROUP BY tag
       ) per_tag) AS tags,
      (array_agg(l.description ORDER BY length(l.description) DESC, l.created_at, l.id))[1] AS description,
      (array_agg(l.title ORDER BY length(l.title) DESC, l.created_at, l.id))[1] AS title,
      bool_and(l.private) AS private,
      bool_or(l.unread) AS unread,
      max(l.updated_at) AS updated_at
    FROM url_merges m JOIN links l ON l.id = m.id
    GROUP BY m.kept
    HAVING count(*) > 1
  ) merged
  WHERE k.id = merged.kept`);
  const deleted = await tx.query('DELETE FROM links l USING url_merges m WHERE l.id = m.id AND m.id <> m.kept');
  const updated = await tx.query('UPDATE links l SET url = m.normal FROM url_merges m WHERE l.id = m.id AND m.id = m.kept AND l.url <> m.normal');
  await tx.exec(`UPDATE link_counts c SET links = n.links, public_links = n.public_links
    FROM (
      SELECT username, count(*)::int AS links, (count(*) FILTER (WHERE NOT private))::int AS public_links
      FROM links WHERE username IN (SELECT username FROM url_merges) GROUP BY username
    ) n
    WHERE c.username = n.username`);
  // Public savers of both spellings are counted again (other users may save either).
  await tx.exec(`DELETE FROM url_stats WHERE url IN (SELECT url FROM url_merges UNION SELECT normal FROM url_merges)`);
  await tx.exec(`INSERT INTO url_stats (url, public_savers)
    SELECT url, count(*) FILTER (WHERE NOT private) FROM links
    WHERE url IN (SELECT url FROM url_merges UNION SELECT normal FROM url_merges) GROUP BY url`);
  // Check results follow the normal form (of two, the most recent, with its health fields: migration 008);
  // the old spelling's row stays while another user's link still has that spelling.
  await tx.exec(`INSERT INTO url_checks (url, requested_at, status, checked_at, http_status, error, invalid_since, title, description, canonical_url, favicon_url, archive_url)
    SELECT DISTINCT ON (f.normal) f.normal, c.requested_at, c.status, c.checked_at, c.http_status, c.error, c.invalid_since, c.title, c.description, c.canonical_url, c.favicon_url, c.archive_url
    FROM url_checks c JOIN (SELECT DISTINCT url, normal FROM url_merges WHERE url <> normal) f ON f.url = c.url
    ORDER BY f.normal, c.checked_at DESC NULLS LAST, c.requested_at DESC
  ON CONFLICT (url) DO UPDATE SET requested_at = greatest(url_checks.requested_at, excluded.requested_at),
    status = CASE WHEN url_checks.checked_at IS NULL OR url_checks.checked_at < excluded.checked_at THEN excluded.status ELSE url_checks.status END,
    http_status = CASE WHEN url_checks.checked_at IS NULL OR url_checks.checked_at < excluded.checked_at THEN excluded.http_status ELSE url_checks.http_status END,
    error = CASE WHEN url_checks.checked_at IS NULL OR url_checks.checked_at < excluded.checked_at THEN excluded.error ELSE url_checks.error END,
    invalid_since = CASE WHEN url_checks.checked_at IS NULL OR url_checks.checked_at < excluded.checked_at THEN excluded.invalid_since ELSE url_checks.invalid_since END,
    title = CASE WHEN url_checks.checked_at IS NULL OR url_checks.checked_at < excluded.checked_at THEN excluded.title ELSE url_checks.title END,
    description = CASE WHEN url_checks.checked_at IS NULL OR url_checks.checked_at < excluded.checked_at THEN excluded.description ELSE url_checks.description END,
    canonical_url = CASE WHEN url_checks.checked_at IS NULL OR url_checks.checked_at < excluded.checked_at THEN excluded.canonical_url ELSE url_checks.canonical_url END,
    favicon_url = CASE WHEN url_checks.checked_at IS NULL OR url_checks.checked_at < excluded.checked_at THEN excluded.favicon_url ELSE url_checks.favicon_url END,
    archive_url = CASE WHEN url_checks.checked_at IS NULL OR url_checks.checked_at < excluded.checked_at THEN excluded.archive_url ELSE url_checks.archive_url END,
    checked_at = CASE WHEN url_checks.checked_at IS NULL OR url_checks.checked_at < excluded.checked_at THEN excluded.checked_at ELSE url_checks.checked_at END`);
  await tx.exec(`DELETE FROM url_checks WHERE url IN (SELECT url FROM url_merges WHERE url <> normal)
    AND NOT EXISTS (SELECT 1 FROM links WHERE links.url = url_checks.url)`);
  return { rewritten: updated.rowCount ?? 0, merged: deleted.rowCount ?? 0 };
}
