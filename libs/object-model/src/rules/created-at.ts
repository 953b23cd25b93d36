/**
 * A link's own creation time, when a client brings one (Pinboard's posts/add
 * `dt`): links saved elsewhere keep the date they were first saved.
 */
import { ValidationError } from '../errors.ts';

/**
 * A Date, or an RFC 3339 time as text; absent is undefined. A time after `now`
 * is taken as `now`: nothing is saved in the future (Pinboard resets future
 * datestamps to the server's time likewise).
 */
export function optionalCreatedAt(value: unknown, now: Date, field = 'created_at'): Date | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const date = value instanceof Date ? value : typeof value === 'string' && rfc3339.test(value.trim()) ? new Date(value.trim()) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw new ValidationError(`${field} must be a time like 2010-12-11T19:48:02Z`);
  return date.getTime() > now.getTime() ? now : date;
}

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;
