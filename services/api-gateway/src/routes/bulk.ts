/**
 * POST /v1/links/bulk: one action on many of the caller's links, atomically
 * (docs/design.md §15): the links named by `urls` (at most 1,000) or those a
 * search `q` finds (at most 10,000). Followers' news gets no item per link;
 * links made private or deleted are retracted from it.
 */
import type { FastifyInstance } from 'fastify';
import { ValidationError, bulkActions, organizeLimits, tagItems, type BulkAction, type LinkManager } from '@delinkcious/object-model';
import { callerOf } from '../auth/hooks.ts';
import { fieldsOf, optionalText } from '../inputs.ts';
import { errors, security, tagsInput } from '../openapi.ts';

export function registerBulkRoutes(v1: FastifyInstance, links: LinkManager): void {
  v1.post(
    '/links/bulk',
    {
      schema: {
        tags: ['tags'],
        summary: 'Change many of your links at once: tags, privacy, read later, delete',
        security,
        consumes: ['application/json'],
        body: {
          type: 'object',
          required: ['action'],
          properties: {
            action: { type: 'string', enum: [...bulkActions] },
            urls: { type: 'array', maxItems: organizeLimits.bulkUrls, items: { type: 'string' }, description: 'the links to change (or q)' },
            q: { type: 'string', description: `a search (as GET /v1/links?q=): the links it finds, at most ${organizeLimits.bulkQueryLinks}` },
            tags: { ...tagsInput, description: 'for add_tags and remove_tags' },
          },
        },
        response: {
          200: {
            description: 'How many links changed (links already as asked do not count): {"err":"","changed":n}',
            type: 'object',
            properties: { err: { type: 'string' }, changed: { type: 'integer', minimum: 0 } },
          },
          ...errors(400, 401, 403, 413, 429, 503),
        },
      },
    },
    async (request) => {
      const fields = fieldsOf(request);
      const urls = fields.urls;
      if (urls !== undefined && urls !== null && !Array.isArray(urls)) throw new ValidationError('urls must be a JSON array of URLs');
      const changed = await links.bulkEdit({
        username: callerOf(request).username,
        action: optionalText(fields, 'action') as BulkAction,
        ...(Array.isArray(urls) ? { urls: urls as string[] } : {}),
        ...(fields.q !== undefined ? { q: optionalText(fields, 'q') } : {}),
        ...(fields.tags !== undefined ? { tags: tagItems(fields.tags, 'tags') } : {}),
      });
      return { err: '', changed };
    },
  );
}
