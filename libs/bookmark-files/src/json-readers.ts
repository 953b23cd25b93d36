/** The JSON formats: Pinboard's export, and Delinkcious's own (see json-writer.ts). */
import { ValidationError } from '@delinkcious/object-model';
import { EntryCollector, type RawEntry } from './entry.ts';
import type { ParsedFile } from './types.ts';

export const delinkciousFormatVersion = 1;

/** The JSON in `text`, or a ValidationError saying where it breaks. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ValidationError(`the file is not valid JSON (${what}): ${(error as Error).message}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function date(value: unknown): Date | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const parsed = new Date(value);
  return Number.isFinite(parsed.getTime()) ? parsed : undefined;
}

/** Pinboard's "yes"/"no" (older exports: "1"/"0"). */
function yesNo(value: unknown): boolean | undefined {
  if (value === 'yes' || value === '1' || value === true) return true;
  if (value === 'no' || value === '0' || value === false) return false;
  return undefined;
}

/** Each of `items` as an entry; one that is not an object is skipped with `notObject(its number)`. */
function collect(
  format: ParsedFile['format'],
  items: unknown[],
  notObject: (position: number) => string,
  toEntry: (item: Record<string, unknown>) => RawEntry,
): ParsedFile {
  const collector = new EntryCollector();
  items.forEach((item, index) => {
    if (isObject(item)) collector.add(toEntry(item));
    else collector.skipped.push({ url: '', title: '', reason: notObject(index + 1) });
  });
  return { format, entries: collector.entries, skipped: collector.skipped };
}

export function isPinboard(json: unknown): json is unknown[] {
  return Array.isArray(json) && (json.length === 0 || (isObject(json[0]) && 'href' in json[0]));
}

export function isDelinkcious(json: unknown): json is Record<string, unknown> {
  return isObject(json) && json.format === 'delinkcious';
}

/**
 * Pinboard (`/v1/posts/all?format=json`, and its settings page): an array of
 * `{href, description (the title), extended (the description), tags (space-separated),
 * time (ISO 8601), shared yes/no, toread yes/no, hash, meta}`.
 */
export function readPinboard(json: unknown): ParsedFile {
  if (!Array.isArray(json)) throw new ValidationError('a Pinboard export is a JSON array of bookmarks');
  return collect('pinboard', json, (n) => `item ${n} is not a bookmark object`, (item) => ({
    url: text(item.href),
    title: text(item.description),
    description: text(item.extended),
    tags: typeof item.tags === 'string' ? item.tags.split(/\s+/) : Array.isArray(item.tags) ? item.tags.filter((tag) => typeof tag === 'string') : [],
    private: item.shared === undefined ? undefined : yesNo(item.shared) === undefined ? undefined : !yesNo(item.shared),
    unread: yesNo(item.toread),
    createdAt: date(item.time),
    updatedAt: undefined,
  }));
}

/** LINK's tags as the wire has them ({"tag": true}), or as a list or a string for hand-edited files. */
function wireTags(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/[\s,]+/);
  if (Array.isArray(value)) return value.filter((tag): tag is string => typeof tag === 'string');
  if (isObject(value)) return Object.entries(value).filter(([, on]) => on !== false).map(([tag]) => tag);
  return [];
}

function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/**
 * The Delinkcious export: `{"format": "delinkcious", "version": 1, "exported_at", "links": [LINK…]}`.
 * What a link is (URL, title, description, tags, privacy, unread, dates) is read back; what the
 * service derives (Status, SavedBy, check results) is not: the checks of the new copy find it again.
 */
export function readDelinkcious(json: unknown): ParsedFile {
  if (!isDelinkcious(json)) throw new ValidationError('a Delinkcious export is a JSON object with "format": "delinkcious"');
  // A hand-made file without a version is read as the current one.
  if (json.version !== undefined && json.version !== delinkciousFormatVersion) {
    throw new ValidationError(`this Delinkcious export is version ${JSON.stringify(json.version)}; this server reads version ${delinkciousFormatVersion}`);
  }
  if (!Array.isArray(json.links)) throw new ValidationError('a Delinkcious export must have a "links" array');
  return collect('delinkcious', json.links, (n) => `link ${n} is not a LINK object`, (item) => ({
    url: text(item.Url),
    title: text(item.Title),
    description: text(item.Description),
    tags: wireTags(item.Tags),
    private: bool(item.Private),
    unread: bool(item.Unread),
    createdAt: date(item.CreatedAt),
    updatedAt: date(item.UpdatedAt),
    urlAsWritten: true,
  }));
}
