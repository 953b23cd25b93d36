/**
 * The gateway's two cookies. The session cookie holds the Delinkcious session
 * token; it is not signed, because the token is already an unguessable secret
 * checked by user-service, and a signature would make every session die with a
 * generated SESSION_SECRET at restart. The OAuth state cookie is signed: it is
 * what binds a sign-in to the browser that started it.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export const sessionCookie = 'delinkcious_session';
export const stateCookie = 'delinkcious_oauth_state';
const stateMaxAgeSeconds = 10 * 60;

/** The base URL the public sees: PUBLIC_URL, or what the request says (Host, and X-Forwarded-* with TRUST_PROXY). */
export function publicBase(request: FastifyRequest, publicUrl: string | undefined): string {
  return publicUrl ?? `${request.protocol}://${request.host}`;
}

function secure(request: FastifyRequest, publicUrl: string | undefined): boolean {
  return publicBase(request, publicUrl).startsWith('https:');
}

export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  expiresAt: Date,
  publicUrl: string | undefined,
): void {
  reply.setCookie(sessionCookie, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: secure(request, publicUrl),
    expires: expiresAt,
  });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply, publicUrl: string | undefined): void {
  reply.clearCookie(sessionCookie, { path: '/', httpOnly: true, sameSite: 'lax', secure: secure(request, publicUrl) });
}

export function setStateCookie(request: FastifyRequest, reply: FastifyReply, state: string, publicUrl: string | undefined): void {
  // Lax: the cookie comes back on GitHub's top-level redirect to /login/authorized, not on cross-site subrequests.
  reply.setCookie(stateCookie, state, {
    path: '/login',
    httpOnly: true,
    sameSite: 'lax',
    secure: secure(request, publicUrl),
    signed: true,
    maxAge: stateMaxAgeSeconds,
  });
}

export function clearStateCookie(request: FastifyRequest, reply: FastifyReply, publicUrl: string | undefined): void {
  reply.clearCookie(stateCookie, { path: '/login', httpOnly: true, sameSite: 'lax', secure: secure(request, publicUrl) });
}

/** The state the browser was given: missing (expired, or another browser), forged (bad signature), or the value. */
export function readStateCookie(request: FastifyRequest): { state: string } | { problem: 'missing' | 'forged' } {
  const raw = request.cookies[stateCookie];
  if (!raw) return { problem: 'missing' };
  const unsigned = request.unsignCookie(raw);
  return unsigned.valid && unsigned.value ? { state: unsigned.value } : { problem: 'forged' };
}
