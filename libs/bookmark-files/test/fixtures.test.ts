/** Each fixture imitates a real export with its quirks; the entries read from it are asserted exactly. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parseBookmarkFile, type ImportEntry, type ParsedFile, type SkippedEntry } from '../src/index.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`fixtures/${name}`, import.meta.url));
const seconds = (s: number): Date => new Date(s * 1000);

function entry(fields: Partial<ImportEntry> & { url: string; title: string }): ImportEntry {
  return {
    description: '',
    tags: [],
    private: undefined,
    unread: undefined,
    createdAt: undefined,
    updatedAt: undefined,
    ...fields,
  };
}

function expectFile(name: string, expected: { format: ParsedFile['format']; entries: ImportEntry[]; skipped: SkippedEntry[] }): void {
  const parsed = parseBookmarkFile(fixture(name), 'auto');
  assert.equal(parsed.format, expected.format);
  assert.deepEqual(parsed.entries, expected.entries);
  assert.deepEqual(parsed.skipped, expected.skipped);
}

describe('bookmark files from real exporters', () => {
  test('Firefox: folders become tags, the toolbar/menu/other/mobile containers do not; place: and javascript: are skipped', () => {
    expectFile('firefox.html', {
      format: 'netscape',
      entries: [
        entry({
          url: 'https://support.mozilla.org/en-US/products/firefox',
          title: 'Get Help',
          tags: ['mozilla-firefox'],
          createdAt: seconds(1600000001),
          updatedAt: seconds(1600000002),
        }),
        entry({
          // A URL with a space and angle brackets, stored as a browser encodes it.
          url: 'https://www.example.com/a%20b?q=%3Cx%3E',
          title: 'Spaces & brackets',
          description: 'A <b>description</b> with "entities" éé',
          tags: ['news', 'web-dev'],
          createdAt: seconds(1600000004),
          updatedAt: seconds(1600000005),
        }),
        // The toolbar folder's own <DD> describes the folder, not a link.
        entry({ url: 'https://developer.mozilla.org/', title: 'MDN Web Docs', createdAt: seconds(1600000010), updatedAt: seconds(1600000010) }),
        // ADD_DATE in microseconds.
        entry({
          url: 'https://bread.example/sourdough',
          title: 'Sourdough (microseconds)',
          tags: ['recipes', 'baking'],
          createdAt: seconds(1600000020),
          updatedAt: seconds(1600000021),
        }),
        // ADD_DATE in milliseconds; "Mobile Bookmarks" is a container.
        entry({ url: 'https://m.example.org/', title: 'Phone (milliseconds)', createdAt: seconds(1600000030), updatedAt: seconds(1600000031) }),
      ],
      skipped: [
        { url: 'place:parent=menu________&sort=14&maxResults=10', title: 'Recent Tags', reason: 'not an http or https URL (place)' },
        { url: 'javascript:void(document.title)', title: 'Bookmarklet', reason: 'not an http or https URL (javascript)' },
        { url: '', title: 'Empty href', reason: 'no URL' },
      ],
    });
  });

  test('Chrome: "Bookmarks bar" is a container, the same URL in two places is one entry with merged tags, IDN hosts are punycode', () => {
    expectFile('chrome.html', {
      format: 'netscape',
      entries: [
        entry({ url: 'https://news.ycombinator.com/', title: 'Hacker News', createdAt: seconds(1650000001) }),
        entry({ url: 'https://github.com/', title: 'GitHub', tags: ['work-stuff'], createdAt: seconds(1650000004) }),
        entry({ url: 'https://xn--bcher-kva.example/stra%C3%9Fe?%C3%A4=1', title: 'Bücher', createdAt: seconds(1650000006) }),
        entry({ url: 'https://example.net/from-phone', title: 'From my phone', createdAt: seconds(1650000011) }),
      ],
      skipped: [
        { url: 'chrome://settings/', title: 'Settings', reason: 'not an http or https URL (chrome)' },
        { url: 'data:text/html,<h1>hi</h1>', title: 'A data URL', reason: 'not an http or https URL (data)' },
      ],
    });
  });

  test('Safari: BOM, no outer list, no dates, Favorites is a container, Reading List links are unread', () => {
    expectFile('safari.html', {
      format: 'netscape',
      entries: [
        entry({ url: 'https://www.apple.com/', title: 'Apple' }),
        entry({ url: 'https://www.bbc.co.uk/news', title: 'BBC News', tags: ['news'] }),
        entry({
          url: 'https://longread.example/essay',
          title: 'An essay',
          description: 'The preview text Safari keeps for Reading List items',
          unread: true,
        }),
      ],
      skipped: [],
    });
  });

  test('Edge: "Favourites bar" and "Other favourites" are containers; a folder name with a comma is one tag', () => {
    expectFile('edge.html', {
      format: 'netscape',
      entries: [
        entry({ url: 'https://www.bing.com/', title: 'Bing', createdAt: seconds(1680000002) }),
        entry({ url: 'https://www.example.travel/lisbon', title: 'Lisbon', tags: ['travel-2023'], createdAt: seconds(1680000005) }),
        entry({ url: 'https://learn.microsoft.com/', title: 'Microsoft Learn', createdAt: seconds(1680000009) }),
      ],
      skipped: [{ url: 'edge://settings/', title: 'Settings', reason: 'not an http or https URL (edge)' }],
    });
  });

  test('Pinboard HTML: PRIVATE, TOREAD, TAGS, a multi-line <DD>, </DL></p>', () => {
    expectFile('pinboard.html', {
      format: 'netscape',
      entries: [
        entry({
          url: 'https://pinboard.in/howto/',
          title: 'Pinboard: how to',
          description: 'A description\nover two lines & an ampersand',
          tags: ['pinboard', 'help'],
          private: true,
          unread: true,
          createdAt: seconds(1388534400),
        }),
        entry({ url: 'https://idlewords.com/talks/', title: 'Talks', private: false, unread: false, createdAt: seconds(1388620800) }),
      ],
      skipped: [{ url: 'mailto:maciej@ceglowski.com', title: 'Mail Maciej', reason: 'not an http or https URL (mailto)' }],
    });
  });

  test('Pinboard JSON: shared/toread yes-no, space-separated tags, ISO times; a non-object item is skipped, not fatal', () => {
    expectFile('pinboard.json', {
      format: 'pinboard',
      entries: [
        entry({
          url: 'https://pinboard.in/howto/',
          title: 'Pinboard: how to',
          description: 'A description\nover two lines',
          tags: ['pinboard', 'help'],
          private: true,
          unread: true,
          createdAt: new Date('2014-01-01T00:00:00Z'),
        }),
        entry({ url: 'https://idlewords.com/talks/', title: 'Talks', private: false, unread: false, createdAt: new Date('2014-01-02T00:00:00Z') }),
        entry({
          url: 'https://example.com/tags',
          title: 'Odd tags',
          tags: ['mixed', 'case', 'via:someone'],
          private: false,
          unread: false,
          createdAt: new Date('2014-01-03T12:30:45Z'),
        }),
      ],
      skipped: [
        { url: 'mailto:maciej@ceglowski.com', title: 'Mail', reason: 'not an http or https URL (mailto)' },
        { url: '', title: '', reason: 'item 5 is not a bookmark object' },
      ],
    });
  });

  test('Shaarli: PRIVATE="0"/"1", a description with a blank line, a note with a relative permalink is skipped', () => {
    expectFile('shaarli.html', {
      format: 'netscape',
      entries: [
        entry({
          url: 'https://shaarli.readthedocs.io',
          title: 'Shaarli documentation',
          description: 'The personal, minimalist, super-fast, database free, bookmarking service.\n\nWith a blank line.',
          tags: ['shaarli', 'doc'],
          private: false,
          createdAt: seconds(1672574400),
          updatedAt: seconds(1672574500),
        }),
        entry({ url: 'https://example.org/private', title: 'A private link', private: true, createdAt: seconds(1672574700) }),
      ],
      skipped: [{ url: '?AbCdEf', title: 'Note: a note to self', reason: 'not a valid absolute URL' }],
    });
  });

  test('linkding: TOREAD and PRIVATE', () => {
    expectFile('linkding.html', {
      format: 'netscape',
      entries: [
        entry({
          url: 'https://linkding.link/',
          title: 'linkding',
          description: 'Self-hosted bookmark manager',
          tags: ['self-hosted', 'bookmarks'],
          private: false,
          unread: false,
          createdAt: seconds(1700000000),
          updatedAt: seconds(1700000100),
        }),
        entry({
          url: 'https://example.com/unread',
          title: 'Read me later',
          private: true,
          unread: true,
          createdAt: seconds(1700000200),
          updatedAt: seconds(1700000200),
        }),
      ],
      skipped: [],
    });
  });

  test('sloppy HTML: BOM, lower-case doctype, unclosed <dt>/<a>/<p>, <br> in <dd>, junk dates, a trailing script', () => {
    expectFile('sloppy.html', {
      format: 'netscape',
      entries: [
        entry({ url: 'https://example.com/padded', title: 'Title over lines', createdAt: seconds(1500000000) }),
        entry({ url: 'https://example.com/unclosed', title: 'Unclosed anchor', tags: ['dev-&-ops'], createdAt: seconds(1500000001) }),
        entry({ url: 'https://example.com/after', title: 'After', description: 'Description with a\nbreak', tags: ['dev-&-ops'] }),
        entry({ url: 'https://example.com/nodate', title: 'No date', tags: ['dev-&-ops'] }),
        // TAGS="A,a, b ,,": lower-cased, trimmed, without repeats or empties. The link inside <script> is not one.
        entry({ url: 'https://example.com/outside', title: 'Outside', tags: ['a', 'b'] }),
      ],
      skipped: [{ url: '', title: 'No href at all', reason: 'no URL' }],
    });
  });

  test('no doctype at all: a <DL> of links is enough', () => {
    expectFile('no-doctype.html', {
      format: 'netscape',
      entries: [entry({ url: 'https://example.com/one', title: 'One', createdAt: seconds(1500000000) })],
      skipped: [],
    });
  });
});
