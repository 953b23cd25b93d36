/** The rules a user and an API token follow; each failure names the field and why. */
import { ValidationError } from '@delinkcious/object-model';

export const limits = {
  usernameLength: 39,
  nameLength: 256,
  emailLength: 320,
  tokenNameLength: 100,
} as const;

// GitHub's login rules: alphanumerics and single hyphens, not at either end.
const githubLogin = /^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$/;

export function requireUsername(value: unknown, field = 'username'): string {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    throw new ValidationError(`${field} is required`);
  }
  if (typeof value !== 'string') throw new ValidationError(`${field} must be text`);
  const username = value.trim();
  if (username.length > limits.usernameLength) {
    throw new ValidationError(`${field} is longer than ${limits.usernameLength} characters`);
  }
  if (!githubLogin.test(username)) {
    throw new ValidationError(
      `${field} may only contain letters, digits and single hyphens, and cannot begin or end with a hyphen`,
    );
  }
  return username;
}

/** Optional text: absent is empty; trimmed; at most `max` characters. */
function optionalText(value: unknown, field: string, max: number): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new ValidationError(`${field} must be text`);
  const text = value.trim();
  if (text.length > max) throw new ValidationError(`${field} is longer than ${max} characters`);
  return text;
}

export function validateName(value: unknown): string {
  return optionalText(value, 'name', limits.nameLength);
}

export function validateEmail(value: unknown): string {
  const email = optionalText(value, 'email', limits.emailLength);
  // Deliberately loose (GitHub has checked it): one @ with something on each side, no spaces.
  if (email !== '' && !/^[^\s@]+@[^\s@]+$/.test(email)) throw new ValidationError('email is not an email address');
  return email;
}

export function validateTokenName(value: unknown): string {
  const name = optionalText(value, 'name', limits.tokenNameLength);
  if (name === '') throw new ValidationError('name is required: say what the token is for');
  return name;
}

export function requireTokenId(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ValidationError('id is required');
  return value.trim();
}
