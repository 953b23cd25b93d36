/**
 * social-graph-service's internal HTTP API (docs/design.md §3), the original's
 * routes: `POST /follow` and `POST /unfollow` with `{followed, follower}`,
 * `GET /following/{username}` and `GET /followers/{username}`, lists answered
 * as the original's set-like map `{name: true}`; with `limit` (and
 * `start_token`), one page of it and `next_page_token`. Body fields are matched as the
 * original's Go decoder matched them (exactly, else ignoring case); a body on a
 * GET, as the original link-service sends one, is ignored.
 */
import type { FastifyInstance } from 'fastify';
import { fieldOf, type Fields } from '@delinkcious/kit';
import { ValidationError, pageSizes, type NamePage, type NamePageRequest, type SocialGraphManager } from '@delinkcious/object-model';

function bodyOf(body: unknown): Fields {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ValidationError('request body must be a JSON object');
  return body as Fields;
}

/** A text field; absent answers '' so the manager reports it as required. */
function text(fields: Fields, name: string): string {
  const value = fieldOf(fields, name);
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new ValidationError(`${name} must be text`);
  return value;
}

/**
 * The username in the path. A wildcard, not `:username`: fastify refuses path
 * parameters over 100 characters, and a name the manager must refuse with a
 * 400 naming the field (too long, or percent-encoded junk) can be far longer.
 */
function pathUsername(params: unknown): string {
  return (params as Fields)['*'] as string;
}

const asSet = (names: string[]): Record<string, true> => Object.fromEntries(names.map((name) => [name, true] as const));

/** The page asked for, or undefined when the caller asked for the whole list (no `limit`, as the original). */
function pageRequest(query: unknown): NamePageRequest | undefined {
  const fields = (query ?? {}) as Fields;
  const limit = fields.limit;
  if (limit === undefined) return undefined;
  if (typeof limit !== 'string' || !/^\d+$/.test(limit)) throw new ValidationError('limit must be a whole number');
  const startToken = fields.start_token;
  if (startToken !== undefined && typeof startToken !== 'string') throw new ValidationError('start_token was given more than once');
  return { limit: Number(limit), startToken };
}

function pageAnswer(key: 'following' | 'followers', page: NamePage) {
  return { [key]: asSet(page.names), next_page_token: page.nextPageToken, err: '' };
}

export function registerSocialGraphRoutes(server: FastifyInstance, manager: SocialGraphManager): void {
  server.post('/follow', async (request) => {
    const body = bodyOf(request.body);
    await manager.follow(text(body, 'followed'), text(body, 'follower'));
    return { err: '' };
  });

  server.post('/unfollow', async (request) => {
    const body = bodyOf(request.body);
    await manager.unfollow(text(body, 'followed'), text(body, 'follower'));
    return { err: '' };
  });

  server.get('/following/*', async (request) => {
    const username = pathUsername(request.params);
    const page = pageRequest(request.query);
    if (page) return pageAnswer('following', await manager.getFollowingPage(username, page));
    return { following: asSet(await manager.getFollowing(username)), err: '' };
  });

  // Everyone who follows someone, paged as the lists (news-service's rebuild-feeds walks it).
  server.get('/all-followers', async (request) => {
    const page = pageRequest(request.query) ?? { limit: pageSizes.default };
    return pageAnswer('followers', await manager.getAllFollowersPage(page));
  });

  // A profile's counts: `{"followers": n, "following": n, "err": ""}`.
  server.get('/follow-counts/*', async (request) => {
    return { ...(await manager.getFollowCounts(pathUsername(request.params))), err: '' };
  });

  server.get('/followers/*', async (request) => {
    const username = pathUsername(request.params);
    const page = pageRequest(request.query);
    if (page) return pageAnswer('followers', await manager.getFollowersPage(username, page));
    return { followers: asSet(await manager.getFollowers(username)), err: '' };
  });
}
