/**
 * Link checks on PostgreSQL/PGlite (docs/design.md §5, §17): claiming a URL's check, and applying a
 * result to the URL and to every link with it. Each takes the claims or results of several URLs at
 * once (the store's group commit, §13; one is a batch of one): the same rules, one statement for all.
 */
import type { LinkCheckResult, LinkEvent } from '@delinkcious/object-model';
import type { Queryable } from '@delinkcious/db';
import { appendToOutbox } from '@delinkcious/events';
import type { CheckClaim, EventBuilder } from './link-store.ts';
import { linkColumns, readLink, withHealth } from './sql-link-rows.ts';

/** A result to apply, with the event of a link whose empty title or description it fills in. */
export interface CheckToApply {
  result: LinkCheckResult;
  filled?: EventBuilder | undefined;
}

/** A claim asked for: see LinkStore.claimCheck. */
export interface ClaimRequest {
  url: string;
  now: Date;
  reuseAfter: Date;
  claimBefore: Date;
}

/**
 * What a check found: '' is "unknown", so it never erases what an earlier check found (a timeout
 * does not forget the page's title or archived copy).
 */
function findings(result: LinkCheckResult) {
  return {
    url: result.url,
    status: result.status,
    checked_at: result.checkedAt,
    http_status: result.httpStatus ?? 0,
    error: result.error ?? '',
    title: result.title ?? '',
    description: result.description ?? '',
    canonical_url: result.canonicalUrl ?? '',
    favicon_url: result.faviconUrl ?? '',
    archive_url: result.archiveUrl ?? '',
  };
}

/** The results of a batch as rows: $1 of the statements below. */
const resultsSql = `jsonb_to_recordset($1::jsonb) AS r(url text, status text, checked_at timestamptz, http_status int, error text,
  title text, description text, canonical_url text, favicon_url text, archive_url text)`;

/**
 * Each URL's latest result (§17), reused for links saved later; invalid_since starts the URL's
 * invalid streak; an older result than the one kept changes nothing. Rows in URL order.
 */
const applyToUrlsSql = `
  INSERT INTO url_checks AS u (url, requested_at, status, checked_at, http_status, error, invalid_since,
    title, description, canonical_url, favicon_url, archive_url)
  SELECT url, checked_at, status, checked_at, http_status, error, CASE WHEN status = 'invalid' THEN checked_at END,
    title, description, canonical_url, favicon_url, archive_url
  FROM ${resultsSql} ORDER BY url
  ON CONFLICT (url) DO UPDATE SET status = excluded.status, checked_at = excluded.checked_at,
    http_status = excluded.http_status, error = excluded.error,
    invalid_since = CASE WHEN excluded.status = 'invalid' THEN coalesce(CASE WHEN u.status = 'invalid' THEN u.invalid_since END, excluded.checked_at) END,
    title = CASE WHEN excluded.title <> '' THEN excluded.title ELSE u.title END,
    description = CASE WHEN excluded.description <> '' THEN excluded.description ELSE u.description END,
    canonical_url = CASE WHEN excluded.canonical_url <> '' THEN excluded.canonical_url ELSE u.canonical_url END,
    favicon_url = CASE WHEN excluded.favicon_url <> '' THEN excluded.favicon_url ELSE u.favicon_url END,
    archive_url = CASE WHEN excluded.archive_url <> '' THEN excluded.archive_url ELSE u.archive_url END
  WHERE u.checked_at IS NULL OR u.checked_at < excluded.checked_at`;

/**
 * The health of every link with a result's URL and an older result (link_health, migration 018):
 * status and health set. A link that was valid or pending joins the URL's invalid streak, if any.
 * Rows locked in link id order: the link's row shared (FOR KEY SHARE: a change of its URL waits, or
 * is seen, so a result never lands on a link that moved to another URL meanwhile), then its health
 * row. No links row gets a new version. Returns each changed link's id and URL.
 */
const applyToHealthSql = `
  WITH target AS (
    SELECT l.id AS target_id, r.url AS check_url, r.status AS new_status, r.checked_at AS new_checked_at,
      r.http_status AS new_http_status, r.error AS new_error, r.favicon_url AS new_favicon_url, r.archive_url AS new_archive_url
    FROM ${resultsSql} JOIN links l ON l.url = r.url JOIN link_health h ON h.link_id = l.id
    WHERE h.checked_at IS NULL OR h.checked_at < r.checked_at ORDER BY l.id FOR KEY SHARE OF l FOR UPDATE OF h
  )
  UPDATE link_health SET status = new_status, checked_at = new_checked_at, http_status = new_http_status, check_error = new_error,
    invalid_since = CASE WHEN new_status = 'invalid' THEN coalesce(
      CASE WHEN status = 'invalid' THEN invalid_since END,
      (SELECT c.invalid_since FROM url_checks c WHERE c.url = check_url AND c.status = 'invalid' AND c.invalid_since <= new_checked_at),
      new_checked_at) END,
    favicon_url = CASE WHEN new_favicon_url <> '' THEN new_favicon_url ELSE favicon_url END,
    archive_url = CASE WHEN new_archive_url <> '' THEN new_archive_url ELSE archive_url END
  FROM target WHERE link_id = target_id
  RETURNING link_id, check_url AS url`;

/**
 * Of the links a result just reached ($2: their ids), those with an empty title or description the
 * page has, filled in; whole, with their health and their old title and description, for the
 * filled-in events. The emptiness is tested on the row being updated, so a title the user wrote
 * meanwhile wins. Only then is a links row written: its generated search columns are computed again.
 */
