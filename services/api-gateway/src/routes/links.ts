/**
 * /v1/links: the caller's own links (docs/design.md §2). The owner is always the
 * authenticated user; a `username` in the input is ignored.
 */
import type { FastifyInstance } from 'fastify';
import { linkToWire, pageLimit, tagItems, type LinkManager } from '@delinkcious/object-model';
import { callerOf } from '../auth/hooks.ts';
import { fieldsOf, optionalText, requiredText } from '../inputs.ts';
import {
  bodyTypes,
  descriptionInput,
  errors,
  linkSchema,
  okBody,
  pageLimitInput,
  patternInput,
  security,
  tagInput,
  tagsInput,
  titleInput,
  urlInput,
} from '../openapi.ts';

const oneLink = { description: 'The link as saved', type: 'object', properties: { err: { type: 'string' }, link: linkSchema } };

export function registerLinkRoutes(v1: FastifyInstance, links: LinkManager): void {
  v1.get(
    '/links',
    {
      schema: {
        tags: ['links'],
        summary: 'Your links, newest first, filtered and paged',
        security,
        querystring: {
          type: 'object',
          properties: {
            url_regex: patternInput,
            title_regex: patternInput,
            description_regex: patternInput,
            tag: tagInput,
            start_token: { type: 'string', description: 'next_page_token of the previous page' },
            limit: pageLimitInput,
          },
        },
        response: {
          200: {
            description: 'A page of your links: {"err":"","links":[...],"next_page_token":""}',
            type: 'object',
            properties: {
              err: { type: 'string' },
              links: { type: 'array', items: linkSchema },
              next_page_token: { type: 'string', description: 'opaque; empty on the last page' },
            },
          },
          ...errors(400, 401, 429, 503),
        },
      },
    },
    async (request) => {
      const fields = fieldsOf(request);
      const result = await links.getLinks({
        username: callerOf(request).username,
        urlRegex: optionalText(fields, 'url_regex'),
        titleRegex: optionalText(fields, 'title_regex'),
        descriptionRegex: optionalText(fields, 'description_regex'),
        tag: optionalText(fields, 'tag'),
        startToken: optionalText(fields, 'start_token'),
        // The request carries a number: the text is read by the one page-size rule.
        limit: pageLimit(optionalText(fields, 'limit')),
      });
      return { err: '', links: result.links.map(linkToWire), next_page_token: result.nextPageToken };
    },
  );

  v1.post(
    '/links',
    {
      schema: {
        tags: ['links'],
        summary: 'Save a link (JSON body, form body or query string)',
        security,
        consumes: bodyTypes,
        body: {
          type: 'object',
          required: ['url', 'title'],
          properties: { url: urlInput, title: titleInput, description: descriptionInput, tags: tagsInput },
        },
        response: { 200: oneLink, ...errors(400, 401, 403, 409, 413, 429, 503) },
      },
    },
    async (request) => {
      const fields = fieldsOf(request);
      const link = await links.addLink({
        username: callerOf(request).username,
        url: optionalText(fields, 'url') ?? '',
        title: optionalText(fields, 'title') ?? '',
        description: optionalText(fields, 'description'),
        tags: tagItems(fields.tags, 'tags'),
      });
      // 200, not 201: the original answered 200 and its clients expect it.
      return { err: '', link: linkToWire(link) };
    },
  );

  v1.put(
    '/links',
    {
      schema: {
        tags: ['links'],
        summary: 'Change one of your links, found by its url',
        security,
        consumes: bodyTypes,
        body: {
          type: 'object',
          required: ['url'],
          properties: {
            url: { type: 'string', description: 'the URL the link has now' },
            new_url: { ...urlInput, description: 'moves the link; its status goes back to pending' },
            title: titleInput,
            description: descriptionInput,
            add_tags: tagsInput,
            remove_tags: tagsInput,
          },
        },
        response: { 200: oneLink, ...errors(400, 401, 404, 409, 413, 429, 503) },
      },
    },
    async (request) => {
      const fields = fieldsOf(request);
      const link = await links.updateLink({
        username: callerOf(request).username,
        url: requiredText(fields, 'url'),
        newUrl: optionalText(fields, 'new_url'),
        title: optionalText(fields, 'title'),
        description: optionalText(fields, 'description'),
        addTags: tagItems(fields.add_tags, 'add_tags'),
        removeTags: tagItems(fields.remove_tags, 'remove_tags'),
      });
      return { err: '', link: linkToWire(link) };
    },
  );

  v1.delete(
    '/links',
    {
      schema: {
        tags: ['links'],
        summary: 'Delete one of your links',
        security,
        querystring: { type: 'object', required: ['url'], properties: { url: { type: 'string' } } },
        response: { 200: okBody, ...errors(400, 401, 404, 429, 503) },
      },
    },
    async (request) => {
      await links.deleteLink(callerOf(request).username, requiredText(fieldsOf(request), 'url'));
      return { err: '' };
    },
  );
}
