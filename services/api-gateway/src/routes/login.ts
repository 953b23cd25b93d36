/**
 * Sign-in (docs/design.md §2): GitHub OAuth with a state bound to the browser by a
 * signed cookie and single-use (user-service, shared by every replica, holds it
 * until it is used once), the optional local sign-in of embedded mode
 * (DEV_LOGIN), and logout. A JSON client gets {"login","name","email","access_token"};
 * a browser gets a session cookie and is sent to the web UI. A GitHub account
 * is known by its numeric id, so a renamed login keeps its account and a login
 * taken over by someone else does not bring the account along.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  UnavailableError,
  ValidationError,
  isUsername,
  limits,
  usernamePattern,
  type User,
  type UserManager,
} from '@delinkcious/object-model';
import { prefersJson } from '../accept.ts';
import { checkSameOrigin, type Authenticator } from '../auth/authenticator.ts';
import { clearSessionCookie, clearStateCookie, publicBase, readStateCookie, setSessionCookie, setStateCookie } from '../auth/cookies.ts';
import { clearReturnCookie, returnPathInput, setReturnCookie, takeReturnCookie } from '../auth/return-path.ts';
import type { GitHubOAuth } from '../github.ts';
import { fieldsOf, optionalText, requiredText, type Fields } from '../inputs.ts';
import { bodyTypes, errors, okBody, usernameInput } from '../openapi.ts';

export interface LoginOptions {
  users: UserManager;
  auth: Authenticator;
  /** Absent when GITHUB_CLIENT_ID/SECRET are not set. */
  github: GitHubOAuth | undefined;
  devLogin: boolean;
  publicUrl: string | undefined;
}

const signedIn = {
  200: {
    description: 'Signed in (to a client that accepts application/json)',
    type: 'object',
    properties: {
      login: { type: 'string', description: 'your username' },
      name: { type: 'string' },
      email: { type: 'string' },
      access_token: { type: 'string', description: 'your Delinkcious session token' },
    },
  },
  302: { description: 'Signed in (a browser): session cookie set, redirected to the web UI', type: 'null' },
};

