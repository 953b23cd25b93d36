/**
 * The link-checker function's HTTP face (docs/design.md §3): `POST /` with
 * `{"Username","Url"}` (or `username`/`url`), answered after the result is
 * published with `{"err":"","status","http_status"}` and the rest of the link.checked event.
 */
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '@delinkcious/object-model';
import type { DefaultLinkChecker } from '../checker.ts';

type Fields = Record<string, unknown>;

function bodyOf(body: unknown): Fields {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ValidationError('request body must be a JSON object');
  return body as Fields;
}

function pick(fields: Fields, ...names: string[]): unknown {
  for (const name of names) if (fields[name] !== undefined) return fields[name];
  return undefined;
}

export function registerLinkCheckerRoutes(server: FastifyInstance, checker: Pick<DefaultLinkChecker, 'check'>): void {
  server.post('/', async (request) => {
    const body = bodyOf(request.body);
    const outcome = await checker.check(pick(body, 'Username', 'username'), pick(body, 'Url', 'url'));
    // The whole result too (what link.checked carries): link-service applies it at once.
    return { ...outcome.event, err: '', status: outcome.status, http_status: outcome.httpStatus };
  });
}
