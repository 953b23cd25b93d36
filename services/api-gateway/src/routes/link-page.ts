/**
 * One page of someone's links, filtered (docs/design.md §2): the query and the
 * answer GET /v1/links and GET /v1/users/{username}/links share, so the two
 * read the same filters by the same rules and answer the same shape.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isImmutable } from '@delinkcious/kit';
import { ValidationError, limits, linkToWire, pageLimit, type GetLinksRequest, type GetLinksResult } from '@delinkcious/object-model';
import { fieldsOf, optionalText, type Fields } from '../inputs.ts';
import { linkSchema, pageAnswer, pageLimitInput, patternInput, searchQueryInput, searchSortInput, startTokenInput } from '../openapi.ts';

export const linkPageQuery = {
  type: 'object',
  properties: {
    url_regex: patternInput,
    title_regex: patternInput,
    description_regex: patternInput,
    // A repeated tag arrives as a list (and one as a list of one): links with all of them, as `a,b`.
    tag: { type: 'array', maxItems: limits.tagsPerLink, items: { type: 'string' }, description: 'links with all of these tags: repeated, or a,b' },
    q: searchQueryInput,
    sort: searchSortInput,
    start_token: startTokenInput,
    limit: pageLimitInput,
  },
};

/** The 200 answer's schema; `whose` says whose links the page holds. */
export function linkPageAnswer(whose: string) {
  return pageAnswer('links', linkSchema, `A page of ${whose} links`);
}

/** The page `username`'s links the request asks for. */
export function linkPageRequest(request: FastifyRequest, username: string): GetLinksRequest {
  const fields = fieldsOf(request);
  return {
    username,
    urlRegex: optionalText(fields, 'url_regex'),
    titleRegex: optionalText(fields, 'title_regex'),
    descriptionRegex: optionalText(fields, 'description_regex'),
    tags: textList(fields, 'tag'),
    q: optionalText(fields, 'q'),
    sort: optionalText(fields, 'sort'),
    startToken: optionalText(fields, 'start_token'),
    // The request carries a number: the text is read by the one page-size rule.
    limit: pageLimit(optionalText(fields, 'limit')),
  };
}

/** A field given once or more (a list from the query string, text or a list from a body). */
function textList(fields: Fields, name: string): string[] | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  const values = Array.isArray(value) ? value : [value];
  if (values.some((item) => typeof item !== 'string')) throw new ValidationError(`${name} must be text`);
  return values as string[];
}

/** Pages written, by the page: an immutable one (embedded, a listing link-service keeps) is the same page every time. */
const writtenPages = new WeakMap<GetLinksResult, Buffer>();

/**
 * Sends `page` as the 200 answer. An immutable page is written once and its bytes kept with it
 * (docs/design.md §13), as UTF-8 so no write encodes them again: a page read again, as long as
 * link-service keeps its listing, costs no conversion or JSON; any other page is written each time.
 */
export function sendLinkPage(reply: FastifyReply, page: GetLinksResult): FastifyReply {
  reply.type('application/json; charset=utf-8');
  const kept = writtenPages.get(page);
  if (kept) return reply.send(kept);
  const json = JSON.stringify({ err: '', links: page.links.map(linkToWire), next_page_token: page.nextPageToken });
  if (!isImmutable(page)) return reply.send(json);
  const bytes = Buffer.from(json);
  writtenPages.set(page, bytes);
  return reply.send(bytes);
}
