/**
 * The Netscape bookmark file (NETSCAPE-Bookmark-file-1), as browsers and bookmark services
 * write it: `<DL>` lists of `<DT><A HREF …>title</A>` links and `<DT><H3>folder</H3><DL>…</DL>`
 * folders, a `<DD>` after a link being its description. Read with htmlparser2's tolerant
 * tokenizer (never regular expressions): real files leave `<DT>` and `<p>` unclosed, carry BOMs,
 * lower-case or missing doctypes and trailing scripts.
 */
import { Parser } from 'htmlparser2';
import { ValidationError } from '@delinkcious/object-model';
import { EntryCollector, tagFromName } from './entry.ts';
import type { ParsedFile } from './types.ts';

/**
 * The browsers' own top-level containers: their names are not the user's tags. Compared after
 * tagFromName ("Bookmarks Toolbar" → "bookmarks-toolbar"). Folders marked
 * PERSONAL_TOOLBAR_FOLDER or UNFILED_BOOKMARKS_FOLDER are containers whatever their name
 * (browsers translate it).
 */
export const containerFolders: ReadonlySet<string> = new Set([
  'bookmarks-toolbar', // Firefox
  'bookmarks-menu', // Firefox
  'other-bookmarks', // Firefox, Chrome, Edge
  'mobile-bookmarks', // Firefox, Chrome
  'bookmarks-bar', // Chrome
  'bookmarksbar', // Safari
  'bookmarksmenu', // Safari
  'bookmarks', // the H1 title some tools repeat as a folder
  'favorites', // Safari, Internet Explorer
  'favorites-bar', // Edge
  'favourites-bar', // Edge, British English
  'other-favorites', // Edge
  'other-favourites', // Edge, British English
  'reading-list', // Safari (its links are marked unread)
]);

/** Safari's Reading List folder: links in it are unread. */
const readingListFolder = 'reading-list';

/** A folder level: the tag it gives (undefined for containers and the root) and whether it marks links unread. */
interface Folder {
  tag: string | undefined;
  unread: boolean;
}

/** An <A> being read (its text is the title), then, once closed, waiting for a <DD> description. */
interface OpenLink {
  attributes: Record<string, string>;
  title: string;
  unread: boolean | undefined;
  tags: string[];
  description: string;
}

interface PendingFolder {
  attributes: Record<string, string>;
  name: string;
}

/** ADD_DATE and LAST_MODIFIED: seconds (the format's unit), but some tools wrote milliseconds or microseconds. */
export function timestamp(value: string | undefined): Date | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value.trim());
  if (!Number.isFinite(n) || n <= 0) return undefined;
  // 1e11 seconds is the year 5138, and 1e11 milliseconds 1973: a value past it is in a finer unit.
  if (n < 1e11) return new Date(Math.round(n * 1000));
  if (n < 1e14) return new Date(Math.round(n));
  if (n < 1e17) return new Date(Math.round(n / 1000));
  return undefined;
}

function flag(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const text = value.trim().toLowerCase();
  if (text === '1' || text === 'true' || text === 'yes') return true;
  if (text === '0' || text === 'false' || text === 'no' || text === '') return false;
  return undefined;
}

/** Reads the text of a Netscape bookmark file; ValidationError when it has neither a <DL> list nor a link. */
export function readNetscape(text: string): ParsedFile {
  const collector = new EntryCollector();
  const folders: Folder[] = [];
  let sawList = false;
  let sawLink = false;
  let folder: PendingFolder | undefined; // an <H3> being read, or read and waiting for its <DL>
  let readingFolderName = false;
  let link: OpenLink | undefined; // inside its <A>
  let described: OpenLink | undefined; // after its </A>
  let readingDescription = false;

  const finishLink = (): void => {
    // An <A> never closed (the next link or the list's end closes it) still counts.
    if (link) {
      described = link;
      link = undefined;
    }
    if (!described) return;
    const attributes = described.attributes;
    collector.add({
      url: attributes.href ?? '',
      title: described.title,
      // The text runs to the next tag, the line break before it included: trimmed.
      description: described.description.trim(),
      tags: described.tags,
      private: flag(attributes.private),
      unread: described.unread,
      createdAt: timestamp(attributes.add_date),
      updatedAt: timestamp(attributes.last_modified),
    });
    described = undefined;
    readingDescription = false;
  };

  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (readingDescription && name !== 'br') readingDescription = false;
        switch (name) {
          case 'dl': {
            finishLink();
            sawList = true;
            const tag = folder ? tagFromName(folder.name) : undefined;
            const container =
              tag === undefined ||
              tag === '' ||
              containerFolders.has(tag) ||
              folder?.attributes.personal_toolbar_folder === 'true' ||
              folder?.attributes.unfiled_bookmarks_folder === 'true';
            const parentUnread = folders.some((level) => level.unread);
            const readingList = tag === readingListFolder || folder?.attributes.id === 'com.apple.ReadingList';
            folders.push({ tag: container ? undefined : tag, unread: parentUnread || readingList });
            folder = undefined;
            break;
          }
          case 'dt':
            finishLink();
            folder = undefined;
            break;
          case 'h3':
            finishLink();
            folder = { attributes, name: '' };
            readingFolderName = true;
            break;
          case 'a': {
            finishLink();
            sawLink = true;
            const unread = flag(attributes.toread) ?? (folders.some((level) => level.unread) ? true : undefined);
            const folderTags = folders.flatMap((level) => (level.tag ? [level.tag] : []));
            link = { attributes, title: '', unread, tags: [...folderTags, ...(attributes.tags ?? '').split(',')], description: '' };
            break;
          }
          case 'dd':
            if (described) readingDescription = true;
            break;
          case 'br':
            if (readingDescription && described) described.description += '\n';
            break;
        }
      },
      ontext(data) {
        if (link) link.title += data;
        else if (readingFolderName && folder) folder.name += data;
        else if (readingDescription && described) described.description += data;
      },
      onclosetag(name) {
        switch (name) {
          case 'a':
            if (link) {
              described = link;
              link = undefined;
            }
            break;
          case 'h3':
            readingFolderName = false;
            break;
          case 'dd':
            readingDescription = false;
            break;
          case 'dl':
            finishLink();
            folders.pop();
            break;
        }
      },
      onprocessinginstruction(name, data) {
        // The doctype: `<!DOCTYPE NETSCAPE-Bookmark-file-1>` marks the format even when the file has no list.
        if (name.toLowerCase() === '!doctype' && /netscape-bookmark-file/i.test(data)) sawList = true;
      },
    },
    { lowerCaseTags: true, lowerCaseAttributeNames: true, decodeEntities: true, recognizeSelfClosing: false },
  );
  parser.write(text);
  parser.end();
  finishLink();

  if (!sawList && !sawLink) {
    throw new ValidationError('the file is not a Netscape bookmark file: it has no <DL> list and no <A HREF> link');
  }
  return { format: 'netscape', entries: collector.entries, skipped: collector.skipped };
}

/** Whether the start of `text` looks like a Netscape bookmark file (its doctype, a <DL> or an <A HREF>). */
export function looksLikeNetscape(text: string): boolean {
  let found = false;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name === 'dl' || (name === 'a' && attributes.href !== undefined)) found = true;
      },
      onprocessinginstruction(name, data) {
        if (name.toLowerCase() === '!doctype' && /netscape-bookmark-file/i.test(data)) found = true;
      },
    },
    { lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  // The markers come early in any bookmark file: no need to tokenise megabytes to find them.
  parser.write(text.slice(0, 64 * 1024));
  parser.end();
  return found;
}
