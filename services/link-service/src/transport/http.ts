/**
 * link-service's internal HTTP API (docs/design.md §3), the original's routes.
 * Both spellings of each query parameter are accepted (the original gateway
 * and Go client disagreed), and body fields in PascalCase or snake_case.
 */
import type { FastifyInstance } from 'fastify';
import { ValidationError, linkToWire, type LinkManager } from '@delinkcious/object-model';

type Fields = Record<string, unknown>;

/** The first of `names` present in `fields`. */
export function pick(fields: Fields, ...names: string[]): unknown {
  for (const name of names) if (fields[name] !== undefined) return fields[name];
  return undefined;
}

function text(fields: Fields, ...names: string[]): string | undefined {
  const value = pick(fields, ...names);
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw new ValidationError(`${names.at(-1)} was given more than once`);
  if (typeof value !== 'string') throw new ValidationError(`${names.at(-1)} must be text`);
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

export function registerLinkRoutes(server: FastifyInstance, manager: LinkManager): void {
  server.get('/links', async (request) => {
    const query = request.query as Fields;
    const result = await manager.getLinks({
      username: text(query, 'username') ?? '',
      urlRegex: text(query, 'url_regex', 'url'),
      titleRegex: text(query, 'title_regex', 'title'),
      descriptionRegex: text(query, 'description_regex', 'description'),
      tag: text(query, 'tag'),
      startToken: text(query, 'start_token', 'start'),
      limit: limitOf(text(query, 'limit')),
    });
    return { err: '', links: result.links.map(linkToWire), next_page_token: result.nextPageToken };
  });

  server.post('/links', async (request) => {
    const body = bodyOf(request.body);
    const link = await manager.addLink({
      username: text(body, 'Username', 'username') ?? '',
      url: text(body, 'Url', 'url') ?? '',
      title: text(body, 'Title', 'title') ?? '',
      description: text(body, 'Description', 'description'),
      tags: pick(body, 'Tags', 'tags') as string[] | undefined,
    });
    return { err: '', link: linkToWire(link) };
  });

  server.put('/links', async (request) => {
    const body = bodyOf(request.body);
    const link = await manager.updateLink({
      username: text(body, 'Username', 'username') ?? '',
      url: text(body, 'Url', 'url') ?? '',
      newUrl: text(body, 'NewUrl', 'new_url'),
      title: text(body, 'Title', 'title'),
      description: text(body, 'Description', 'description'),
      addTags: pick(body, 'AddTags', 'add_tags') as string[] | undefined,
      removeTags: pick(body, 'RemoveTags', 'remove_tags') as string[] | undefined,
    });
    return { err: '', link: linkToWire(link) };
  });

  server.delete('/links', async (request) => {
    const fields = { ...(request.body && typeof request.body === 'object' ? (request.body as Fields) : {}), ...(request.query as Fields) };
    await manager.deleteLink(text(fields, 'username', 'Username') ?? '', text(fields, 'url', 'Url') ?? '');
    return { err: '' };
  });
}
