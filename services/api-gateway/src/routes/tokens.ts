/**
 * /v1/tokens: personal API tokens for scripts and the CLI. The secret is shown
 * once, when the token is created; listing shows names and dates only.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiTokenInfo, UserManager } from '@delinkcious/object-model';
import type { Authenticator } from '../auth/authenticator.ts';
import { callerOf } from '../auth/hooks.ts';
import { fieldsOf, optionalText } from '../inputs.ts';
import { bodyTypes, errors, okBody, security, tokenNameInput } from '../openapi.ts';

function tokenToWire(info: ApiTokenInfo) {
  return {
    id: info.id,
    name: info.name,
    created_at: info.createdAt.toISOString(),
    last_used_at: info.lastUsedAt ? info.lastUsedAt.toISOString() : null,
  };
}

const tokenSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
    last_used_at: { type: 'string', format: 'date-time', nullable: true },
  },
};

export function registerTokenRoutes(v1: FastifyInstance, users: UserManager, auth: Authenticator): void {
  v1.get(
    '/tokens',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Your API tokens (without their secrets)',
        security,
        response: {
          200: { description: 'Your API tokens', type: 'object', properties: { err: { type: 'string' }, tokens: { type: 'array', items: tokenSchema } } },
          ...errors(401, 429, 503),
        },
      },
    },
    async (request) => ({ err: '', tokens: (await users.listApiTokens(callerOf(request).username)).map(tokenToWire) }),
  );

  v1.post(
    '/tokens',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Create an API token; its secret is answered this once',
        security,
        consumes: bodyTypes,
        body: { type: 'object', properties: { name: tokenNameInput } },
        response: {
          200: {
            description: 'The new token, with its secret (shown this once)',
            type: 'object',
            properties: {
              err: { type: 'string' },
              access_token: { type: 'string', description: 'the secret: send it as Access-Token or Authorization: Bearer' },
              token: tokenSchema,
            },
          },
          ...errors(400, 401, 413, 429, 503),
        },
      },
    },
    async (request) => {
      const name = optionalText(fieldsOf(request), 'name')?.trim() || 'api token';
      const created = await users.createApiToken(callerOf(request).username, name);
      return { err: '', access_token: created.token, token: tokenToWire(created.info) };
    },
  );

  v1.delete(
    '/tokens/:id',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Revoke one of your API tokens',
        security,
        params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
        response: { 200: okBody, ...errors(401, 404, 429, 503) },
      },
    },
    async (request) => {
      const { username } = callerOf(request);
      await users.revokeApiToken(username, (request.params as { id: string }).id);
      // The revoked token may sit in the validation cache under a key we cannot name: drop the user's entries.
      auth.forgetUser(username);
      return { err: '' };
    },
  );
}
