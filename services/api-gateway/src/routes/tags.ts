/**
 * /v1/tags: the caller's tags with counts (most used first; `q` a prefix, for
 * autocomplete), renamed or removed from every link at once (docs/design.md
 * §15). Renames and deletions are atomic and tell followers nothing.
 */
import type { FastifyInstance } from 'fastify';
import type { LinkManager } from '@delinkcious/object-model';
import { organizeLimits } from '@delinkcious/object-model';
import { callerOf } from '../auth/hooks.ts';
import { fieldsOf, optionalText } from '../inputs.ts';
import { bodyTypes, errors, security, tagInput } from '../openapi.ts';

const changedAnswer = {
  description: 'How many of your links changed: {"err":"","changed":n}',
  type: 'object',
  properties: { err: { type: 'string' }, changed: { type: 'integer', minimum: 0 } },
};
const tagParam = { type: 'object', required: ['tag'], properties: { tag: { ...tagInput, description: 'the tag (URL-encoded)' } } };

export function registerTagRoutes(v1: FastifyInstance, links: LinkManager): void {
  v1.get(
    '/tags',
    {
      schema: {
        tags: ['tags'],
        summary: 'Your tags and how many links carry each, most used first (then by name)',
        security,
        querystring: {
          type: 'object',
          properties: {
            q: { type: 'string', maxLength: 64, description: 'only tags starting with this (autocomplete)' },
            limit: { type: 'integer', minimum: 1, maximum: organizeLimits.maxTags, default: organizeLimits.defaultTags },
          },
        },
        response: {
          200: {
            description: '{"err":"","tags":[{"tag":"go","count":12},…]}',
            type: 'object',
            properties: {
              err: { type: 'string' },
              tags: { type: 'array', items: { type: 'object', properties: { tag: { type: 'string' }, count: { type: 'integer' } } } },
            },
          },
          ...errors(400, 401, 429, 503),
        },
      },
    },
    async (request) => {
      const fields = fieldsOf(request);
      const limit = optionalText(fields, 'limit');
      const tags = await links.getTags({
        username: callerOf(request).username,
        q: optionalText(fields, 'q'),
        ...(limit !== undefined ? { limit: wholeNumber(limit) } : {}),
      });
      return { err: '', tags };
    },
  );

  v1.put(
    '/tags/:tag',
    {
      schema: {
        tags: ['tags'],
        summary: 'Rename a tag on all your links (merging into new_tag where a link has both)',
        security,
        consumes: bodyTypes,
        params: tagParam,
        body: { type: 'object', required: ['new_tag'], properties: { new_tag: tagInput } },
        response: { 200: changedAnswer, ...errors(400, 401, 403, 429, 503) },
      },
    },
    async (request) => {
      const { tag } = request.params as { tag: string };
      const changed = await links.renameTag(callerOf(request).username, tag, optionalText(fieldsOf(request), 'new_tag') ?? '');
      return { err: '', changed };
    },
  );

  v1.delete(
    '/tags/:tag',
    {
      schema: {
        tags: ['tags'],
        summary: 'Remove a tag from all your links',
        security,
        params: tagParam,
        response: { 200: changedAnswer, ...errors(400, 401, 403, 429, 503) },
      },
    },
    async (request) => {
      const { tag } = request.params as { tag: string };
      return { err: '', changed: await links.deleteTag(callerOf(request).username, tag) };
    },
  );
}

/** A query-string number as the manager checks it: digits only, else NaN (refused there, naming limit). */
function wholeNumber(text: string): number {
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
}
