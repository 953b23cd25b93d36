/**
 * /v1/tokens: personal API tokens for scripts and the CLI. The secret is shown
 * once, when the token is created; listing shows names, scopes and dates only.
 * Only a signed-in session manages tokens: a leaked API token cannot mint
 * itself successors, list its siblings or revoke the owner's other tokens.
 */
import type { FastifyInstance } from 'fastify';
import { tokenInfoToWire, tokenScopes, type TokenScope, type UserManager } from '@delinkcious/object-model';
import type { Authenticator } from '../auth/authenticator.ts';
import { callerOf, requireSession } from '../auth/hooks.ts';
import { fieldsOf, optionalText } from '../inputs.ts';
import { bodyTypes, errors, okBody, security, tokenNameInput } from '../openapi.ts';

const tokenSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    scope: { type: 'string', enum: tokenScopes, description: 'read: GET only; write: reads and changes' },
    created_at: { type: 'string', format: 'date-time' },
    last_used_at: { type: 'string', format: 'date-time', nullable: true },
  },
};

const scopeInput = {
  type: 'string',
  enum: tokenScopes,
  default: 'write',
  description: 'read: the token may only read (GET); write (the default): it may also change links and follows',
};

export function registerTokenRoutes(v1: FastifyInstance, users: UserManager, auth: Authenticator): void {
  v1.get(
    '/tokens',
    {
      preHandler: requireSession,
      schema: {
        tags: ['tokens'],
        summary: 'Your API tokens (without their secrets)',
        security,
        response: {
          200: { description: 'Your API tokens', type: 'object', properties: { err: { type: 'string' }, tokens: { type: 'array', items: tokenSchema } } },
          ...errors(401, 403, 429, 503),
        },
      },
    },
    async (request) => ({ err: '', tokens: (await users.listApiTokens(callerOf(request).username)).map(tokenInfoToWire) }),
  );

  v1.post(
    '/tokens',
    {
      preHandler: requireSession,
      schema: {
        tags: ['tokens'],
        summary: 'Create an API token; its secret is answered this once',
        security,
        consumes: bodyTypes,
        body: { type: 'object', properties: { name: tokenNameInput, scope: scopeInput } },
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
          ...errors(400, 401, 403, 413, 429, 503),
        },
      },
    },
    async (request) => {
      const fields = fieldsOf(request);
      const name = optionalText(fields, 'name')?.trim() || 'api token';
      // user-service checks the scope (a 400 naming the field); absent is write.
      const scope = optionalText(fields, 'scope')?.trim() || undefined;
      const created = await users.createApiToken(callerOf(request).username, name, scope as TokenScope | undefined);
      return { err: '', access_token: created.token, token: tokenInfoToWire(created.info) };
    },
  );

  v1.delete(
    '/tokens/:id',
    {
      preHandler: requireSession,
      schema: {
        tags: ['tokens'],
        summary: 'Revoke one of your API tokens',
        security,
        params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
        response: { 200: okBody, ...errors(401, 403, 404, 429, 503) },
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
