/**
 * The private news feed's URL in /v1/settings. Its token is kept by
 * user-service as a hash only, so the URL can be shown once: in the answer of
 * `POST /v1/settings/feed-token`, which makes a new token and so revokes the
 * old one. Other settings answers say only whether, and since when, there is one.
 */
import type { FastifyInstance } from 'fastify';
import { settingsToWire, type UserManager } from '@delinkcious/object-model';
import { callerOf } from '../auth/hooks.ts';
import { errors, security } from '../openapi.ts';

/** The feed fields of a settings answer. */
export const feedTokenProperties = {
  feed_url: {
    type: 'string',
    description: 'your private news feed (Atom): /feeds/news/<token>; only in the answer that made the token, else ""',
  },
  feed_token_created_at: { type: 'string', description: 'when your current feed URL was made (RFC 3339); "" when you have none' },
};

export interface FeedTokenFields {
  feed_url: string;
  feed_token_created_at: string;
}

/** The caller's feed fields when no token is being made now: the URL is not known any more, only its date. */
export async function feedTokenFields(users: UserManager, username: string): Promise<FeedTokenFields> {
  const info = await users.getFeedToken(username);
  return { feed_url: '', feed_token_created_at: info ? info.createdAt.toISOString() : '' };
}

export const feedUrlPath = (token: string) => `/feeds/news/${encodeURIComponent(token)}`;

export function registerFeedTokenRoute(v1: FastifyInstance, users: UserManager): void {
  v1.post(
    '/settings/feed-token',
    {
      schema: {
        tags: ['settings'],
        summary: 'A new private news-feed URL; the old one stops working (404)',
        security,
        response: {
          200: {
            description: 'Your settings as GET /v1/settings answers them, with the new feed_url (shown this once)',
            type: 'object',
            properties: { err: { type: 'string' }, ...feedTokenProperties },
            additionalProperties: true,
          },
          ...errors(401, 403, 404, 429, 503),
        },
      },
    },
    async (request) => {
      const { username } = callerOf(request);
      const made = await users.newFeedToken(username);
      return {
        err: '',
        ...settingsToWire(await users.getSettings(username)),
        feed_url: feedUrlPath(made.token),
        feed_token_created_at: made.info.createdAt.toISOString(),
      };
    },
  );
}
