/**
 * Profiles and people search (docs/design.md §2): what anyone may see of a
 * user — username, name, counts and public links, never an email or a
 * private link. Who may read them is PUBLIC_PROFILES' (auth/public-access.ts).
 */
import type { FastifyInstance } from 'fastify';
import {
  NotFoundError,
  ValidationError,
  requireUsername,
  userSearchLimits,
  type LinkManager,
  type SocialGraphManager,
  type UserManager,
} from '@delinkcious/object-model';
import { fieldsOf, optionalText } from '../inputs.ts';
import { errors, pageAnswer, security, startTokenInput, usernameInput } from '../openapi.ts';
import { linkPageAnswer, linkPageQuery, linkPageRequest, sendLinkPage } from './link-page.ts';

/** Anonymous callers are welcome when PUBLIC_PROFILES=anyone; a token is then optional. */
const optionalSecurity = [{}, ...security];

const publicUserSchema = {
  type: 'object',
  properties: { username: { type: 'string' }, name: { type: 'string' } },
};

const profileSchema = {
  type: 'object',
  properties: {
    ...publicUserSchema.properties,
    public_links: { type: 'integer', minimum: 0, description: 'how many links they saved publicly' },
    followers: { type: 'integer', minimum: 0 },
    following: { type: 'integer', minimum: 0 },
    feed_url: { type: 'string', description: 'their public Atom feed, /feeds/{username}; "" when this server serves no public feeds' },
  },
};

const usernameParam = { type: 'object', required: ['username'], properties: { username: usernameInput } };

/** The user named in the path, or 404: a profile of nobody does not exist. */
async function existingUser(users: UserManager, value: unknown) {
  const username = requireUsername(value, 'username');
  try {
    return await users.getUser(username);
  } catch (error) {
    if (error instanceof NotFoundError) throw new NotFoundError(`nobody here has the username ${username}`, { cause: error });
    throw error;
  }
}

export interface ProfileOptions {
  links: LinkManager;
  socialGraph: SocialGraphManager;
  users: UserManager;
  /** Whether /feeds/{username} answers (PUBLIC_PROFILES=anyone), so profiles can point at it. */
  publicFeeds: boolean;
}

export function registerProfileRoutes(v1: FastifyInstance, { links, socialGraph, users, publicFeeds }: ProfileOptions): void {
  v1.get(
    '/users',
    {
      schema: {
        tags: ['profiles'],
        summary: 'Find people by the start of their username or name (case-insensitive)',
        security: optionalSecurity,
        querystring: {
          type: 'object',
          required: ['q'],
          properties: {
            q: { type: 'string', maxLength: userSearchLimits.queryLength },
            limit: { type: 'integer', minimum: 1, maximum: userSearchLimits.max, default: userSearchLimits.max },
            start_token: startTokenInput,
          },
        },
        response: {
          200: pageAnswer('users', publicUserSchema, 'A page of people, in username order'),
          ...errors(400, 401, 404, 429, 503),
        },
      },
    },
    async (request) => {
      const fields = fieldsOf(request);
      const limit = optionalText(fields, 'limit');
      if (limit !== undefined && !/^\s*\d+\s*$/.test(limit)) {
        throw new ValidationError(`limit must be a whole number from 1 to ${userSearchLimits.max}`);
      }
      const page = await users.searchUsers({
        query: optionalText(fields, 'q') ?? '',
        ...(limit !== undefined && { limit: Number(limit) }),
        startToken: optionalText(fields, 'start_token'),
      });
      return { err: '', users: page.users, next_page_token: page.nextPageToken };
    },
  );

  v1.get(
    '/users/:username',
    {
      schema: {
        tags: ['profiles'],
        summary: "Someone's profile: name and counts",
        security: optionalSecurity,
        params: usernameParam,
        response: {
          200: { description: 'The profile', type: 'object', properties: { err: { type: 'string' }, user: profileSchema } },
          ...errors(400, 401, 404, 429, 503),
        },
      },
    },
    async (request) => {
      const user = await existingUser(users, (request.params as Record<string, unknown>).username);
      const [publicLinks, follows] = await Promise.all([links.countPublicLinks(user.username), socialGraph.getFollowCounts(user.username)]);
      return {
        err: '',
        user: {
          username: user.username,
          name: user.name,
          public_links: publicLinks,
          followers: follows.followers,
          following: follows.following,
          feed_url: publicFeeds ? `/feeds/${user.username}` : '',
        },
      };
    },
  );

  v1.get(
    '/users/:username/links',
    {
      schema: {
        tags: ['profiles'],
        summary: "Someone's public links, newest first, filtered and paged as GET /v1/links",
        security: optionalSecurity,
        params: usernameParam,
        querystring: linkPageQuery,
        response: {
          200: linkPageAnswer('their public'),
          ...errors(400, 401, 404, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const user = await existingUser(users, (request.params as Record<string, unknown>).username);
      return sendLinkPage(reply, await links.getPublicLinks(linkPageRequest(request, user.username)));
    },
  );
}
