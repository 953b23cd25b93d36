/**
 * Pinboard's arguments, read as its clients send them: every method is a GET
 * with the query string (a form body is read too), `yes`/`no` flags, UTC
 * datetimes `2010-12-11T19:48:02Z`, dates `2010-12-11`, and tags separated by
 * whitespace (`+` in the URL), by commas, or in repeated parameters (as
 * node-pinboard sends arrays). A value a client cannot mean is a
 * ValidationError naming the argument.
 */
import type { FastifyRequest } from 'fastify';
import { ValidationError, optionalFlag, parseTags } from '@delinkcious/object-model';
import { fieldsOf, type Fields } from '../inputs.ts';

export type Format = 'xml' | 'json';

/** `format=json` answers JSON; anything else (or nothing) XML, Pinboard's default. */
export function formatOf(request: FastifyRequest): Format {
  const format = (request.query as Fields | undefined)?.format;
  return format === 'json' ? 'json' : 'xml';
}

export class PinboardArgs {
  private readonly fields: Fields;

  constructor(request: FastifyRequest) {
    this.fields = fieldsOf(request);
  }

  /** The argument's text; absent, empty or whitespace-only is undefined. Repeated, the last one wins except where noted. */
  text(name: string): string | undefined {
    const value = this.fields[name];
    const last = Array.isArray(value) ? value.at(-1) : value;
    if (last === undefined || last === null) return undefined;
    if (typeof last !== 'string') throw new ValidationError(`${name} must be text`);
    return last.trim() === '' ? undefined : last;
  }

  flag(name: string): boolean | undefined {
    return optionalFlag(this.text(name), name);
  }

  /** Tags as the link rules read them (lower-cased, checked), from every repetition of the argument. */
  tags(name: string, max?: number): string[] {
    const value = this.fields[name];
    const items = (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === 'string');
    if (value !== undefined && items.length === 0) throw new ValidationError(`${name} must be text`);
    const tags = parseTags(items.join(' '), name);
    if (max !== undefined && tags.length > max) throw new ValidationError(`${name}: at most ${max} tags`);
    return tags;
  }

  /** A whole number in [min, max]; absent is undefined. */
  integer(name: string, min: number, max: number): number | undefined {
    const text = this.text(name)?.trim();
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
      throw new ValidationError(`${name} must be a whole number from ${min} to ${max}`);
    }
    return Number(text);
  }

  datetime(name: string): Date | undefined {
    const text = this.text(name)?.trim();
    return text === undefined ? undefined : parseDatetime(text, name);
  }

  /** A UTC day `2010-12-11` (a datetime is taken as its day, as clients send either). */
  day(name: string): string | undefined {
    const text = this.text(name)?.trim();
    if (text === undefined) return undefined;
    if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
      const date = new Date(`${text}T00:00:00Z`);
      if (!Number.isNaN(date.getTime()) && dayOf(date) === text) return text;
      throw new ValidationError(`${name} must be a UTC date like 2010-12-11`);
    }
    return dayOf(parseDatetime(text, name));
  }
}

/**
 * Pinboard's datetime is `2010-12-11T19:48:02Z`; clients also send fractions
 * of a second or an offset, which name one instant just as well.
 */
const datetimePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

function parseDatetime(text: string, name: string): Date {
  const date = datetimePattern.test(text) ? new Date(text) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw new ValidationError(`${name} must be a UTC datetime like 2010-12-11T19:48:02Z`);
  return date;
}

/** Pinboard's datetime: UTC, whole seconds. */
export function pinboardTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

export function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}
