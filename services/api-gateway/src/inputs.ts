/**
 * Request inputs of the public API. The original accepted a JSON body, a form
 * body or the query string (its smoke test sends the query string), so every
 * route reads one merged set of fields, the body winning over the query, with
 * the same rules whatever the encoding. Only the shape is checked here (is it
 * text? given once?): the managers own the rules (the object-model's rules).
 */
import type { FastifyRequest } from 'fastify';
import { ValidationError } from '@delinkcious/object-model';

export type Fields = Record<string, unknown>;

export function fieldsOf(request: FastifyRequest): Fields {
  const query = (request.query ?? {}) as Fields;
  const body = request.body;
  if (body === undefined || body === null || body === '') return { ...query };
  if (typeof body !== 'object' || Array.isArray(body)) throw new ValidationError('request body must be a JSON object or a form');
  return { ...query, ...(body as Fields) };
}

/** A text field; numbers and booleans from JSON are taken as their text. */
export function optionalText(fields: Fields, name: string): string | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) throw new ValidationError(`${name} was given more than once`);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') throw new ValidationError(`${name} must be text`);
  return value;
}

export function requiredText(fields: Fields, name: string): string {
  const value = optionalText(fields, name);
  if (value === undefined || value.trim() === '') throw new ValidationError(`${name} is required`);
  return value.trim();
}
