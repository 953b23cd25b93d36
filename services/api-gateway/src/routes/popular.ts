/**
 * /v1/popular: the URLs saved publicly by the most people the caller follows
 * in the last `days`. The gateway asks social-graph whom the caller follows and
 * link-service for those users' recent public links; link-service considers at
 * most popularLimits.users of them (the first, in username order).
 */
import type { FastifyInstance } from 'fastify';
import {
  popularDays,
  popularLimits,
  popularToWire,
  popularWindowDays,
  type LinkManager,
  type SocialGraphManager,
} from '@delinkcious/object-model';
import { callerOf } from '../auth/hooks.ts';
import { fieldsOf, optionalText } from '../inputs.ts';
import { errors, security } from '../openapi.ts';

const popularLinkSchema = {
  type: 'object',
  properties: {
    Url: { type: 'string' },
    Title: { type: 'string', description: 'the most recent public title among those saves' },
    SavedBy: { type: 'integer', description: 'how many of the people you follow saved it publicly in the window' },
    Usernames: { type: 'array', items: { type: 'string' }, description: 'who they are' },
  },
};

export function registerPopularRoutes(v1: FastifyInstance, links: LinkManager, socialGraph: Pick<SocialGraphManager, 'getFollowing'>): void {
  v1.get(
    '/popular',
    {
      schema: {
        tags: ['links'],
        summary: 'What the people you follow saved most in the last days',
        security,
        querystring: {
          type: 'object',
          properties: {
            days: { type: 'integer', minimum: popularDays.min, maximum: popularDays.max, default: popularDays.default },
          },
        },
        response: {
          200: {
            description: `At most ${popularLimits.defaultLinks} URLs, most savers first (then the most recently saved)`,
            type: 'object',
            properties: { err: { type: 'string' }, links: { type: 'array', items: popularLinkSchema } },
          },
          ...errors(400, 401, 429, 503),
        },
      },
    },
    async (request) => {
      // Checked before any call: a bad window costs nothing downstream.
      const days = popularWindowDays(optionalText(fieldsOf(request), 'days'));
      const following = await socialGraph.getFollowing(callerOf(request).username);
      const popular = await links.getPopular({ usernames: following.slice(0, popularLimits.users), days });
      return { err: '', links: popular.map(popularToWire) };
    },
  );
}
