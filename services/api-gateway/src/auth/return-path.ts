/**
 * Where a browser goes back to after signing in (`/login?next=/save?url=…`):
 * only a path on this site, never an open redirect. The path survives the trip
 * to GitHub in a short-lived cookie scoped to /login (GitHub's callback carries
 * only code and state); it is checked again when read, so a cookie set any
 * other way cannot send anyone elsewhere either.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '@delinkcious/object-model';
import { publicBase } from './cookies.ts';

export const returnCookie = 'delinkcious_return';
/** A cookie holds about 4 KB; /save?url=…&title=… fits well below this. */
export const maxReturnPathLength = 3000;
const returnMaxAgeSeconds = 10 * 60;
/** A base no request can name: a path that leaves it was never a path on this site. */
const probeOrigin = 'http://return-path.invalid';

/**
 * The path itself when it is a same-origin path (one leading slash, no
 * backslash, no control character), else undefined. `//evil.example`,
 * `/\evil.example`, `https://evil.example`, `javascript:…` are all refused.
 */
export function safeReturnPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '' || value.length > maxReturnPathLength) return undefined;
  if (!value.startsWith('/') || value.startsWith('//')) return undefined;
  // Browsers read "\" as "/" in URLs ("/\evil.example" is "//evil.example"); control characters are stripped.
  if (/[\\\p{Cc}]/u.test(value)) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value, probeOrigin);
  } catch {
    return undefined;
  }
  if (parsed.origin !== probeOrigin) return undefined;
  return `${parsed.pathname}${parsed.search}${parsed.hash}`;
}

/** `next` from a request: absent is fine, anything but a path on this site is a 400 naming it. */
export function returnPathInput(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string' && value.length > maxReturnPathLength) {
    throw new ValidationError(`next is too long (at most ${maxReturnPathLength} characters)`);
  }
  const path = safeReturnPath(value);
  if (!path) throw new ValidationError('next must be a path on this site, starting with a single "/" (e.g. /save?url=…)');
  return path;
}

export function setReturnCookie(request: FastifyRequest, reply: FastifyReply, path: string, publicUrl: string | undefined): void {
  reply.setCookie(returnCookie, path, {
    path: '/login',
    httpOnly: true,
    sameSite: 'lax',
    secure: publicBase(request, publicUrl).startsWith('https:'),
    maxAge: returnMaxAgeSeconds,
  });
}

/** Forgets a return path (a sign-in started without one must not inherit an abandoned one's). */
export function clearReturnCookie(request: FastifyRequest, reply: FastifyReply, publicUrl: string | undefined): void {
  if (request.cookies[returnCookie] === undefined) return;
  reply.clearCookie(returnCookie, { path: '/login', httpOnly: true, sameSite: 'lax', secure: publicBase(request, publicUrl).startsWith('https:') });
}

/** The path saved at /login (checked again), clearing it: a return serves once. */
export function takeReturnCookie(request: FastifyRequest, reply: FastifyReply, publicUrl: string | undefined): string | undefined {
  const value = request.cookies[returnCookie];
  clearReturnCookie(request, reply, publicUrl);
  return value === undefined ? undefined : safeReturnPath(value);
}
