/**
 * One page of someone's links, filtered (docs/design.md §2): the query and the
 * answer GET /v1/links and GET /v1/users/{username}/links share, so the two
 * read the same filters by the same rules and answer the same shape.
 */
import type { FastifyRequest } from 'fastify';
import { linkToWire, pageLimit, type GetLinksRequest, type GetLinksResult } from '@delinkcious/object-model';
import { fieldsOf, optionalText } from '../inputs.ts';
import { linkSchema, pageAnswer, pageLimitInput, patternInput, startTokenInput, tagInput } from '../openapi.ts';

export const linkPageQuery = {
  type: 'object',
  properties: {
    url_regex: patternInput,
    title_regex: patternInput,
    description_regex: patternInput,
    tag: tagInput,
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
    tag: optionalText(fields, 'tag'),
    startToken: optionalText(fields, 'start_token'),
    // The request carries a number: the text is read by the one page-size rule.
    limit: pageLimit(optionalText(fields, 'limit')),
  };
}

export function linkPageToWire(page: GetLinksResult) {
  return { err: '', links: page.links.map(linkToWire), next_page_token: page.nextPageToken };
}
