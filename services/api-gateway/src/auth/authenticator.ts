/**
 * Who is calling: the token from `Access-Token` (the original's header),
 * `Authorization: Bearer`, or the session cookie of a browser, validated by
 * user-service through a short cache (see token-cache.ts).
 */
import type { FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthenticatedError, type Credential, type UserManager } from '@delinkcious/object-model';
import { publicBase, sessionCookie } from './cookies.ts';
import { TokenCache, tokenKey } from './token-cache.ts';

export interface PresentedToken {
  token: string;
  /** A cookie is sent by the browser on its own, so requests carrying only it need CSRF care. */
  source: 'header' | 'cookie';
}

export interface AuthenticatorOptions {
  ttlMs: number;
  maxEntries: number;
  now?: () => number;
}

const bearerPattern = /^Bearer\s+(\S+)\s*$/i;

export class Authenticator {
  private readonly cache: TokenCache<Credential>;
  /** Validations under way, so a burst of requests with one new token asks user-service once. */
  private readonly inFlight = new Map<string, Promise<Credential>>();

  constructor(
    private readonly users: UserManager,
    options: AuthenticatorOptions,
  ) {
    this.cache = new TokenCache(options.ttlMs, options.maxEntries, options.now);
  }

  /** The token a request carries; a header wins over the cookie. */
  tokenOf(request: FastifyRequest): PresentedToken | undefined {
    const accessToken = request.headers['access-token'];
    if (typeof accessToken === 'string' && accessToken.trim()) return { token: accessToken.trim(), source: 'header' };
    const authorization = request.headers.authorization;
    if (typeof authorization === 'string') {
      const match = bearerPattern.exec(authorization);
      if (match?.[1]) return { token: match[1], source: 'header' };
    }
    const cookie = request.cookies?.[sessionCookie];
    if (cookie) return { token: cookie, source: 'cookie' };
    return undefined;
  }

  /** The caller's user and token kind and scope; UnauthenticatedError (401) when the token is missing or invalid. */
  async authenticate(request: FastifyRequest): Promise<Credential> {
    const presented = this.tokenOf(request);
    if (!presented) throw new UnauthenticatedError();
    return this.validate(presented.token);
  }

  async validate(token: string): Promise<Credential> {
    const key = tokenKey(token);
    const cached = this.cache.get(key);
    if (cached) return cached;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.users.validate(token).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    let credential: Credential;
    try {
      credential = await pending;
    } catch (error) {
      // Whatever user-service said about why, the caller only learns that access is denied.
      if (error instanceof UnauthenticatedError) throw new UnauthenticatedError(undefined, { cause: error });
      throw error;
    }
    this.cache.set(key, credential);
    return credential;
  }

  /** The credential of a token validated moments ago, without asking user-service (for rate-limit keys). */
  recentlyValidated(token: string): Credential | undefined {
    return this.cache.get(tokenKey(token));
  }

  forgetToken(token: string): void {
    this.cache.delete(tokenKey(token));
  }

  /** After a user revokes one of their tokens: we do not know which cached token it was, so drop them all. */
  forgetUser(username: string): void {
    this.cache.deleteWhere((credential) => credential.user.username === username);
  }
}

const crossSite = () => new ForbiddenError('cross-site request refused');

/**
 * With cookie authentication, a state-changing request must not come from
 * another site. SameSite=Lax already keeps the cookie off cross-site POSTs;
 * this refuses one whose Origin names another site anyway (older browsers,
 * sibling subdomains). Without Origin, the browser's Sec-Fetch-Site, else the
 * Referer, must say the request comes from this site; a request with none of
 * the three is no browser's cross-site request (browsers send Origin on every
 * cross-site POST, PUT and DELETE) and passes.
 */
export function checkSameOrigin(request: FastifyRequest, publicUrl: string | undefined): void {
  if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return;
  const allowed = [new URL(publicBase(request, publicUrl)).origin, `${request.protocol}://${request.host}`];
  const origin = request.headers.origin;
  if (origin !== undefined) {
    if (!allowed.includes(origin)) throw crossSite();
    return;
  }
  const fetchSite = request.headers['sec-fetch-site'];
  if (typeof fetchSite === 'string') {
    // "none": the user's own action (a bookmark, the address bar); "same-site" is a sibling subdomain: not us.
    if (fetchSite !== 'same-origin' && fetchSite !== 'none') throw crossSite();
    return;
  }
  const referer = request.headers.referer;
  if (typeof referer === 'string' && referer !== '') {
    let refererOrigin: string;
    try {
      refererOrigin = new URL(referer).origin;
    } catch {
      throw crossSite();
    }
    if (!allowed.includes(refererOrigin)) throw crossSite();
  }
}
