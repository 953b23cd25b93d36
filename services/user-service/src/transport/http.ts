/**
 * user-service's internal HTTP API (docs/design.md §3): the original's register,
 * login and logout, session validation for the gateway (answering the token's
 * kind and scope), user lookup, API tokens, and OAuth sign-in states.
 * Errors are thrown as typed errors; the kit server answers them as a status
 * and `{"err": message}` (an invalid token on /validate is 401 Access Denied!).
 */
import type { FastifyInstance } from 'fastify';
import { ValidationError, optionalFlag, settingsToWire, tokenInfoToWire, type TokenScope, type User, type UserManager } from '@delinkcious/object-model';

type Fields = Record<string, unknown>;

export interface WireUser {
  username: string;
  spelling?: string;
  name: string;
  email: string;
  github_id?: number;
}

export const userToWire = (user: User): WireUser => ({
  username: user.username,
  ...(user.spelling !== undefined && { spelling: user.spelling }),
  name: user.name,
  email: user.email,
  ...(user.githubId !== undefined && { github_id: user.githubId }),
});

function bodyOf(body: unknown): Fields {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ValidationError('request body must be a JSON object');
  return body as Fields;
}

/** A text field; absent is undefined (the manager says whether it is required). */
function text(fields: Fields, name: string): string | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ValidationError(`${name} must be text`);
  return value;
}

/** A whole-number field; absent is undefined. */
function wholeNumber(fields: Fields, name: string): number | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new ValidationError(`${name} must be a whole number`);
  return value;
}

const params = (request: { params: unknown }) => request.params as Record<string, string>;

export function registerUserRoutes(server: FastifyInstance, manager: UserManager): void {
  server.post('/register', async (request) => {
    const body = bodyOf(request.body);
    const user = await manager.register({
      username: text(body, 'username') ?? '',
      name: text(body, 'name') ?? '',
      email: text(body, 'email') ?? '',
      githubId: wholeNumber(body, 'github_id'),
    });
    return { err: '', user: userToWire(user) };
  });

  server.post('/login', async (request) => {
    const session = await manager.login(text(bodyOf(request.body), 'username') ?? '');
    return { err: '', session: session.token, username: session.username, expires_at: session.expiresAt.toISOString() };
  });

  server.post('/logout', async (request) => {
    await manager.logout(text(bodyOf(request.body), 'token') ?? '');
    return { err: '' };
  });

  server.post('/validate', async (request) => {
    const credential = await manager.validate(text(bodyOf(request.body), 'token') ?? '');
    return { err: '', user: userToWire(credential.user), kind: credential.kind, scope: credential.scope };
  });

  server.get('/users/:username', async (request) => {
    return { err: '', user: userToWire(await manager.getUser(params(request).username ?? '')) };
  });

  server.post('/users/:username/tokens', async (request) => {
    const body = bodyOf(request.body);
    const scope = text(body, 'scope') as TokenScope | undefined; // the manager checks it
    const created = await manager.createApiToken(params(request).username ?? '', text(body, 'name') ?? '', scope);
    return { err: '', token: created.token, info: tokenInfoToWire(created.info) };
  });

  server.get('/users/:username/tokens', async (request) => {
    const tokens = await manager.listApiTokens(params(request).username ?? '');
    return { err: '', tokens: tokens.map(tokenInfoToWire) };
  });

  server.delete('/users/:username/tokens/:id', async (request) => {
    const { username, id } = params(request);
    await manager.revokeApiToken(username ?? '', id ?? '');
    return { err: '' };
  });

  server.get('/users/:username/settings', async (request) => {
    return { err: '', settings: settingsToWire(await manager.getSettings(params(request).username ?? '')) };
  });

  server.put('/users/:username/settings', async (request) => {
    const body = bodyOf(request.body);
    const defaultPrivate = optionalFlag(body.default_private, 'default_private');
    const settings = await manager.updateSettings(params(request).username ?? '', {
      ...(defaultPrivate !== undefined && { defaultPrivate }),
    });
    return { err: '', settings: settingsToWire(settings) };
  });

  // People search: `q` (a username or name prefix), `limit` (1–20), `start_token`.
  server.get('/users', async (request) => {
    const query = (request.query ?? {}) as Fields;
    const limit = text(query, 'limit');
    if (limit !== undefined && !/^\d+$/.test(limit)) throw new ValidationError('limit must be a whole number');
    const page = await manager.searchUsers({
      query: text(query, 'q') ?? '',
      ...(limit !== undefined && { limit: Number(limit) }),
      startToken: text(query, 'start_token'),
    });
    return { err: '', users: page.users, next_page_token: page.nextPageToken };
  });

  server.get('/users/:username/feed-token', async (request) => {
    const info = await manager.getFeedToken(params(request).username ?? '');
    return { err: '', feed_token: info && { created_at: info.createdAt.toISOString() } };
  });

  server.post('/users/:username/feed-token', async (request) => {
    const made = await manager.newFeedToken(params(request).username ?? '');
    return { err: '', token: made.token, created_at: made.info.createdAt.toISOString() };
  });

  // The token travels in the body, never in a URL that logs would keep.
  server.post('/feed-tokens/owner', async (request) => {
    return { err: '', username: await manager.feedTokenOwner(text(bodyOf(request.body), 'token') ?? '') };
  });

  server.post('/sign-in-states', async () => {
    return { err: '', state: await manager.newSignInState() };
  });

  server.post('/sign-in-states/consume', async (request) => {
    return { err: '', consumed: await manager.consumeSignInState(text(bodyOf(request.body), 'state') ?? '') };
  });
}
