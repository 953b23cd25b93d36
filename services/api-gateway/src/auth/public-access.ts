/**
 * Who may read what people show of themselves: profiles, people search and
 * public Atom feeds, as PUBLIC_PROFILES says. With `anyone`, an anonymous
 * caller reads them and a caller who presents a token is still authenticated
 * (a bad token is 401 here as everywhere); `signed-in` needs a caller; `off`
 * hides them all behind 404, as if they did not exist.
 */
import type { FastifyRequest, preValidationAsyncHookHandler } from 'fastify';
import { NotFoundError } from '@delinkcious/object-model';
import type { Authenticator } from './authenticator.ts';

export const publicProfilesModes = ['anyone', 'signed-in', 'off'] as const;
export type PublicProfiles = (typeof publicProfilesModes)[number];

const hidden = () => new NotFoundError('profiles are not public on this server');

/** For /v1/users…: profiles and people search. */
export function profileReaders(auth: Authenticator, mode: PublicProfiles): preValidationAsyncHookHandler {
  return async (request: FastifyRequest) => {
    if (mode === 'off') throw hidden();
    if (mode === 'signed-in' || auth.tokenOf(request)) await auth.authenticate(request);
  };
}

/** For the public feeds: a feed reader presents no token, so only `anyone` serves them. */
export function publicFeedReaders(mode: PublicProfiles): preValidationAsyncHookHandler {
  return async () => {
    if (mode !== 'anyone') throw new NotFoundError('public feeds are not served on this server');
  };
}
