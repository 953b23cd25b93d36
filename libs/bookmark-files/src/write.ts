/**
 * Writing an export a piece at a time (head, each link, tail), so a caller streams any number
 * of links without holding them.
 */
import { linkToWire, type Link } from '@delinkcious/object-model';
import type { ExportFormat, ExportOptions, ExportWriter } from './types.ts';
import { delinkciousFormatVersion } from './json-readers.ts';

/** HTML text and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);

function netscapeWriter(exportedAt: Date): ExportWriter {
  return {
    format: 'netscape',
    contentType: 'text/html; charset=utf-8',
    extension: 'html',
    head: () =>
      [
        '<!DOCTYPE NETSCAPE-Bookmark-file-1>',
        '<!-- This is an automatically generated file.',
        '     It will be read and overwritten.',
        '     DO NOT EDIT! -->',
        '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">',
        `<!-- Delinkcious export, ${exportedAt.toISOString()} -->`,
        '<TITLE>Bookmarks</TITLE>',
        '<H1>Bookmarks</H1>',
        '<DL><p>',
        '',
      ].join('\n'),
    link(link) {
      const attributes = [
        `HREF="${escapeHtml(link.url)}"`,
        `ADD_DATE="${seconds(link.createdAt)}"`,
        `LAST_MODIFIED="${seconds(link.updatedAt)}"`,
        `PRIVATE="${link.private ? 1 : 0}"`,
        `TAGS="${escapeHtml(link.tags.join(','))}"`,
        `TOREAD="${link.unread ? 1 : 0}"`,
      ];
      const description = link.description.trim() === '' ? '' : `<DD>${escapeHtml(link.description)}\n`;
      return `<DT><A ${attributes.join(' ')}>${escapeHtml(link.title)}</A>\n${description}`;
    },
    tail: () => '</DL><p>\n',
  };
}

function jsonWriter(exportedAt: Date): ExportWriter {
  let first = true;
  return {
    format: 'json',
    contentType: 'application/json; charset=utf-8',
    extension: 'json',
    head: () =>
      `{"format":"delinkcious","version":${delinkciousFormatVersion},"exported_at":${JSON.stringify(exportedAt.toISOString())},"links":[`,
    link(link) {
      const piece = `${first ? '\n' : ',\n'}${JSON.stringify(linkToWire(link))}`;
      first = false;
      return piece;
    },
    tail: () => '\n]}\n',
  };
}

/** The CSV columns: [header, LINK wire field]; the fields a server lacks are empty cells. */
const csvColumns: readonly (readonly [string, string])[] = [
  ['url', 'Url'],
  ['title', 'Title'],
  ['description', 'Description'],
  ['tags', 'Tags'],
  ['private', 'Private'],
  ['unread', 'Unread'],
  ['status', 'Status'],
  ['created_at', 'CreatedAt'],
  ['updated_at', 'UpdatedAt'],
  ['checked_at', 'CheckedAt'],
  ['http_status', 'HttpStatus'],
  ['check_error', 'CheckError'],
  ['invalid_since', 'InvalidSince'],
  ['archive_url', 'ArchiveUrl'],
  ['favicon_url', 'FaviconUrl'],
];

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes doubled.
 * A cell starting with = + - @ (or tab, carriage return) gets a leading ' so a spreadsheet shows it
 * as text instead of running it as a formula (CSV injection, OWASP).
 */
export function csvCell(value: unknown): string {
  let text =
    value === undefined || value === null ? '' : typeof value === 'object' ? Object.keys(value).join(' ') : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvWriter(): ExportWriter {
  return {
    format: 'csv',
    contentType: 'text/csv; charset=utf-8; header=present',
    extension: 'csv',
    head: () => `${csvColumns.map(([header]) => header).join(',')}\r\n`,
    link(link) {
      const wire = linkToWire(link) as unknown as Record<string, unknown>;
      return `${csvColumns.map(([, field]) => csvCell(wire[field])).join(',')}\r\n`;
    },
    tail: () => '',
  };
}

/** A writer for one export; JSON writers keep state (the comma between links): one per export. */
export function exportWriter(format: ExportFormat, options: ExportOptions = {}): ExportWriter {
  const exportedAt = options.exportedAt ?? new Date();
  switch (format) {
    case 'netscape':
      return netscapeWriter(exportedAt);
    case 'json':
      return jsonWriter(exportedAt);
    case 'csv':
      return csvWriter();
  }
}

/** The whole export as text pieces, pulling links one at a time from `links` (batched: ExportOptions.batchChars). */
export async function* writeExport(
  format: ExportFormat,
  links: AsyncIterable<Link> | Iterable<Link>,
  options: ExportOptions = {},
): AsyncGenerator<string> {
  const writer = exportWriter(format, options);
  const batchChars = options.batchChars ?? 0;
  let batch = writer.head();
  if (batch.length >= batchChars) {
    yield batch;
    batch = '';
  }
  for await (const link of links) {
    batch += writer.link(link);
    if (batch.length >= batchChars) {
      yield batch;
      batch = '';
    }
  }
  batch += writer.tail();
  if (batch !== '') yield batch;
}

/** `delinkcious-<user>-<YYYY-MM-DD>.<ext>`: usernames are letters, digits and hyphens, safe in a header. */
export function exportFileName(username: string, format: ExportFormat, date: Date = new Date()): string {
  const extension = format === 'netscape' ? 'html' : format;
  return `delinkcious-${username}-${date.toISOString().slice(0, 10)}.${extension}`;
}
