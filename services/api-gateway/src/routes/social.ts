/**
 * /v1/following and /v1/followers. The caller is always the follower: nobody
 * can make someone else follow or unfollow, and only people who have an
 * account can be followed (the gateway asks user-service before it asks
 * social-graph-service). Lists answer the original's set-like map
 * `{"name": true}`: the whole list without `limit` (as the original), one page
 * of it and `next_page_token` with it (as GET /v1/links).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  ForbiddenError,
  NotFoundError,
  pageLimit,
  requireUsername,
  type NamePage,
  type NamePageRequest,
  type SocialGraphManager,
  type UserManager,
} from '@delinkcious/object-model';
import { callerOf } from '../auth/hooks.ts';
import { fieldsOf, optionalText, requiredText } from '../inputs.ts';
import { bodyTypes, errors, okBody, pageLimitInput, security, startTokenInput, usernameInput } from '../openapi.ts';

const nameSet = (names: readonly string[]) => Object.fromEntries(names.map((name) => [name, true]));
const nameSetSchema = { type: 'object', additionalProperties: { type: 'boolean' }, description: 'a set: {"name": true}' };
const followedInput = {
  type: 'object',
  required: ['followed'],
  properties: { followed: { ...usernameInput, description: 'the username to follow' } },
};
const pageInput = {
  type: 'object',
  properties: {
    limit: { ...pageLimitInput, default: undefined, description: 'page size; without it, the whole list (no next_page_token)' },
    start_token: startTokenInput,
  },
};

function listAnswer(key: 'following' | 'followers', description: string) {
  return {
    200: {
      description,
      type: 'object',
      properties: {
        err: { type: 'string' },
        [key]: nameSetSchema,
        next_page_token: { type: 'string', description: 'with limit only: opaque; empty on the last page' },
      },
    },
    ...errors(400, 401, 429, 503),
  };
}

/** The page asked for; undefined when there is no `limit` (the original's whole list). */
function pageRequest(request: FastifyRequest): NamePageRequest | undefined {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const limit = optionalText(query, 'limit');
  if (limit === undefined) return undefined;
  return { limit: pageLimit(limit), startToken: optionalText(query, 'start_token') ?? '' };
}

async function list(
  key: 'following' | 'followers',
  request: FastifyRequest,
  whole: (username: string) => Promise<string[]>,
  paged: (username: string, page: NamePageRequest) => Promise<NamePage>,
) {
  const { username } = callerOf(request);
  const page = pageRequest(request);
  if (!page) return { err: '', [key]: nameSet(await whole(username)) };
  const answer = await paged(username, page);
  return { err: '', [key]: nameSet(answer.names), next_page_token: answer.nextPageToken };
}

export function registerSocialRoutes(v1: FastifyInstance, socialGraph: SocialGraphManager, users: UserManager): void {
  v1.get(
    '/following',
    {
      schema: { tags: ['social'], summary: 'Who you follow', security, querystring: pageInput, response: listAnswer('following', 'Who you follow') },
    },
    async (request) =>
      list('following', request, (name) => socialGraph.getFollowing(name), (name, page) => socialGraph.getFollowingPage(name, page)),
  );

  v1.post(
    '/following',
    {
      schema: {
        tags: ['social'],
        summary: 'Follow someone who has an account here',
        security,
        consumes: bodyTypes,
        body: followedInput,
        response: { 200: okBody, ...errors(400, 401, 403, 404, 413, 429, 503) },
      },
    },
    async (request) => {
      const followed = requireUsername(requiredText(fieldsOf(request), 'followed'), 'followed');
      try {
        await users.getUser(followed);
      } catch (error) {
        if (error instanceof NotFoundError) throw new NotFoundError(`nobody here has the username ${followed}`, { cause: error });
        throw error;
      }
      await socialGraph.follow(followed, callerOf(request).username);
      return { err: '' };
    },
  );

  v1.delete(
    '/following',
    {
      schema: {
        tags: ['social'],
        summary: 'Stop following someone (`followed` in the body or the query)',
        security,
        querystring: followedInput,
        response: { 200: okBody, ...errors(400, 401, 404, 429, 503) },
      },
    },
    async (request) => {
      await socialGraph.unfollow(requiredText(fieldsOf(request), 'followed'), callerOf(request).username);
      return { err: '' };
    },
  );

  v1.get(
    '/followers',
    {
      schema: { tags: ['social'], summary: 'Who follows you', security, querystring: pageInput, response: listAnswer('followers', 'Who follows you') },
    },
    async (request) =>
      list('followers', request, (name) => socialGraph.getFollowers(name), (name, page) => socialGraph.getFollowersPage(name, page)),
  );

  v1.post(
    '/followers',
    {
      schema: {
        tags: ['social'],
        summary: 'Refused: nobody can be made to follow you (the original allowed it)',
        security,
        response: errors(401, 403),
      },
    },
    async () => {
      throw new ForbiddenError('nobody can be made to follow you; people follow you with POST /v1/following');
    },
  );
}
