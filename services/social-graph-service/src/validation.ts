/** The rules a username must follow; each failure names the field and why. */
import { ValidationError } from '@delinkcious/object-model';

export const limits = {
  usernameLength: 128,
} as const;

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const controlCharacter = /[\u0000-\u001f\u007f]/;

export function requireUsername(value: unknown, field = 'username'): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ValidationError(`${field} is required`);
  const username = value.trim();
  if (username.length > limits.usernameLength) throw new ValidationError(`${field} is longer than ${limits.usernameLength} characters`);
  // PostgreSQL text cannot hold NUL, and no real username holds a control character.
  if (controlCharacter.test(username)) throw new ValidationError(`${field} must not contain control characters`);
  return username;
}
