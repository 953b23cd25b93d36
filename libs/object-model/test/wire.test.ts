/** linkToWire and linkFromWire: the LINK object as the original Delinkcious put it on the wire. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Link } from '../src/link.ts';
import { linkFromWire, linkToWire } from '../src/wire.ts';

const link: Link = {
  url: 'https://example.com/a',
  title: 'A',
  description: 'about a',
  status: 'invalid',
  tags: ['go', '__proto__', 'constructor', 'toString'],
  private: true,
  savedBy: 2,
  unread: true,
  createdAt: new Date('2026-01-02T03:04:05.006Z'),
  updatedAt: new Date('2026-02-03T04:05:06.007Z'),
  checkedAt: new Date('2026-03-04T05:06:07.008Z'),
  httpStatus: 404,
  checkError: '404 Not Found',
  invalidSince: new Date('2026-03-04T05:06:07.008Z'),
  archiveUrl: 'https://web.archive.org/web/2026/https://example.com/a',
  faviconUrl: 'https://example.com/favicon.ico',
};

test('a link goes on the wire with its times as RFC 3339 text and its tags as a set, every tag a key', () => {
  assert.equal(
    JSON.stringify(linkToWire(link)),
    JSON.stringify({
      Url: 'https://example.com/a',
      Title: 'A',
      Description: 'about a',
      Status: 'invalid',
      Tags: JSON.parse('{"go":true,"__proto__":true,"constructor":true,"toString":true}'),
      Private: true,
      SavedBy: 2,
      Unread: true,
      CreatedAt: '2026-01-02T03:04:05.006Z',
      UpdatedAt: '2026-02-03T04:05:06.007Z',
      CheckedAt: '2026-03-04T05:06:07.008Z',
      HttpStatus: 404,
      CheckError: '404 Not Found',
      InvalidSince: '2026-03-04T05:06:07.008Z',
      ArchiveUrl: 'https://web.archive.org/web/2026/https://example.com/a',
      FaviconUrl: 'https://example.com/favicon.ico',
    }),
  );
  assert.equal(Object.getPrototypeOf(linkToWire(link).Tags), Object.prototype, 'a tag named __proto__ does not replace the prototype');
});

test('a pending link has no check times; the wire and back gives the same link', () => {
  const pending: Link = { ...link, status: 'pending', checkedAt: null, invalidSince: null, httpStatus: 0, checkError: '' };
  const wire = linkToWire(pending);
  assert.equal(wire.CheckedAt, null);
  assert.equal(wire.InvalidSince, null);
  assert.deepEqual(linkFromWire(JSON.parse(JSON.stringify(wire))), pending);
  assert.deepEqual(linkFromWire(JSON.parse(JSON.stringify(linkToWire(link)))), link);
});
