/** What the readers answer and the writers take: the shapes shared by every format. */
import type { Link } from '@delinkcious/object-model';

/** The files one can import. */
export type BookmarkFormat = 'netscape' | 'pinboard' | 'delinkcious';
export const bookmarkFormats: readonly BookmarkFormat[] = ['netscape', 'pinboard', 'delinkcious'];

/**
 * One link read from a file, already checked against the link rules of object-model: `url` is an
 * http(s) URL in WHATWG serialisation, `title` at most limits.titleLength (cut, not rejected),
 * `description` at most limits.descriptionLength (cut), `tags` normalised (lower case, no repeats,
 * at most limits.tagsPerLink). A field the file does not say is undefined, so the importer can
 * apply its own default (e.g. the user's default_private, or "now").
 */
export interface ImportEntry {
  url: string;
  /** '' when the file has none (a bare URL): the importer decides (e.g. the URL itself). */
  title: string;
  description: string;
  tags: string[];
  private: boolean | undefined;
  unread: boolean | undefined;
  createdAt: Date | undefined;
  updatedAt: Date | undefined;
}

/** An entry of the file that is not imported, and why (e.g. "not an http or https URL: mailto"). */
export interface SkippedEntry {
  url: string;
  title: string;
  reason: string;
}

export interface ParsedFile {
  /** The format read (the one detected when asked for 'auto'). */
  format: BookmarkFormat;
  /** In file order; the same URL twice is kept once (the first), tags merged. */
  entries: ImportEntry[];
  skipped: SkippedEntry[];
}

/** The files one can export. */
export type ExportFormat = 'netscape' | 'json' | 'csv';
export const exportFormats: readonly ExportFormat[] = ['netscape', 'json', 'csv'];

/**
 * Writes an export a piece at a time, so a caller can stream any number of links:
 * head(), then link(l) for each link, then tail(); each answers text to send as is.
 */
export interface ExportWriter {
  format: ExportFormat;
  /** The Content-Type of the whole file, charset included. */
  contentType: string;
  /** The file name extension, without the dot: html, json, csv. */
  extension: string;
  head(): string;
  link(link: Link): string;
  tail(): string;
}

export interface ExportOptions {
  /** When the export was made (the JSON head's exported_at, the HTML title's comment); default now. */
  exportedAt?: Date;
  /**
   * writeExport: gather pieces until they reach this many characters before yielding them, so a
   * network stream gets a few large writes rather than one per link; 0 (default) yields each piece.
   */
  batchChars?: number;
}
