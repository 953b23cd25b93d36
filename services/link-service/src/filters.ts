/**
 * Regular-expression filters (their length and characters are checked by
 * optionalPattern, in the object-model) and page tokens of GetLinks. Patterns use RE2
 * syntax (as the original Go service did) through re2js, whose matching time is
 * linear in the input: no pattern can hang the service.
 */
import { RE2JS } from 're2js';
import { ValidationError } from '@delinkcious/object-model';

export type TextMatcher = (text: string) => boolean;

export function compilePattern(pattern: string | undefined, field: string): TextMatcher | undefined {
  if (pattern === undefined || pattern === '') return undefined;
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : 'invalid';
    throw new ValidationError(`${field} is not a valid regular expression: ${reason}`);
  }
  return (text) => compiled.matcher(text).find();
}

/** Page tokens are opaque to clients: the id of the last link seen, wrapped. */
export function encodePageToken(lastId: number): string {
  return Buffer.from(JSON.stringify({ v: 1, before: lastId })).toString('base64url');
}

export function decodePageToken(token: string | undefined): number | undefined {
  if (token === undefined || token === '') return undefined;
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; before?: unknown };
    if (decoded.v === 1 && Number.isSafeInteger(decoded.before) && (decoded.before as number) > 0) return decoded.before as number;
  } catch {
    // fall through to the error below
  }
  throw new ValidationError('start_token is not a valid page token');
}
