/**
 * One username rule for every service: GitHub's rule for a login, since every
 * username comes from GitHub or from the local sign-in.
 */
import { ValidationError } from '../errors.ts';
import { limits } from './limits.ts';
import { requireText } from './text.ts';

/** Letters, digits and single hyphens, not at either end (and at most limits.usernameLength). */
export const usernamePattern = /^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$/;

export function isUsername(text: string): boolean {
  return text.length <= limits.usernameLength && usernamePattern.test(text);
}

/** The username in `value`, trimmed. */
export function requireUsername(value: unknown, field = 'username'): string {
  const username = requireText(value, field, { max: limits.usernameLength });
  if (!usernamePattern.test(username)) {
    throw new ValidationError(`${field} may only contain letters, digits and single hyphens, and cannot begin or end with a hyphen`);
  }
  return username;
}

/**
 * The one form a username is stored and compared in: lower case, so "Alice"
 * and "alice" are one account (as on GitHub). Usernames are ASCII, so lower
 * case needs no locale.
 */
export function canonicalUsername(value: unknown, field = 'username'): string {
  return requireUsername(value, field).toLowerCase();
}