const fillInSql = withHealth(`
  UPDATE links l SET title = CASE WHEN l.title = '' THEN r.title ELSE l.title END,
    description = CASE WHEN l.description = '' THEN r.description ELSE l.description END
  FROM ${resultsSql}, (SELECT id, title AS old_title, description AS old_description FROM links WHERE id = ANY($2::bigint[])) old
  WHERE l.id = old.id AND l.url = r.url
    AND ((l.title = '' AND r.title <> '') OR (l.description = '' AND r.description <> ''))
  RETURNING ${linkColumns.split(', ').map((column) => `l.${column}`).join(', ')}, old.old_title, old.old_description`);

/**
 * Applies each result (at most one per URL: the caller sends a URL's results one at a time) in
 * `tx`; answers the number of links each changed. A link whose title or description was filled in
 * records the item's `filled` event.
 */
export async function applyChecksIn(tx: Queryable, checks: CheckToApply[]): Promise<number[]> {
  const results = JSON.stringify(checks.map(({ result }) => findings(result)));
  await tx.query(applyToUrlsSql, [results]);
  const { rows } = await tx.query<{ link_id: string; url: string }>(applyToHealthSql, [results]);
  const changed = new Map<string, number>();
  for (const row of rows) changed.set(row.url, (changed.get(row.url) ?? 0) + 1);
  if (rows.length > 0 && checks.some(({ result }) => result.title || result.description)) {
    await recordFilledIn(tx, checks, results, rows.map((row) => row.link_id));
  }
  return checks.map(({ result }) => changed.get(result.url) ?? 0);
}

/** Fills in the empty titles and descriptions of the links `ids` from the results, with their events. */
async function recordFilledIn(tx: Queryable, checks: CheckToApply[], results: string, ids: string[]): Promise<void> {
  const { rows } = await tx.query<Record<string, unknown> & { old_title: string; old_description: string }>(fillInSql, [results, ids]);
  const byUrl = new Map(checks.map((check) => [check.result.url, check]));
  const filledIn: LinkEvent[] = [];
  for (const row of rows) {
    const link = readLink(row);
    const event = byUrl.get(link.url)?.filled?.(link, { ...link, title: row.old_title, description: row.old_description });
    if (event) filledIn.push(event);
  }
  for (const event of filledIn) await appendToOutbox(tx, event.type, event);
}

interface ClaimRow {
  ord: number;
  status: 'valid' | 'invalid' | null;
  checked_at: Date | null;
  claimed: boolean;
  http_status: number | null;
  error: string | null;
  title: string | null;
  description: string | null;
  canonical_url: string | null;
  favicon_url: string | null;
  archive_url: string | null;
}

/**
 * Claims, one per URL (the caller sends a URL's claims one at a time), in one statement: a fresh
 * result is reused; otherwise, of many callers at once, exactly one claims the URL's row.
 */
const claimSql = `
  WITH asked AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS a(ord int, url text, now timestamptz, reuse_after timestamptz, claim_before timestamptz)
  ), known AS (
    SELECT a.url, c.status, c.checked_at, c.http_status, c.error, c.title, c.description, c.canonical_url, c.favicon_url, c.archive_url
    FROM asked a JOIN url_checks c ON c.url = a.url AND c.checked_at >= a.reuse_after
  ), claimed AS (
    INSERT INTO url_checks AS u (url, requested_at)
    SELECT a.url, a.now FROM asked a WHERE NOT EXISTS (SELECT 1 FROM known k WHERE k.url = a.url) ORDER BY a.url
    ON CONFLICT (url) DO UPDATE SET requested_at = excluded.requested_at
    WHERE u.requested_at < (SELECT a.claim_before FROM asked a WHERE a.url = excluded.url)
    RETURNING u.url
  )
  SELECT a.ord, k.status, k.checked_at, k.http_status, k.error, k.title, k.description, k.canonical_url, k.favicon_url, k.archive_url,
    EXISTS (SELECT 1 FROM claimed c WHERE c.url = a.url) AS claimed
  FROM asked a LEFT JOIN known k ON k.url = a.url ORDER BY a.ord`;

export async function claimChecks(db: Queryable, requests: ClaimRequest[]): Promise<CheckClaim[]> {
  const asked = requests.map((request, ord) => ({
    ord,
    url: request.url,
    now: request.now,
    reuse_after: request.reuseAfter,
    claim_before: request.claimBefore,
  }));
  const { rows } = await db.query<ClaimRow>(claimSql, [JSON.stringify(asked)]);
  return rows.map((row, i): CheckClaim => {
    const url = requests[i]!.url;
    if (row.status && row.checked_at) {
      const result: LinkCheckResult = {
        url,
        status: row.status,
        checkedAt: row.checked_at,
        httpStatus: Number(row.http_status ?? 0),
        error: row.error ?? '',
        title: row.title ?? '',
        description: row.description ?? '',
        canonicalUrl: row.canonical_url ?? '',
        faviconUrl: row.favicon_url ?? '',
        archiveUrl: row.archive_url ?? '',
      };
      return { kind: 'known', result };
    }
    return row.claimed ? { kind: 'claimed' } : { kind: 'in_progress' };
  });
}

/** Whether every item of a batch has its own URL (else the batch goes one item at a time). */
export const distinctUrls = (urls: string[]): boolean => new Set(urls).size === urls.length;
