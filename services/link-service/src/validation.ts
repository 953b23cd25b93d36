/** The rules a link must follow (docs/design.md §2 limits); each failure names the field and why. */
import { ValidationError } from '@delinkcious/object-model';

export const limits = {
  urlLength: 2048,
  titleLength: 512,
  descriptionLength: 8192,
  tags: 64,
  tagLength: 64,
  usernameLength: 128,
} as const;

export function requireUsername(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ValidationError('username is required');
  const username = value.trim();
  if (username.length > limits.usernameLength) throw new ValidationError(`username is longer than ${limits.usernameLength} characters`);
  return username;
}

export function validateUrl(value: unknown, field = 'url'): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ValidationError(`${field} is required`);
  const url = value.trim();
  if (url.length > limits.urlLength) throw new ValidationError(`${field} is longer than ${limits.urlLength} characters`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError(`${field} is not a valid URL: ${url.slice(0, 100)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ValidationError(`${field} must be an http or https URL, not ${parsed.protocol.replace(/:$/, '')}`);
  }
  if (!parsed.hostname) throw new ValidationError(`${field} has no host`);
  return url;
}

/** The key of an existing link: required, but old links are not re-validated. */
export function requireUrlKey(value: unknown, field = 'url'): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ValidationError(`${field} is required`);
  return value.trim();
}

export function validateTitle(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ValidationError('title is required');
  const title = value.trim();
  if (title.length > limits.titleLength) throw new ValidationError(`title is longer than ${limits.titleLength} characters`);
  return title;
}

export function validateDescription(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new ValidationError('description must be text');
  if (value.length > limits.descriptionLength) {
    throw new ValidationError(`description is longer than ${limits.descriptionLength} characters`);
  }
  return value;
}

/**
 * Tags as a user may send them: a comma- or space-separated string, an array
 * of strings, or the original's map `{"tag": true}`. Answers them trimmed,
 * lower-cased and without repeats, in the order given.
 */
export function parseTags(value: unknown, field = 'tags'): string[] {
  if (value === undefined || value === null || value === '') return [];
  let items: unknown[];
  if (typeof value === 'string') items = value.split(/[\s,]+/);
  else if (Array.isArray(value)) items = value;
  else if (typeof value === 'object') {
    items = Object.entries(value as Record<string, unknown>)
      .filter(([, on]) => on !== false)
      .map(([tag]) => tag);
  } else throw new ValidationError(`${field} must be a list of tags`);

  const tags: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string') throw new ValidationError(`${field} must contain only text`);
    const tag = item.trim().toLowerCase();
    if (tag === '') continue;
    if (/[\s,]/.test(tag)) throw new ValidationError(`${field}: "${tag.slice(0, 70)}" must not contain spaces or commas`);
    if (tag.length > limits.tagLength) throw new ValidationError(`${field}: a tag is longer than ${limits.tagLength} characters`);
    if (!tags.includes(tag)) tags.push(tag);
  }
  if (tags.length > limits.tags) throw new ValidationError(`${field}: a link has at most ${limits.tags} tags`);
  return tags;
}

export function checkTagCount(tags: readonly string[]): void {
  if (tags.length > limits.tags) throw new ValidationError(`a link has at most ${limits.tags} tags`);
}
