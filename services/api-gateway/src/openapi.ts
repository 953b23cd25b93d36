/**
 * The OpenAPI 3 description of the public API, built by @fastify/swagger from
 * the routes' schemas, served at /openapi.json, with Swagger UI at /docs (its
 * assets come from the package, never from a CDN).
 *
 * Route schemas here are documentation only: the gateway's validator and
 * serializer compilers are switched off (see gateway.ts), because inputs come
 * from JSON, form or query string alike and are checked by inputs.ts, with
 * messages that name the field, and answers must keep every field they have.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { limits, pageSizes, searchLimits, searchSorts, usernamePattern } from '@delinkcious/object-model';
import { sessionCookie } from './auth/cookies.ts';

/** Any of the three ways to present a token. */
export const security: Array<Record<string, string[]>> = [{ accessToken: [] }, { bearer: [] }, { session: [] }];

const errorBody = { type: 'object', properties: { err: { type: 'string', description: 'what went wrong' } }, required: ['err'] };

const errorDescriptions: Record<number, string> = {
  400: 'Bad input: the message names the field and why',
  401: 'Missing or invalid token: {"err":"Access Denied!"}',
  403: 'Not allowed',
  404: 'No such link or token',
  409: 'You already saved that URL',
  413: 'Request body too large',
  429: 'Rate limited; see Retry-After',
  503: 'A service behind the gateway is unavailable',
};

/** Response schemas for the given error statuses. */
export function errors(...statuses: number[]): Record<number, object> {
  return Object.fromEntries(statuses.map((status) => [status, { description: errorDescriptions[status], ...errorBody }]));
}

export const okBody = { description: 'Done: {"err":""}', type: 'object', properties: { err: { type: 'string', enum: [''] } } };

export const linkSchema = {
  type: 'object',
  description: 'A saved link, as the original Delinkcious returned it',
  properties: {
    Url: { type: 'string' },
    Title: { type: 'string' },
    Description: { type: 'string' },
    Status: { type: 'string', enum: ['pending', 'valid', 'invalid'] },
    Tags: { type: 'object', additionalProperties: { type: 'boolean' }, description: 'a set: {"tag": true}' },
    Private: { type: 'boolean', description: 'seen by its owner only: never in anyone else\'s news, profile, feed, popular list or counts' },
    SavedBy: { type: 'integer', minimum: 0, description: 'how many other users saved the same URL publicly' },
    Unread: { type: 'boolean', description: 'read later: your own reminder, never news' },
    CreatedAt: { type: 'string', format: 'date-time' },
    UpdatedAt: { type: 'string', format: 'date-time' },
    CheckedAt: { type: ['string', 'null'], format: 'date-time', description: 'when the last check result was taken; null while pending' },
    HttpStatus: { type: 'integer', minimum: 0, description: "the last check's HTTP status; 0 when it got none" },
    CheckError: { type: 'string', description: "why the last check failed: 'DNS failure', 'connection refused', 'timeout', 'TLS error…', 'too many redirects', '404 Not Found'…; '' when valid" },
    InvalidSince: { type: ['string', 'null'], format: 'date-time', description: 'when the link turned invalid (this invalid streak); null when valid or pending' },
    ArchiveUrl: { type: 'string', description: "an archived copy (Wayback Machine) found when the link turned invalid; '' when none" },
    FaviconUrl: { type: 'string', description: "the page's icon; '' when unknown" },
  },
};

/** Both encodings the original accepted for bodies (the query string works too). */
export const bodyTypes = ['application/json', 'application/x-www-form-urlencoded'];

