/**
 * user-service's internal HTTP API (docs/design.md §3): the original's register,
 * login and logout, session validation for the gateway, and API tokens.
 * Errors are thrown as typed errors; the kit server answers them as a status
 * and `{"err": message}` (an invalid token on /validate is 401 Access Denied!).
 */
import type { FastifyInstance } from 'fastify';
import { ValidationError, type ApiTokenInfo, type User, type UserManager } from '@delinkcious/object-model';

type Fields = Record<string, unknown>;

export interface WireUser {
  username: string;
  name: string;
  email: string;
}

export interface WireApiTokenInfo {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

export const userToWire = (user: User): WireUser => ({ username: user.username, name: user.name, email: user.email });

export function tokenInfoToWire(info: ApiTokenInfo): WireApiTokenInfo {
  return {
    id: info.id,
    name: info.name,
    created_at: info.createdAt.toISOString(),
    last_used_at: info.lastUsedAt ? info.lastUsedAt.toISOString() : null,
  };
}

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

const params = (request: { params: unknown }) => request.params as Record<string, string>;

export function registerUserRoutes(server: FastifyInstance, manager: UserManager): void {
  server.post('/register', async (request) => {
    const body = bodyOf(request.body);
    const user = await manager.register({
      username: text(body, 'username') ?? '',
      name: text(body, 'name') ?? '',
      email: text(body, 'email') ?? '',
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
    const user = await manager.validate(text(bodyOf(request.body), 'token') ?? '');
    return { err: '', user: userToWire(user) };
  });

  server.post('/users/:username/tokens', async (request) => {
    const created = await manager.createApiToken(params(request).username ?? '', text(bodyOf(request.body), 'name') ?? '');
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
}
