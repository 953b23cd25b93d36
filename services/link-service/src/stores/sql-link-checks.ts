/**
 * Link checks on PostgreSQL/PGlite (docs/design.md §5, §17): claiming a URL's check, and applying a
 * result to the URL and to every link with it. Each takes the claims or results of several URLs at
 * once (the store's group commit, §13; one is a batch of one): the same rules, one statement for all.
 */
import type { LinkCheckResult, LinkEvent } from '@delinkcious/object-model';
import type { Queryable } from '@delinkcious/db';
import { appendToOutbox } from '@delinkcious/events';
import type { CheckClaim, EventBuilder } from './link-store.ts';
import type { RowReader } from './sql-organize.ts';

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
 * Every link with a result's URL and an older result: status and health set; an empty title or
 * description filled in from the page. The emptiness is tested on the row being updated, so a
 * title the user wrote meanwhile wins. A link that was valid or pending joins the URL's invalid
 * streak, if any. Links locked in id order. The canonical URL is the URL's, not the links'.
 * `fillIn`: whether any result brought a title or description. Only then are they set: a row whose
 * title or description is set has its generated search columns computed again (the text parser, the
 * folding, the tokens), 2.5x the cost of the health alone (measured, 50 links: 5.7 vs 2.2 ms). Only
 * then are the links returned whole, with their old title and description, for the filled-in events;
 * otherwise their URLs, which the counts need.
 */
const applyToLinksSql = (returning: string, fillIn: boolean) => `
  WITH target AS (
    SELECT l.id AS target_id, l.title AS old_title, l.description AS old_description, r.url AS check_url,
      r.status AS new_status, r.checked_at AS new_checked_at, r.http_status AS new_http_status, r.error AS new_error,
      r.title AS new_title, r.description AS new_description, r.favicon_url AS new_favicon_url, r.archive_url AS new_archive_url
    FROM ${resultsSql} JOIN links l ON l.url = r.url
    WHERE l.checked_at IS NULL OR l.checked_at < r.checked_at ORDER BY l.id FOR UPDATE OF l
  )
  UPDATE links SET status = new_status, checked_at = new_checked_at, http_status = new_http_status, check_error = new_error,
    invalid_since = CASE WHEN new_status = 'invalid' THEN coalesce(
      CASE WHEN status = 'invalid' THEN invalid_since END,
      (SELECT c.invalid_since FROM url_checks c WHERE c.url = check_url AND c.status = 'invalid' AND c.invalid_since <= new_checked_at),
      new_checked_at) END,
${fillIn ? `title = CASE WHEN title = '' THEN new_title ELSE title END,
    description = CASE WHEN description = '' THEN new_description ELSE description END,` : ''}
    favicon_url = CASE WHEN new_favicon_url <> '' THEN new_favicon_url ELSE favicon_url END,
    archive_url = CASE WHEN new_archive_url <> '' THEN new_archive_url ELSE archive_url END
  FROM target WHERE id = target_id
  RETURNING ${returning}`;

/**
 * Applies each result (at most one per URL: the caller sends a URL's results one at a time) in
 * `tx`; answers the number of links each changed. A link whose title or description was filled in
 * records the item's `filled` event.
 */
export async function applyChecksIn(tx: Queryable, reader: RowReader, checks: CheckToApply[]): Promise<number[]> {
  const results = JSON.stringify(checks.map(({ result }) => findings(result)));
  await tx.query(applyToUrlsSql, [results]);
  const fillIn = checks.some(({ result }) => result.title || result.description);
  const returning = fillIn ? `${reader.columns}, old_title, old_description` : 'url';
  const { rows } = await tx.query<Record<string, unknown> & { url: string; old_title: string; old_description: string }>(
    applyToLinksSql(returning, fillIn),
    [results],
  );
  const byUrl = new Map(checks.map((check) => [check.result.url, check]));
  const changed = new Map<string, number>();
  const filledIn: LinkEvent[] = [];
  for (const row of rows) {
    changed.set(row.url, (changed.get(row.url) ?? 0) + 1);
    if (!fillIn) continue;
    const link = reader.fromRow(row);
    const filled = byUrl.get(link.url)?.filled;
    if (filled && (link.title !== row.old_title || link.description !== row.old_description)) {
      const event = filled(link, { ...link, title: row.old_title, description: row.old_description });
      if (event) filledIn.push(event);
    }
  }
  for (const event of filledIn) await appendToOutbox(tx, event.type, event);
  return checks.map(({ result }) => changed.get(result.url) ?? 0);
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