/* Input schemas, with the limits the services enforce (the object-model's rules). */
export const urlInput = { type: 'string', maxLength: limits.urlLength, description: 'http or https' };
export const titleInput = { type: 'string', maxLength: limits.titleLength };
export const descriptionInput = { type: 'string', maxLength: limits.descriptionLength, description: 'may span lines' };
export const patternInput = { type: 'string', maxLength: limits.patternLength, description: 'RE2 pattern' };
export const searchQueryInput = {
  type: 'string',
  maxLength: searchLimits.length,
  description:
    'search (docs/design.md §14): words (all must match; case-, accent- and inflection-insensitive; the last also as a prefix), ' +
    '"exact phrase", -word, #tag, -#tag, site:example.org (and subdomains), is:private|public|unread|read|valid|invalid|pending, ' +
    `after:YYYY-MM-DD, before:YYYY-MM-DD, OR between terms (AND binds tighter); at most ${searchLimits.terms} terms and ${searchLimits.branches} alternatives`,
};
export const searchSortInput = {
  type: 'string',
  enum: [...searchSorts],
  description: 'newest (by when saved; the default, with or without q) | oldest | title | relevance (ts_rank of the words of q)',
};
export const privateInput = {
  description: 'true or false (a JSON boolean, or true/false/yes/no as text)',
  oneOf: [{ type: 'boolean' }, { type: 'string', enum: ['true', 'false', 'yes', 'no'] }],
};
export const tagInput = { type: 'string', maxLength: limits.tagLength };
export const tagsInput = {
  description: `comma- or space-separated tags, or a JSON array; at most ${limits.tagsPerLink} tags`,
  oneOf: [{ type: 'string' }, { type: 'array', maxItems: limits.tagsPerLink, items: tagInput }],
};
export const pageLimitInput = { type: 'integer', minimum: 1, maximum: pageSizes.max, default: pageSizes.default };
export const startTokenInput = { type: 'string', description: 'next_page_token of the previous page' };
export const nextPageTokenOutput = { type: 'string', description: 'opaque; empty on the last page' };

/** A 200 answer holding one page: {"err":"","<key>":[...],"next_page_token":""}. */
export function pageAnswer(key: string, items: object, description: string) {
  return {
    description: `${description}: {"err":"","${key}":[...],"next_page_token":""}`,
    type: 'object',
    properties: { err: { type: 'string' }, [key]: { type: 'array', items }, next_page_token: nextPageTokenOutput },
  };
}
export const usernameInput = {
  type: 'string',
  maxLength: limits.usernameLength,
  pattern: usernamePattern.source,
  description: 'a GitHub login: letters, digits and single hyphens inside',
};
export const tokenNameInput = { type: 'string', maxLength: limits.tokenNameLength, description: 'what the token is for' };

/** Operational routes, defined by the kit before swagger can see them. */
function operationalPaths(): Record<string, object> {
  const probe = (summary: string) => ({
    get: {
      tags: ['operations'],
      summary,
      responses: { 200: { description: 'OK' }, 503: { description: 'Not ready, or shutting down' } },
    },
  });
  return {
    '/healthz': probe('Liveness probe'),
    '/readyz': probe('Readiness probe'),
    '/metrics': {
      get: { tags: ['operations'], summary: 'Prometheus metrics', responses: { 200: { description: 'Prometheus text format' } } },
    },
  };
}

export async function registerOpenApi(server: FastifyInstance): Promise<void> {
  await server.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Delinkcious API',
        version: '1',
        description:
          'Social bookmarking: save links with tags, follow people. Compatible with the original Delinkcious /v1. ' +
          'Sign in at /login (GitHub) to get a token; send it as `Access-Token` or `Authorization: Bearer`.',
      },
      tags: [
        { name: 'links', description: 'Your saved links' },
        { name: 'tags', description: 'Your tags: counts, rename, delete; bulk edits of your links' },
        { name: 'import and export', description: 'Bringing a bookmark file in as a job, and following it' },
        { name: 'social', description: 'Who you follow and who follows you' },
        { name: 'news', description: 'Your news feed' },
        { name: 'tokens', description: 'Personal API tokens' },
        { name: 'sign-in', description: 'GitHub OAuth and sessions' },
        { name: 'operations', description: 'Probes, metrics and this description' },
      ],
      components: {
        securitySchemes: {
          accessToken: { type: 'apiKey', in: 'header', name: 'Access-Token' },
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: sessionCookie },
        },
      },
      paths: operationalPaths(),
    },
  });
  await server.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });
  server.get(
    '/openapi.json',
    { schema: { tags: ['operations'], summary: 'This API, described in OpenAPI 3', response: { 200: { type: 'object' } } } },
    async () => server.swagger(),
  );
}
