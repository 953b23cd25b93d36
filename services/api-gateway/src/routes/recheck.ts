/**
 * POST /v1/links/recheck: check one of the caller's links now (docs/design.md §17),
 * reusing no earlier result. Limited per user (RECHECK_PER_MINUTE) by the gateway's
 * rate limiter, keyed by the signed-in user once authentication has run, and
 * counted in its Redis when it has one (so every replica shares the limit).
 */
import type { FastifyInstance } from 'fastify';
import { linkToWire, type LinkManager } from '@delinkcious/object-model';
import { callerOf } from '../auth/hooks.ts';
import { fieldsOf, requiredText } from '../inputs.ts';
import { bodyTypes, errors, linkSchema, security, urlInput } from '../openapi.ts';

export interface RecheckRouteOptions {
  /** Rechecks per user per minute; 0 leaves only the gateway's general limit. */
  perMinute: number;
}

export function registerRecheckRoute(v1: FastifyInstance, links: LinkManager, options: RecheckRouteOptions): void {
  v1.post(
    '/links/recheck',
    {
      schema: {
        tags: ['links'],
        summary: `Check one of your links now (at most ${options.perMinute} a minute)`,
        description:
          'Answers once the result is applied, or after a few seconds with the link as it is while the check goes on ' +
          '(its result then appears on the link: CheckedAt, HttpStatus, CheckError, InvalidSince, ArchiveUrl).',
        security,
        consumes: bodyTypes,
        body: { type: 'object', required: ['url'], properties: { url: { ...urlInput, description: 'the URL of one of your links' } } },
        response: {
          200: { description: 'The link as it is now', type: 'object', properties: { err: { type: 'string' }, link: linkSchema } },
          ...errors(400, 401, 404, 429, 503),
        },
      },
      // The gateway's limiter (gateway.ts), here per user: after preValidation, which signs the caller in.
      ...(options.perMinute > 0 && {
        config: {
          rateLimit: {
            max: options.perMinute,
            timeWindow: 60_000,
            hook: 'preHandler' as const,
            keyGenerator: (request: Parameters<typeof callerOf>[0]) => `recheck:${callerOf(request).username}`,
          },
        },
      }),
    },
    async (request) => {
      const link = await links.recheckLink(callerOf(request).username, requiredText(fieldsOf(request), 'url'));
      return { err: '', link: linkToWire(link) };
    },
  );
}
