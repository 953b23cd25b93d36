/**
 * /v1/links: the caller's own links (docs/design.md §2). The owner is always the
 * authenticated user; a `username` in the input is ignored.
 */
import type { FastifyInstance } from 'fastify';
import { LinkClient } from '@delinkcious/clients';
import { linkToWire, optionalFlag, tagItems, type LinkManager, type UserManager } from '@delinkcious/object-model';
import { callerOf } from '../auth/hooks.ts';
import { fieldsOf, optionalText, requiredText } from '../inputs.ts';
import { linkPageAnswer, linkPageQuery, linkPageRequest, sendLinkPage } from './link-page.ts';
import {
  bodyTypes,
  descriptionInput,
  errors,
  linkSchema,
  okBody,
  privateInput,
  security,
  tagsInput,
  titleInput,
  urlInput,
} from '../openapi.ts';

const oneLink = { description: 'The link as saved', type: 'object', properties: { err: { type: 'string' }, link: linkSchema } };

/**
 * `users` is asked for the caller's default_private only when a new link's
 * request does not say `private` (the web UI always does): no extra call otherwise.
 */
export function registerLinkRoutes(v1: FastifyInstance, links: LinkManager, users: Pick<UserManager, 'getSettings'>): void {
  const pages = links instanceof LinkClient ? links : undefined;
  v1.get(
    '/links',
    {
      schema: {
        tags: ['links'],
        summary: 'Your links, newest first, filtered and paged',
        security,
        querystring: linkPageQuery,
        response: {
          200: linkPageAnswer('your'),
          ...errors(400, 401, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const page = linkPageRequest(request, callerOf(request).username);
      // Over HTTP, link-service's answer is this answer already: forwarded, not parsed and written again.
      if (pages) return reply.type('application/json; charset=utf-8').send(await pages.getLinksPage(page));
      return sendLinkPage(reply, await links.getLinks(page));
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
          required: ['url'],
          properties: {
            url: urlInput,
            title: { ...titleInput, description: "optional: absent or '', the page's title fills it in once the link is checked" },
            description: descriptionInput,
            tags: tagsInput,
            private: { ...privateInput, description: `${privateInput.description}; absent: your default_private setting` },
            unread: { ...privateInput, description: `${privateInput.description}; read later (absent: read)` },
          },
        },
        response: { 200: oneLink, ...errors(400, 401, 403, 409, 413, 429, 503) },
      },
    },
    async (request) => {
      const fields = fieldsOf(request);
      const username = callerOf(request).username;
      const isPrivate = optionalFlag(fields.private, 'private') ?? (await users.getSettings(username)).defaultPrivate;
      const link = await links.addLink({
        username,
        url: optionalText(fields, 'url') ?? '',
        title: optionalText(fields, 'title') ?? '',
        description: optionalText(fields, 'description'),
        tags: tagItems(fields.tags, 'tags'),
        private: isPrivate,
        unread: optionalFlag(fields.unread, 'unread'),
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
            private: { ...privateInput, description: `${privateInput.description}; making a link private retracts it from followers' news` },
            unread: { ...privateInput, description: `${privateInput.description}; read later, or read (tells nobody)` },
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
        private: optionalFlag(fields.private, 'private'),
        unread: optionalFlag(fields.unread, 'unread'),
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
