/**
 * Bookmark files: reading and writing the formats people move their links in (issue 15).
 * Pure: reads a string or Buffer, writes text pieces; no other I/O.
 *
 *   parseBookmarkFile(file, 'auto')            → { format, entries, skipped } (ValidationError if unreadable)
 *   detectFormat(text)                         → 'netscape' | 'pinboard' | 'delinkcious' | undefined
 *   exportWriter('netscape' | 'json' | 'csv')  → { contentType, extension, head(), link(l), tail() }
 *   writeExport(format, links)                 → AsyncIterable<string> over an (async) iterable of links
 *   allLinks(linkManager, username)            → AsyncIterable<Link>, a page at a time
 */
export type {
  BookmarkFormat,
  ExportFormat,
  ExportOptions,
  ExportWriter,
  ImportEntry,
  ParsedFile,
  SkippedEntry,
} from './types.ts';
export { bookmarkFormats, exportFormats } from './types.ts';
export { detectFormat, parseBookmarkFile, requireBookmarkFormat, requireExportFormat } from './parse.ts';
export { exportFileName, exportWriter, writeExport } from './write.ts';
export { allLinks } from './pages.ts';
