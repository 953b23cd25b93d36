/** Reading a bookmark file: which format it is, and its entries. */
import { ValidationError } from '@delinkcious/object-model';
import { decodeFile } from './decode.ts';
import { isDelinkcious, isPinboard, parseJson, readDelinkcious, readPinboard } from './json-readers.ts';
import { looksLikeNetscape, readNetscape } from './netscape-reader.ts';
import { bookmarkFormats, exportFormats, type BookmarkFormat, type ExportFormat, type ParsedFile } from './types.ts';

const neither = 'the file is neither a Netscape bookmark file, Pinboard JSON nor a Delinkcious export';

function looksLikeJson(text: string): boolean {
  const start = text.trimStart()[0];
  return start === '[' || start === '{';
}

/** The format of a file's text, or undefined when it is none of them. */
export function detectFormat(input: string | Uint8Array): BookmarkFormat | undefined {
  const text = decodeFile(input);
  if (looksLikeJson(text)) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return undefined;
    }
    return jsonFormat(json);
  }
  return looksLikeNetscape(text) ? 'netscape' : undefined;
}

function jsonFormat(json: unknown): BookmarkFormat | undefined {
  if (isPinboard(json)) return 'pinboard';
  if (isDelinkcious(json)) return 'delinkcious';
  return undefined;
}

/**
 * The entries of a bookmark file in the given format, or in the one it is (`auto`).
 * ValidationError, naming what is wrong, when the file is not in that format (or in none).
 * One bad entry never fails the file: it is in `skipped`, with the reason.
 */
export function parseBookmarkFile(input: string | Uint8Array, format: BookmarkFormat | 'auto' = 'auto'): ParsedFile {
  const text = decodeFile(input);
  if (text.trim() === '') throw new ValidationError('the file is empty');
  switch (format) {
    case 'netscape':
      return readNetscape(text);
    case 'pinboard':
      return readPinboard(parseJson(text, 'a Pinboard export is JSON'));
    case 'delinkcious':
      return readDelinkcious(parseJson(text, 'a Delinkcious export is JSON'));
    case 'auto':
      if (looksLikeJson(text)) {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch (error) {
          throw new ValidationError(`${neither}: it starts like JSON but is not valid JSON (${(error as Error).message})`);
        }
        const detected = jsonFormat(json);
        if (detected === 'pinboard') return readPinboard(json);
        if (detected === 'delinkcious') return readDelinkcious(json);
        throw new ValidationError(`${neither}: it is JSON, but neither an array of bookmarks with "href" nor an object with "format": "delinkcious"`);
      }
      if (!looksLikeNetscape(text)) throw new ValidationError(neither);
      return readNetscape(text);
  }
}

/** The `format` of an import: one of bookmarkFormats or 'auto'; absent or '' is 'auto'. */
export function requireBookmarkFormat(value: unknown, field = 'format'): BookmarkFormat | 'auto' {
  if (value === undefined || value === null || value === '' || value === 'auto') return 'auto';
  if (typeof value === 'string' && (bookmarkFormats as readonly string[]).includes(value)) return value as BookmarkFormat;
  throw new ValidationError(`${field} must be one of auto, ${bookmarkFormats.join(', ')}`);
}

/** The `format` of an export: one of exportFormats; absent or '' is 'json' (the one that keeps everything). */
export function requireExportFormat(value: unknown, field = 'format'): ExportFormat {
  if (value === undefined || value === null || value === '') return 'json';
  if (typeof value === 'string' && (exportFormats as readonly string[]).includes(value)) return value as ExportFormat;
  throw new ValidationError(`${field} must be one of ${exportFormats.join(', ')}`);
}
