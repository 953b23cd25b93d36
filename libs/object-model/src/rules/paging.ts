/** The page size of a listing. */
import { ValidationError } from '../errors.ts';
import { pageSizes } from './limits.ts';

/** A whole number of items per page, as a number or its digits; absent or empty is the default. */
export function pageLimit(value: unknown, field = 'limit'): number {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return pageSizes.default;
  const limit = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > pageSizes.max) {
    throw new ValidationError(`${field} must be a whole number from 1 to ${pageSizes.max}`);
  }
  return limit;
}
