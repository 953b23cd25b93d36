/**
 * Pinboard's answers, in its element and field names: XML by default, JSON
 * with `format=json`. Each answer is built once as data and written in the
 * format asked for.
 */
import { createHash } from 'node:crypto';
import type { Link } from '@delinkcious/object-model';
import { pinboardTime, type Format } from './params.ts';
import { element, xmlDocument } from './xml.ts';

export interface Answer {
  /** The body, already written. */
  body: string;
  type: string;
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/** Pinboard's `hash`: the MD5 of the URL. */
export const urlHash = (url: string) => md5(url);

/** Pinboard's `meta`: a signature of the post's fields, which changes whenever the post does. */
export function metaOf(link: Link): string {
  return md5(JSON.stringify([link.url, link.title, link.description, link.tags, link.private, link.unread, link.createdAt.getTime()]));
}

const yesNo = (value: boolean) => (value ? 'yes' : 'no');

interface PostFields {
  href: string;
  description: string;
  extended: string;
  meta: string;
  hash: string;
  time: string;
  shared: string;
  toread: string;
  tags: string;
}

function postFields(link: Link): PostFields {
  return {
    href: link.url,
    description: link.title,
    extended: link.description,
    meta: metaOf(link),
    hash: urlHash(link.url),
    time: pinboardTime(link.createdAt),
    shared: yesNo(!link.private),
    toread: yesNo(link.unread),
    tags: link.tags.join(' '),
  };
}

/** In XML a post's tags are the attribute `tag`; in JSON the field `tags`. */
function postElement(link: Link): string {
  const { href, description, extended, tags, hash, meta, time, shared, toread } = postFields(link);
  return element('post', { href, description, extended, tag: tags, hash, meta, time, shared, toread });
}

const json = (data: unknown): Answer => ({ body: JSON.stringify(data), type: 'application/json; charset=utf-8' });
const xml = (root: string): Answer => ({ body: xmlDocument(root), type: 'text/xml; charset=utf-8' });

/** `<result code="done" />` / `{"result_code":"done"}`: posts/add and posts/delete. */
export function resultCode(format: Format, code: string): Answer {
  return format === 'json' ? json({ result_code: code }) : xml(element('result', { code }));
}

/** `<result>done</result>` / `{"result":"done"}`: tags/delete, tags/rename, user/secret, user/api_token. */
export function result(format: Format, text: string): Answer {
  return format === 'json' ? json({ result: text }) : xml(element('result', {}, { text }));
}

export function updateTime(format: Format, time: Date): Answer {
  return format === 'json' ? json({ update_time: pinboardTime(time) }) : xml(element('update', { time: pinboardTime(time) }));
}

/**
 * posts/get and posts/recent: `<posts user dt tag>` / `{"date","user","posts"}`.
 * `dt` is the day asked about (posts/get) or the newest post's time (posts/recent).
 */
export function posts(format: Format, options: { user: string; dt: string; date: string; tag: string; links: Link[] }): Answer {
  if (format === 'json') return json({ date: options.date, user: options.user, posts: options.links.map(postFields) });
  return xml(element('posts', { user: options.user, dt: options.dt, tag: options.tag }, { children: options.links.map(postElement) }));
}

/** posts/all: `<posts user tag>` / a JSON array of posts. */
export function allPosts(format: Format, options: { user: string; tag: string; links: Link[] }): Answer {
  if (format === 'json') return json(options.links.map(postFields));
  return xml(element('posts', { user: options.user, tag: options.tag }, { children: options.links.map(postElement) }));
}

/** posts/dates: counts are text in Pinboard's JSON. */
export function dates(format: Format, options: { user: string; tag: string; counts: Array<[string, number]> }): Answer {
  if (format === 'json') {
    return json({ user: options.user, tag: options.tag, dates: Object.fromEntries(options.counts.map(([day, count]) => [day, String(count)])) });
  }
  const children = options.counts.map(([date, count]) => element('date', { count, date }));
  return xml(element('dates', { user: options.user, tag: options.tag }, { children }));
}

/** tags/get: `<tags><tag count tag/></tags>` / `{"tag":"count"}` (text, as Pinboard's JSON has them). */
export function tags(format: Format, counts: Array<{ tag: string; count: number }>): Answer {
  if (format === 'json') return json(Object.fromEntries(counts.map(({ tag, count }) => [tag, String(count)])));
  return xml(element('tags', {}, { children: counts.map(({ tag, count }) => element('tag', { count, tag })) }));
}

/** posts/suggest: `<suggested><popular>…</popular><recommended>…</recommended></suggested>` / `[{"popular":[…]},{"recommended":[…]}]`. */
export function suggested(format: Format, popular: string[], recommended: string[]): Answer {
  if (format === 'json') return json([{ popular }, { recommended }]);
  const children = [...popular.map((text) => element('popular', {}, { text })), ...recommended.map((text) => element('recommended', {}, { text }))];
  return xml(element('suggested', {}, { children }));
}

/** notes/list: Delinkcious keeps no notes. */
export function noNotes(format: Format): Answer {
  return format === 'json' ? json({ count: 0, notes: [] }) : xml(element('notes', { count: 0 }, { children: [] }));
}
