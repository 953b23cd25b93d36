/**
 * Request inputs of the public API. The original accepted a JSON body, a form
 * body or the query string (its smoke test sends the query string), so every
 * route reads one merged set of fields, the body winning over the query, with
 * the same rules whatever the encoding.
 */
import type { FastifyRequest } from 'fastify';
import { ValidationError } from '@delinkcious/object-model';

export type Fields = Record<string, unknown>;

export const defaultLimit = 10;
export const maxLimit = 100;

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

/**
 * Tags as users send them: a comma- or space-separated string, a JSON array
 * (also as the text of a form or query field), the original's map
 * `{"tag": true}`, or a repeated form field.
 */
export function tagList(fields: Fields, name: string): string[] | undefined {
  let value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && value.trimStart().startsWith('[')) {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      throw new ValidationError(`${name} is not a valid JSON array`);
    }
  }
  let items: unknown[];
  if (typeof value === 'string') items = [value];
  else if (Array.isArray(value)) items = value;
  else if (typeof value === 'object') {
    items = Object.entries(value as Fields)
      .filter(([, on]) => on !== false)
      .map(([tag]) => tag);
  } else throw new ValidationError(`${name} must be a list of tags`);
  const tags: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string') throw new ValidationError(`${name} must contain only text`);
    tags.push(...item.split(/[\s,]+/).filter((tag) => tag !== ''));
  }
  return tags;
}

export function pageLimit(fields: Fields): number {
  const value = optionalText(fields, 'limit');
  if (value === undefined || value.trim() === '') return defaultLimit;
  const limit = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || limit < 1 || limit > maxLimit) {
    throw new ValidationError(`limit must be a whole number from 1 to ${maxLimit}`);
  }
  return limit;
}
