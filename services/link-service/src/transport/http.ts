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
import { ValidationError, linkToWire, popularToWire, type GetLinksRequest, type LinkManager } from '@delinkcious/object-model';

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

function getLinksRequest(query: Fields): GetLinksRequest {
  return {
    username: text(query, 'username') ?? '',
    urlRegex: text(query, 'url_regex', 'url'),
    titleRegex: text(query, 'title_regex', 'title'),
    descriptionRegex: text(query, 'description_regex', 'description'),
    tag: text(query, 'tag'),
    startToken: text(query, 'start_token', 'start'),
    limit: limitOf(text(query, 'limit')),
  };
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
    });
    return { err: '', link: linkToWire(link) };
  });

  server.delete('/links', async (request) => {
    const fields = { ...(request.body && typeof request.body === 'object' ? (request.body as Fields) : {}), ...(request.query as Fields) };
    await manager.deleteLink(text(fields, 'username') ?? '', text(fields, 'url') ?? '');
    return { err: '' };
  });
}
