/** The free-text fields of a link and its filters. */
import { ValidationError } from '../errors.ts';
import { limits } from './limits.ts';
import { checkText, requireText } from './text.ts';

export function requireTitle(value: unknown, field = 'title'): string {
  return requireText(value, field, { max: limits.titleLength });
}

/** Absent or blank is '' (docs/design.md §17: the page's title fills it in later). */
export function optionalTitle(value: unknown, field = 'title'): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new ValidationError(`${field} must be text`);
  return checkText(value.trim(), field, { max: limits.titleLength });
}

/** Absent is ''; kept as written (not trimmed), line breaks and tabs included. */
export function optionalDescription(value: unknown, field = 'description'): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new ValidationError(`${field} must be text`);
  return checkText(value, field, { max: limits.descriptionLength, lineBreaks: true });
}

/** A regular-expression filter; absent or empty is no filter. */
export function optionalPattern(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new ValidationError(`${field} must be text`);
  return checkText(value, field, { max: limits.patternLength, lineBreaks: true });
}
