/** A user's profile (from GitHub) and the names of their API tokens. */
import { ValidationError } from '../errors.ts';
import { limits } from './limits.ts';
import { optionalText } from './text.ts';

export function optionalName(value: unknown, field = 'name'): string {
  return optionalText(value, field, { max: limits.nameLength });
}

export function optionalEmail(value: unknown, field = 'email'): string {
  const email = optionalText(value, field, { max: limits.emailLength });
  // Deliberately loose (GitHub has checked it): one @ with something on each side, no spaces.
  if (email !== '' && !/^[^\s@]+@[^\s@]+$/.test(email)) throw new ValidationError(`${field} is not an email address`);
  return email;
}

export function requireTokenName(value: unknown, field = 'name'): string {
  const name = optionalText(value, field, { max: limits.tokenNameLength });
  if (name === '') throw new ValidationError(`${field} is required: say what the token is for`);
  return name;
}
