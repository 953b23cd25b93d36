/**
 * /v1/news: the caller's news feed (docs/design.md §2), what the people they follow
 * did to their links, newest first. Always the caller's own feed.
 */
import type { FastifyInstance } from 'fastify';
import { UnavailableError, type NewsManager } from '@delinkcious/object-model';
import { callerOf } from '../auth/hooks.ts';
import { fieldsOf, optionalText } from '../inputs.ts';
import { errors, security } from '../openapi.ts';

const newsEventSchema = {
  type: 'object',
  properties: {
    event_type: { type: 'string', enum: ['LINK_ADDED', 'LINK_UPDATED', 'LINK_DELETED'] },
    username: { type: 'string', description: 'who made the change' },
    url: { type: 'string' },
    title: { type: 'string', description: 'may be empty: the news-service gRPC contract carries no title' },
    timestamp: { type: 'string', format: 'date-time' },
  },
};

/** `news` is absent where no news-service is wired: the route then answers 503. */
export function registerNewsRoutes(v1: FastifyInstance, news: NewsManager | undefined): void {
  v1.get(
    '/news',
    {
      schema: {
        tags: ['news'],
        summary: 'Your news feed: what the people you follow did to their links, newest first',
        security,
        querystring: {
          type: 'object',
          properties: { start_token: { type: 'string', description: 'next_token of the previous page' } },
        },
        response: {
          200: {
            description: 'A page of your feed: {"err":"","events":[...],"next_token":""}',
            type: 'object',
            properties: {
              err: { type: 'string' },
              events: { type: 'array', items: newsEventSchema },
              next_token: { type: 'string', description: 'opaque; empty on the last page' },
            },
          },
          ...errors(400, 401, 429, 503),
        },
      },
    },
    async (request) => {
      if (!news) throw new UnavailableError('the news feed is not available');
      const result = await news.getNews(callerOf(request).username, optionalText(fieldsOf(request), 'start_token') || undefined);
      return {
        err: '',
        events: result.events.map((event) => ({
          event_type: event.eventType,
          username: event.username,
          url: event.url,
          title: event.title,
          timestamp: event.timestamp.toISOString(),
        })),
        next_token: result.nextToken,
      };
    },
  );
}