function notConfigured(): UnavailableError {
  return new UnavailableError(
    'sign-in is not configured: set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET, or DEV_LOGIN=true for a local sign-in',
  );
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function registerLoginRoutes(server: FastifyInstance, options: LoginOptions): void {
  const { users, auth, github, devLogin, publicUrl } = options;
  const redirectUri = (request: FastifyRequest) => `${publicBase(request, publicUrl)}/login/authorized`;

  /**
   * Registers the user (or finds them registered) and opens a session; answers as the client prefers.
   * A username held by another GitHub account is user-service's ConflictError (409): never that account.
   */
  async function completeSignIn(request: FastifyRequest, reply: FastifyReply, profile: User, returnTo = '/') {
    const user = await users.register(profile);
    const session = await users.login(user.username);
    reply.header('cache-control', 'no-store');
    if (prefersJson(request.headers.accept)) {
      // The username as its owner wrote it; every service accepts it in any case.
      return reply.send({ login: user.spelling ?? user.username, name: user.name, email: user.email, access_token: session.token });
    }
    setSessionCookie(request, reply, session.token, session.expiresAt, publicUrl);
    return reply.redirect(returnTo, 302);
  }

  server.get(
    '/login',
    {
      schema: {
        tags: ['sign-in'],
        summary: 'Sign in with GitHub: redirects to GitHub (or to the local sign-in when only DEV_LOGIN is on)',
        querystring: {
          type: 'object',
          properties: { next: { type: 'string', description: 'a path on this site to come back to once signed in (e.g. /save?url=…); default /' } },
        },
        response: { 302: { description: 'To GitHub', type: 'null' }, ...errors(400, 503) },
      },
    },
    async (request, reply) => {
      const next = returnPathInput((request.query as Fields).next);
      if (github) {
        const state = await users.newSignInState();
        setStateCookie(request, reply, state, publicUrl);
        if (next) setReturnCookie(request, reply, next, publicUrl);
        else clearReturnCookie(request, reply, publicUrl);
        return reply.redirect(github.authorizeUrl(redirectUri(request), state), 302);
      }
      if (devLogin) return reply.redirect(next ? `/login/dev?next=${encodeURIComponent(next)}` : '/login/dev', 302);
      throw notConfigured();
    },
  );

  server.get(
    '/login/authorized',
    {
      schema: {
        tags: ['sign-in'],
        summary: "GitHub's callback: checks the state, exchanges the code, signs you in",
        querystring: { type: 'object', properties: { code: { type: 'string' }, state: { type: 'string' } } },
        response: { ...signedIn, ...errors(400, 401, 403, 503) },
      },
    },
    async (request, reply) => {
      if (!github) throw notConfigured();
      const query = request.query as Fields;
      const cookie = readStateCookie(request);
      clearStateCookie(request, reply, publicUrl); // a state serves once
      const returnTo = takeReturnCookie(request, reply, publicUrl);
      const refused = optionalText(query, 'error');
      if (refused) throw new UnauthenticatedError(`GitHub sign-in did not complete (${refused.slice(0, 100)})`);
      const state = optionalText(query, 'state');
      if (!state) throw new ValidationError('state is missing; start again at /login');
      if ('problem' in cookie) {
        if (cookie.problem === 'missing') {
          throw new ValidationError('this browser has no sign-in in progress (or it expired); start again at /login');
        }
        throw new ForbiddenError('the sign-in state cookie is not genuine; start again at /login');
      }
      if (!sameText(state, cookie.state)) throw new ForbiddenError('state does not match this browser’s sign-in; start again at /login');
      const code = requiredText(query, 'code');
      // Once only, whichever replica the callback reaches: a replayed callback is refused before its code is used.
      if (!(await users.consumeSignInState(state))) {
        throw new ForbiddenError('this sign-in was already completed or has expired; start again at /login');
      }

      const accessToken = await github.exchangeCode(code, redirectUri(request));
      const profile = await github.profile(accessToken);
      // Not the user's input but GitHub's answer (a GitHub Enterprise login may hold an underscore): not a 400.
      if (!isUsername(profile.login)) throw new UnavailableError('GitHub answered a login Delinkcious cannot use');
      return completeSignIn(request, reply, { username: profile.login, name: profile.name, email: profile.email, githubId: profile.id }, returnTo);
    },
  );

  const logout = async (request: FastifyRequest, reply: FastifyReply) => {
    const presented = auth.tokenOf(request);
    if (presented?.source === 'cookie') {
      // A cross-site page can make a browser GET anything, cookie attached: GET only signs out with a token header.
      if (request.method === 'GET') {
        reply.header('allow', 'POST');
        return reply.code(405).send({ err: 'sign out with POST /logout (GET /logout only takes an Access-Token or Authorization header)' });
      }
      checkSameOrigin(request, publicUrl);
    }
    if (presented && (await isApiToken(presented.token))) {
      throw new ValidationError(
        'this is an API token, not a session: nothing was signed out; revoke it with DELETE /v1/tokens/{id} from a signed-in session',
      );
    }
    if (presented) {
      try {
        await users.logout(presented.token);
      } catch (error) {
        // Already ended or never valid: the caller is logged out either way.
        if (!(error instanceof UnauthenticatedError || error instanceof NotFoundError)) throw error;
      }
      auth.forgetToken(presented.token);
    }
    clearSessionCookie(request, reply, publicUrl);
    if (prefersJson(request.headers.accept)) return reply.send({ err: '' });
    return reply.redirect('/', 302);
  };
  /** Whether the token is a valid API token (which /logout does not end); an invalid token is no API token. */
  const isApiToken = async (token: string) => {
    try {
      return (await auth.validate(token)).kind === 'api_token';
    } catch (error) {
      if (error instanceof UnauthenticatedError) return false;
      throw error;
    }
  };
  const logoutSchema = (summary: string, statuses: number[]) => ({
    schema: {
      tags: ['sign-in'],
      summary,
      response: { 200: okBody, 302: { description: 'A browser: back to the web UI', type: 'null' }, ...errors(...statuses) },
    },
  });
  server.post('/logout', logoutSchema('Sign out: ends the session and clears its cookie', [400, 403, 503]), logout);
  server.get(
    '/logout',
    logoutSchema('Sign out, for the original clients: only with a session token in a header (a cookie alone gets 405: use POST)', [400, 405, 503]),
    logout,
  );

  server.get(
    '/login/dev',
    { schema: { tags: ['sign-in'], summary: 'Local sign-in page (only with DEV_LOGIN=true)', response: errors(404) } },
    async (request, reply) => {
      if (!devLogin) throw new NotFoundError('local sign-in is off (DEV_LOGIN is not set)');
      const next = returnPathInput((request.query as Fields).next);
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(devLoginPage(next));
    },
  );

  server.post(
    '/login/dev',
    {
      schema: {
        tags: ['sign-in'],
        summary: 'Local sign-in (only with DEV_LOGIN=true): registers the user if new and signs them in',
        consumes: bodyTypes,
        body: {
          type: 'object',
          required: ['username'],
          properties: { username: usernameInput, next: { type: 'string', description: 'a path on this site to go to once signed in (a browser); default /' } },
        },
        response: { ...signedIn, ...errors(400, 403, 404, 413, 503) },
      },
    },
    async (request, reply) => {
      if (!devLogin) throw new NotFoundError('local sign-in is off (DEV_LOGIN is not set)');
      checkSameOrigin(request, publicUrl);
      // The user-service applies the username rule (a 400 naming the field).
      const fields = fieldsOf(request);
      const username = requiredText(fields, 'username');
      return completeSignIn(request, reply, { username, name: username, email: '' }, returnPathInput(fields.next));
    },
  );
}

/** The path as an HTML attribute value (it was checked to be a path; its query may hold anything). */
function attribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** No script and no inline style: it passes the gateway's strict CSP as is. */
const devLoginPage = (next: string | undefined) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Sign in to Delinkcious</title></head>
<body>
<h1>Sign in to Delinkcious</h1>
<p>Local sign-in for this machine: pick a username (as a GitHub login: letters, digits, hyphens).</p>
<form method="post" action="/login/dev">
${next ? `<input type="hidden" name="next" value="${attribute(next)}">\n` : ''}<label>Username <input name="username" required maxlength="${limits.usernameLength}" pattern="${usernamePattern.source}" autocomplete="username" autofocus></label>
<button type="submit">Sign in</button>
</form>
</body>
</html>
`;
