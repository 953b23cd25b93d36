/**
 * Who is calling, as Pinboard clients say it: `auth_token=username:TOKEN` in
 * the query, or HTTP Basic with the username and the token as the password.
 * TOKEN is a Delinkcious API token (a session token is refused: a third-party
 * app holds its own revocable token). The username must be the token's owner's.
 */
import type { FastifyRequest } from 'fastify';
import { UnauthenticatedError, canonicalUsername, type Credential } from '@delinkcious/object-model';
import type { Authenticator } from '../auth/authenticator.ts';

export interface PinboardCaller {
  credential: Credential;
  /** The token the caller authenticated with (user/api_token answers it). */
  token: string;
}

/** The username and token a request presents, or undefined. */
export function presentedCredentials(request: FastifyRequest): { username: string; token: string } | undefined {
  const authToken = (request.query as Record<string, unknown> | undefined)?.auth_token;
  if (typeof authToken === 'string') return split(authToken, ':');
  const authorization = request.headers.authorization;
  const basic = typeof authorization === 'string' ? /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(authorization) : null;
  if (basic?.[1]) return split(Buffer.from(basic[1], 'base64').toString('utf8'), ':');
  return undefined;
}

function split(text: string, separator: string): { username: string; token: string } | undefined {
  const at = text.indexOf(separator);
  if (at <= 0 || at === text.length - 1) return undefined;
  return { username: text.slice(0, at), token: text.slice(at + 1) };
}

export async function authenticatePinboard(auth: Authenticator, request: FastifyRequest): Promise<PinboardCaller> {
  const presented = presentedCredentials(request);
  if (!presented) throw new UnauthenticatedError();
  const credential = await auth.validate(presented.token);
  let named: string;
  try {
    named = canonicalUsername(presented.username);
  } catch {
    throw new UnauthenticatedError();
  }
  if (credential.kind !== 'api_token' || named !== credential.user.username) throw new UnauthenticatedError();
  return { credential, token: presented.token };
}
