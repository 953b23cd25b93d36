/**
 * A link as PostgreSQL/PGlite hold it: its row in `links` and its health in `link_health`
 * (migration 018, docs/design.md §17), read together. Every statement that answers links reads
 * them through here.
 */
import type { LinkStatus } from '@delinkcious/object-model';
import type { StoredLink } from './link-store.ts';

export interface LinkRow {
  id: number | string;
  username: string;
  url: string;
  title: string;
  description: string;
  tags: string[];
  private: boolean;
  unread: boolean;
  status: LinkStatus;
  checked_at: Date | null;
  http_status: number;
  check_error: string;
  invalid_since: Date | null;
  archive_url: string;
  favicon_url: string;
  created_at: Date;
  updated_at: Date;
  /** Only where read with savedByColumn. */
  saved_by?: number | null;
}

/** The columns of `links` a link is made of (the health is in link_health). */
export const linkColumns = 'id, username, url, title, description, tags, private, unread, created_at, updated_at';

/** The health of the link whose link_health row is `h` (joined by healthJoin): a link without one is pending. */
export const healthColumns = `coalesce(h.status, 'pending') AS status, h.checked_at, coalesce(h.http_status, 0) AS http_status,
  coalesce(h.check_error, '') AS check_error, h.invalid_since, coalesce(h.archive_url, '') AS archive_url, coalesce(h.favicon_url, '') AS favicon_url`;

/** The health of a link just saved. */
export const newHealthColumns = `'pending' AS status, NULL::timestamptz AS checked_at, 0 AS http_status, '' AS check_error,
  NULL::timestamptz AS invalid_since, '' AS archive_url, '' AS favicon_url`;

/** Joins each row of `links` (or of a relation of links named `alias`) to its health, as `h`. */
export const healthJoin = (alias = 'links') => `LEFT JOIN link_health h ON h.link_id = ${alias}.id`;

/** The links of `from` (named `alias` there), each with its health: a SELECT. */
export const selectWithHealth = (from: string, alias = from) => `SELECT ${alias}.*, ${healthColumns} FROM ${from} ${healthJoin(alias)}`;

/** A statement that returns `linkColumns` (INSERT, UPDATE or DELETE … RETURNING), its rows with their health. */
export const withHealth = (statement: string) => `WITH returned AS (${statement}) ${selectWithHealth('returned')}`;

export function fromRow(row: LinkRow): StoredLink {
  return {
    id: Number(row.id),
    username: row.username,
    url: row.url,
    title: row.title,
    description: row.description,
    tags: row.tags,
    private: row.private,
    unread: row.unread,
    savedBy: Math.max(0, Number(row.saved_by ?? 0)),
    status: row.status,
    checkedAt: row.checked_at,
    httpStatus: Number(row.http_status ?? 0),
    checkError: row.check_error ?? '',
    invalidSince: row.invalid_since ?? null,
    archiveUrl: row.archive_url ?? '',
    faviconUrl: row.favicon_url ?? '',
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Reads the rows a statement returned through withHealth. */
export const readLink = (row: Record<string, unknown>): StoredLink => fromRow(row as unknown as LinkRow);
