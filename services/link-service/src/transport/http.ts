/**
 * link-service's internal HTTP API (docs/design.md §3), the original's routes.
 * Both spellings of each query parameter are accepted (the original gateway
 * and Go client disagreed). Body fields are matched as the original's Go
 * decoder matched them (exactly, else ignoring case), plus snake_case; the
 * original Go client's requests (untyped JSON bodies, on GET and DELETE too)
 * are read as they are.
 */
import type { FastifyInstance } from 'fastify';
import { fieldOf, type Fields } from '@delinkcious/kit';
import { ValidationError, linkToWire, popularToWire, type BulkAction, type GetLinksRequest, type LinkManager } from '@delinkcious/object-model';

function text(fields: Fields, ...names: string[]): string | undefined {
  const value = fieldOf(fields, ...names);
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) throw new ValidationError(`${names.at(-1)!.toLowerCase()} was given more than once`);
  if (typeof value !== 'string') throw new ValidationError(`${names.at(-1)!.toLowerCase()} must be text`);
  return value;
}

function limitOf(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value)) throw new ValidationError('limit must be a whole number');
  return Number(value);
}

function bodyOf(body: unknown): Fields {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ValidationError('request body must be a JSON object');
  return body as Fields;
}

/** Tags and bulk edits (docs/design.md §15): the manager checks every value. */
function registerOrganizeRoutes(server: FastifyInstance, manager: LinkManager): void {
  server.get('/tags', async (request) => {
    const query = request.query as Fields;
    const tags = await manager.getTags({ username: text(query, 'username') ?? '', q: text(query, 'q'), limit: limitOf(text(query, 'limit')) });
    return { err: '', tags };
  });

  server.put('/tags', async (request) => {
    const body = bodyOf(request.body);
    return { err: '', changed: await manager.renameTag(text(body, 'Username') ?? '', text(body, 'Tag') ?? '', text(body, 'NewTag', 'new_tag') ?? '') };
  });

  server.delete('/tags', async (request) => {
    const query = request.query as Fields;
    return { err: '', changed: await manager.deleteTag(text(query, 'username') ?? '', text(query, 'tag') ?? '') };
  });

  server.post('/links/bulk', async (request) => {
    const body = bodyOf(request.body);
    const changed = await manager.bulkEdit({
      username: text(body, 'Username') ?? '',
      action: fieldOf(body, 'Action') as BulkAction,
      urls: fieldOf(body, 'Urls') as string[] | undefined,
      q: fieldOf(body, 'Q') as string | undefined,
      tags: fieldOf(body, 'Tags') as string[] | undefined,
    });
    return { err: '', changed };
  });
}

function getLinksRequest(query: Fields): GetLinksRequest {
  return {
    username: text(query, 'username') ?? '',
    urlRegex: text(query, 'url_regex', 'url'),
    titleRegex: text(query, 'title_regex', 'title'),
    descriptionRegex: text(query, 'description_regex', 'description'),
    // A repeated tag (several links' worth of `tag=`) means all of them, as `tag=a,b` does.
    tags: textList(query, 'tag'),
    q: text(query, 'q'),
    sort: text(query, 'sort'),
    startToken: text(query, 'start_token', 'start'),
    limit: limitOf(text(query, 'limit')),
  };
}

/** A parameter that may be given more than once: each value must be text. */
function textList(fields: Fields, name: string): string[] | undefined {
  const value = fieldOf(fields, name);
  if (value === undefined || value === null) return undefined;
  const values = Array.isArray(value) ? value : [value];
  if (values.some((item) => typeof item !== 'string')) throw new ValidationError(`${name} must be text`);
  return values as string[];
}

export function registerLinkRoutes(server: FastifyInstance, manager: LinkManager): void {
  server.get('/links', async (request) => {
    const result = await manager.getLinks(getLinksRequest(request.query as Fields));
    return { err: '', links: result.links.map(linkToWire), next_page_token: result.nextPageToken };
  });

  server.get('/public-links', async (request) => {
    const result = await manager.getPublicLinks(getLinksRequest(request.query as Fields));
    return { err: '', links: result.links.map(linkToWire), next_page_token: result.nextPageToken };
  });

  server.get('/public-links/count', async (request) => {
    return { err: '', count: await manager.countPublicLinks(text(request.query as Fields, 'username') ?? '') };
  });

  // Pinboard's posts/update and posts/dates (docs/design.md §20): a kept time, one GROUP BY.
  server.get('/links/last-change', async (request) => {
    const at = await manager.lastChange(text(request.query as Fields, 'username') ?? '');
    return { err: '', changed_at: at ? at.toISOString() : null };
  });

  server.get('/links/dates', async (request) => {
    const query = request.query as Fields;
    return { err: '', dates: await manager.linkDates({ username: text(query, 'username') ?? '', tags: textList(query, 'tag') }) };
  });

  server.post('/popular', async (request) => {
    const body = bodyOf(request.body);
    const usernames = fieldOf(body, 'usernames');
    if (!Array.isArray(usernames) || usernames.some((name) => typeof name !== 'string')) {
      throw new ValidationError('usernames must be a list of usernames');
    }
    const links = await manager.getPopular({
      usernames: usernames as string[],
      days: fieldOf(body, 'days') as number,
      limit: fieldOf(body, 'limit') as number | undefined,
    });
    return { err: '', links: links.map(popularToWire) };
  });

  server.post('/links', async (request) => {
    const body = bodyOf(request.body);
    const link = await manager.addLink({
      username: text(body, 'Username') ?? '',
      url: text(body, 'Url') ?? '',
      title: text(body, 'Title') ?? '',
      description: text(body, 'Description'),
      tags: fieldOf(body, 'Tags') as string[] | undefined,
      private: fieldOf(body, 'Private') as boolean | undefined, // the manager checks it
      unread: fieldOf(body, 'Unread') as boolean | undefined, // the manager checks it
      createdAt: fieldOf(body, 'CreatedAt') as Date | undefined, // RFC 3339 text: the manager checks and reads it
    });
    return { err: '', link: linkToWire(link) };
  });

  server.put('/links', async (request) => {
    const body = bodyOf(request.body);
    const link = await manager.updateLink({
      username: text(body, 'Username') ?? '',
      url: text(body, 'Url') ?? '',
      newUrl: text(body, 'NewUrl', 'new_url'),
      title: text(body, 'Title'),
      description: text(body, 'Description'),
      addTags: fieldOf(body, 'AddTags', 'add_tags') as string[] | undefined,
      removeTags: fieldOf(body, 'RemoveTags', 'remove_tags') as string[] | undefined,
      private: fieldOf(body, 'Private') as boolean | undefined, // the manager checks it
      unread: fieldOf(body, 'Unread') as boolean | undefined, // the manager checks it
    });
    return { err: '', link: linkToWire(link) };
  });

  registerOrganizeRoutes(server, manager);

  server.post('/links/recheck', async (request) => {
    const body = bodyOf(request.body);
    const link = await manager.recheckLink(text(body, 'Username') ?? '', text(body, 'Url') ?? '');
    return { err: '', link: linkToWire(link) };
  });

  server.delete('/links', async (request) => {
    const fields = { ...(request.body && typeof request.body === 'object' ? (request.body as Fields) : {}), ...(request.query as Fields) };
    await manager.deleteLink(text(fields, 'username') ?? '', text(fields, 'url') ?? '');
    return { err: '' };
  });
}
