/**
 * The hook that guards /v1: it authenticates the caller before the handler
 * runs, and handlers read the caller with callerOf(request). It runs at
 * preValidation, after the rate limiter (onRequest), so a flood of bad tokens
 * is limited before it reaches user-service.
 */
import type { FastifyRequest, preValidationAsyncHookHandler } from 'fastify';
import type { User } from '@delinkcious/object-model';
import { checkSameOrigin, type Authenticator } from './authenticator.ts';

const callers = new WeakMap<FastifyRequest, User>();

export function requireCaller(auth: Authenticator, publicUrl: string | undefined): preValidationAsyncHookHandler {
  return async (request) => {
    const user = await auth.authenticate(request);
    if (auth.tokenOf(request)?.source === 'cookie') checkSameOrigin(request, publicUrl);
    callers.set(request, user);
  };
}

/** The authenticated caller of a /v1 request. */
export function callerOf(request: FastifyRequest): User {
  const user = callers.get(request);
  if (!user) throw new Error('callerOf used on a route without requireCaller');
  return user;
}
