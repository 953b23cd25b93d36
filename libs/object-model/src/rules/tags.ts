/**
 * Tags as people send them: a comma- or space-separated string (also a JSON
 * array written as text, as a form field carries it), an array of such
 * strings (a JSON array, or a repeated form field), or the original's map
 * `{"tag": true}`. Stored trimmed, lower-cased, without repeats, in the order given.
 */
import { ValidationError } from '../errors.ts';
import { limits } from './limits.ts';
import { checkText } from './text.ts';

const separators = /[\s,]+/;

/** The tags in `value`, split but not yet checked; absent is []. Only the shape is checked here. */
export function tagItems(value: unknown, field = 'tags'): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string' && value.trimStart().startsWith('[')) {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      throw new ValidationError(`${field} is not a valid JSON array`);
    }
  }
  let items: unknown[];
  if (typeof value === 'string') items = [value];
  else if (Array.isArray(value)) items = value;
  else if (typeof value === 'object' && value !== null) {
    items = Object.entries(value as Record<string, unknown>)
      .filter(([, on]) => on !== false)
      .map(([tag]) => tag);
  } else throw new ValidationError(`${field} must be a list of tags`);
  return items.flatMap((item) => {
    if (typeof item !== 'string') throw new ValidationError(`${field} must contain only text`);
    return item.split(separators).filter((tag) => tag !== '');
  });
}

/** The tags in `value`, checked and normalised. */
export function parseTags(value: unknown, field = 'tags'): string[] {
  const tags: string[] = [];
  for (const item of tagItems(value, field)) {
    const tag = checkText(item, field).toLowerCase();
    if (tag.length > limits.tagLength) throw new ValidationError(`${field}: a tag is longer than ${limits.tagLength} characters`);
    if (!tags.includes(tag)) tags.push(tag);
  }
  checkTagCount(tags, field);
  return tags;
}

export function checkTagCount(tags: readonly string[], field = 'tags'): void {
  if (tags.length > limits.tagsPerLink) throw new ValidationError(`${field}: a link has at most ${limits.tagsPerLink} tags`);
}
