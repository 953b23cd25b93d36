/**
 * The hook that guards /v1: it authenticates the caller before the handler
 * runs, and handlers read the caller with callerOf(request). It runs at
 * preValidation, after the rate limiter (onRequest), so a flood of bad tokens
 * is limited before it reaches user-service. A read-only API token may only
 * read (GET, HEAD); routes that manage tokens and sessions add requireSession.
 */
import type { FastifyRequest, preHandlerAsyncHookHandler, preValidationAsyncHookHandler } from 'fastify';
import { ForbiddenError, type Credential, type User } from '@delinkcious/object-model';
import { checkSameOrigin, type Authenticator } from './authenticator.ts';

const credentials = new WeakMap<FastifyRequest, Credential>();

const reads = new Set(['GET', 'HEAD', 'OPTIONS']);

export function requireCaller(auth: Authenticator, publicUrl: string | undefined): preValidationAsyncHookHandler {
  return async (request) => {
    const credential = await auth.authenticate(request);
    if (auth.tokenOf(request)?.source === 'cookie') checkSameOrigin(request, publicUrl);
    if (credential.scope === 'read' && !reads.has(request.method)) throw new ForbiddenError('this token is read-only');
    credentials.set(request, credential);
  };
}

/** For routes that manage tokens and sessions: a signed-in session (cookie or session token), never an API token. */
export const requireSession: preHandlerAsyncHookHandler = async (request) => {
  if (credentialOf(request).kind !== 'session') {
    throw new ForbiddenError('managing API tokens needs a signed-in session (the web UI, or a session token), not an API token');
  }
};

/** The authenticated caller of a /v1 request. */
export function callerOf(request: FastifyRequest): User {
  return credentialOf(request).user;
}

/** The caller's credential: their user, and whether a session or an API token (and its scope) vouched for them. */
export function credentialOf(request: FastifyRequest): Credential {
  const credential = credentials.get(request);
  if (!credential) throw new Error('callerOf used on a route without requireCaller');
  return credential;
}
