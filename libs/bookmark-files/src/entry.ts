/**
 * A raw entry of any format, made an ImportEntry that the link rules accept, or the reason
 * it cannot be. Fields are cleaned rather than rejected where a person would rather keep the
 * link (a too-long title is cut at the limit; control characters are removed); only a URL that
 * is not a usable http(s) URL skips an entry.
 */
import { limits, requireHttpUrl, ValidationError } from '@delinkcious/object-model';
import type { ImportEntry } from './types.ts';

export interface RawEntry {
  url: string;
  title: string;
  description: string;
  tags: readonly string[];
  private?: boolean | undefined;
  unread?: boolean | undefined;
  createdAt?: Date | undefined;
  updatedAt?: Date | undefined;
  /**
   * Keep the URL exactly as written when the link rules accept it: a Delinkcious export holds
   * link keys as they were saved, and re-importing it must find the same links.
   */
  urlAsWritten?: boolean;
}

export type EntryResult = { entry: ImportEntry } | { reason: string };

/* eslint-disable no-control-regex -- control characters are exactly what is removed */
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/g;
const controlOtherThanLineBreaks = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
/* eslint-enable no-control-regex */
const loneSurrogates = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** Characters a URI may hold as written (RFC 3986); a URL with any other is stored as WHATWG serialises it. */
const uriCharacters = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/;

/** `text` cut to at most `max` UTF-16 units, never inside a surrogate pair. */
export function clamp(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\ud800-\udbff]/.test(text[max - 1] ?? '') ? max - 1 : max;
  return text.slice(0, end);
}

function wellFormed(text: string): string {
  return text.replace(loneSurrogates, '\ufffd');
}

/** One line: whitespace runs (line breaks included) become one space. */
export function cleanTitle(title: string): string {
  return clamp(wellFormed(title).replace(/\s+/g, ' ').replace(controlCharacters, '').trim(), limits.titleLength);
}

/** Kept as written (not trimmed, as the link rule keeps it), line breaks included. */
export function cleanDescription(description: string): string {
  return clamp(wellFormed(description).replace(controlOtherThanLineBreaks, ''), limits.descriptionLength);
}

/**
 * One tag from a folder name or a tag list item: lower case, runs of spaces and commas (the tag
 * separators) become one hyphen ("Web Dev" → "web-dev"), cut to the tag length; '' when nothing is left.
 */
export function tagFromName(name: string): string {
  const tag = wellFormed(name)
    .replace(controlCharacters, ' ')
    .trim()
    .toLowerCase()
    .replace(/[\s,]+/g, '-');
  return clamp(tag, limits.tagLength).replace(/-+$/, '');
}

/** Tags normalised, without repeats, at most limits.tagsPerLink (the first ones). */
export function cleanTags(names: readonly string[]): string[] {
  const tags: string[] = [];
  for (const name of names) {
    const tag = tagFromName(name);
    if (tag !== '' && !tags.includes(tag)) tags.push(tag);
  }
  return tags.slice(0, limits.tagsPerLink);
}

/** The URL to store: as written when it is a clean URI, else as a browser encodes it (spaces, <, > …). */
export function checkUrl(url: string, asWritten = false): { url: string } | { reason: string } {
  const written = url.trim();
  if (written === '') return { reason: 'no URL' };
  let parsed: URL;
  try {
    parsed = new URL(written);
  } catch {
    return { reason: 'not a valid absolute URL' };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return { reason: `not an http or https URL (${parsed.protocol.replace(/:$/, '')})` };
  }
  const stored = asWritten || uriCharacters.test(written) ? written : parsed.href;
  try {
    return { url: requireHttpUrl(stored) };
  } catch (error) {
    if (error instanceof ValidationError) return { reason: error.message };
    throw error;
  }
}

function validDate(date: Date | undefined): Date | undefined {
  return date && Number.isFinite(date.getTime()) ? date : undefined;
}

export function toEntry(raw: RawEntry): EntryResult {
  const url = checkUrl(raw.url, raw.urlAsWritten);
  if ('reason' in url) return url;
  return {
    entry: {
      url: url.url,
      title: cleanTitle(raw.title),
      description: cleanDescription(raw.description),
      tags: cleanTags(raw.tags),
      private: raw.private,
      unread: raw.unread,
      createdAt: validDate(raw.createdAt),
      updatedAt: validDate(raw.updatedAt),
    },
  };
}

/**
 * Collects entries in file order. The same URL twice (a bookmark in two folders, as browsers
 * allow) is kept once: the first, with the tags of all merged.
 */
export class EntryCollector {
  readonly entries: ImportEntry[] = [];
  readonly skipped: { url: string; title: string; reason: string }[] = [];
  private readonly byUrl = new Map<string, ImportEntry>();

  add(raw: RawEntry): void {
    const result = toEntry(raw);
    if ('reason' in result) {
      this.skipped.push({ url: clamp(raw.url.trim(), limits.urlLength), title: cleanTitle(raw.title), reason: result.reason });
      return;
    }
    const seen = this.byUrl.get(result.entry.url);
    if (seen) {
      seen.tags = cleanTags([...seen.tags, ...result.entry.tags]);
      return;
    }
    this.byUrl.set(result.entry.url, result.entry);
    this.entries.push(result.entry);
  }
}
