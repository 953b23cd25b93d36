/**
 * /v1/following and /v1/followers. The caller is always the follower: nobody
 * can make someone else follow or unfollow. Lists answer the original's
 * set-like map `{"name": true}`.
 */
import type { FastifyInstance } from 'fastify';
import { ForbiddenError, type SocialGraphManager } from '@delinkcious/object-model';
import { callerOf } from '../auth/hooks.ts';
import { fieldsOf, requiredText } from '../inputs.ts';
import { bodyTypes, errors, okBody, security, usernameInput } from '../openapi.ts';

const nameSet = (names: readonly string[]) => Object.fromEntries(names.map((name) => [name, true]));
const nameSetSchema = { type: 'object', additionalProperties: { type: 'boolean' }, description: 'a set: {"name": true}' };
const followedInput = {
  type: 'object',
  required: ['followed'],
  properties: { followed: { ...usernameInput, description: 'the username to follow' } },
};

export function registerSocialRoutes(v1: FastifyInstance, socialGraph: SocialGraphManager): void {
  v1.get(
    '/following',
    {
      schema: {
        tags: ['social'],
        summary: 'Who you follow',
        security,
        response: {
          200: { description: 'Who you follow', type: 'object', properties: { err: { type: 'string' }, following: nameSetSchema } },
          ...errors(401, 429, 503),
        },
      },
    },
    async (request) => ({ err: '', following: nameSet(await socialGraph.getFollowing(callerOf(request).username)) }),
  );

  v1.post(
    '/following',
    {
      schema: {
        tags: ['social'],
        summary: 'Follow someone',
        security,
        consumes: bodyTypes,
        body: followedInput,
        response: { 200: okBody, ...errors(400, 401, 413, 429, 503) },
      },
    },
    async (request) => {
      await socialGraph.follow(requiredText(fieldsOf(request), 'followed'), callerOf(request).username);
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
        response: { 200: okBody, ...errors(400, 401, 429, 503) },
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
      schema: {
        tags: ['social'],
        summary: 'Who follows you',
        security,
        response: {
          200: { description: 'Who follows you', type: 'object', properties: { err: { type: 'string' }, followers: nameSetSchema } },
          ...errors(401, 429, 503),
        },
      },
    },
    async (request) => ({ err: '', followers: nameSet(await socialGraph.getFollowers(callerOf(request).username)) }),
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
