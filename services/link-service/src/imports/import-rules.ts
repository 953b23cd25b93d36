/**
 * The rules of an import (docs/design.md §19 B), apart from any store: each
 * entry is held to the link rules of object-model, and a URL the user already
 * has only gains what the file adds.
 */
import {
  checkTagCount,
  limits,
  optionalDescription,
  optionalFlag,
  parseTags,
  requireHttpUrl,
  checkText,
  type ImportError,
  type ImportLinkEntry,
  type StartImportRequest,
} from '@delinkcious/object-model';

/** An entry checked and with every default applied: what a batch writes. */
export interface PreparedEntry {
  url: string;
  title: string;
  description: string;
  tags: string[];
  private: boolean;
  unread: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface PreparedImport {
  entries: PreparedEntry[];
  /** Entries refused before any batch: unreadable (the file reader's), or against the link rules. */
  errors: ImportError[];
  /** Entries folded into an earlier one with the same URL (tags and description merged). */
  merged: number;
}

/**
 * Checks every entry and applies the options: tags are the entry's and the
 * option's; private is the option's or the entry's; dates default to `now`.
 * A bad entry becomes an error and never fails the rest.
 */
export function prepareImport(request: StartImportRequest, now: Date): PreparedImport {
  const optionTags = parseTags(request.tags ?? [], 'tags');
  const allPrivate = optionalFlag(request.private, 'private') ?? false;
  const errors: ImportError[] = (request.skipped ?? []).map((skip) => ({ url: String(skip.url ?? ''), err: String(skip.reason ?? 'skipped') }));
  const byUrl = new Map<string, PreparedEntry>();
  let merged = 0;
  for (const entry of request.entries) {
    let prepared: PreparedEntry;
    try {
      prepared = prepareEntry(entry, optionTags, allPrivate, now);
    } catch (error) {
      errors.push({ url: typeof entry?.url === 'string' ? entry.url.slice(0, limits.urlLength) : '', err: error instanceof Error ? error.message : String(error) });
      continue;
    }
    const earlier = byUrl.get(prepared.url);
    if (!earlier) {
      byUrl.set(prepared.url, prepared);
      continue;
    }
    // The same URL twice in one file: one link, with what both say.
    merged++;
    const changes = mergeInto(earlier, prepared);
    if (changes?.tags) earlier.tags = changes.tags;
    if (changes?.description) earlier.description = changes.description;
  }
  return { entries: [...byUrl.values()], errors, merged };
}

function prepareEntry(entry: ImportLinkEntry, optionTags: string[], allPrivate: boolean, now: Date): PreparedEntry {
  if (!entry || typeof entry !== 'object') throw new Error('an entry must be an object');
  const url = requireHttpUrl(entry.url);
  const rawTitle = entry.title ?? '';
  if (typeof rawTitle !== 'string') throw new Error('title must be text');
  // Files carry page titles of any length: cut to the limit rather than lose the link.
  const title = checkText(rawTitle.trim().slice(0, limits.titleLength), 'title');
  const description = optionalDescription(entry.description);
  const tags = parseTags([...(entry.tags ?? []), ...optionTags], 'tags');
  const createdAt = dateOf(entry.createdAt, 'created_at') ?? now;
  const updatedAt = dateOf(entry.updatedAt, 'updated_at') ?? createdAt;
  return {
    url,
    title,
    description,
    tags,
    private: allPrivate || (optionalFlag(entry.private, 'private') ?? false),
    unread: optionalFlag(entry.unread, 'unread') ?? false,
    createdAt,
    updatedAt: updatedAt < createdAt ? createdAt : updatedAt,
  };
}

function dateOf(value: unknown, field: string): Date | undefined {
  if (value === undefined || value === null) return undefined;
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw new Error(`${field} is not a valid date`);
  // PostgreSQL's timestamptz stops at year 294276; a date past 9999 is a misread unit anyway.
  if (date.getUTCFullYear() > 9999 || date.getUTCFullYear() < 1) throw new Error(`${field} is out of range`);
  return date;
}

/**
 * What an entry adds to a link the user has: its tags (a union, the link's
 * first), and its description only where the link has none. The title, the
 * privacy and the dates stay the link's. Null: nothing to add. Throws when the
 * union passes the tag limit.
 */
export function mergeInto(current: { tags: readonly string[]; description: string }, entry: PreparedEntry): { tags?: string[]; description?: string } | null {
  const changes: { tags?: string[]; description?: string } = {};
  const added = entry.tags.filter((tag) => !current.tags.includes(tag));
  if (added.length > 0) {
    const tags = [...current.tags, ...added];
    checkTagCount(tags, 'tags');
    changes.tags = tags;
  }
  if (current.description === '' && entry.description !== '') changes.description = entry.description;
  return changes.tags || changes.description !== undefined ? changes : null;
}

export const limitReached = 'link limit reached';

/** Stored entries are JSON: dates as RFC 3339. */
export function entryToJson(entry: PreparedEntry): Record<string, unknown> {
  return { ...entry, createdAt: entry.createdAt.toISOString(), updatedAt: entry.updatedAt.toISOString() };
}

export function entryFromJson(json: Record<string, unknown>): PreparedEntry {
  return {
    url: json.url as string,
    title: json.title as string,
    description: json.description as string,
    tags: json.tags as string[],
    private: json.private as boolean,
    unread: json.unread as boolean,
    createdAt: new Date(json.createdAt as string),
    updatedAt: new Date(json.updatedAt as string),
  };
}
