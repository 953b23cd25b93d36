/** The window of the popular list (GET /v1/popular?days=). */
import { ValidationError } from '../errors.ts';

export const popularDays = { default: 7, min: 1, max: 90 } as const;

/** A whole number of days from 1 to 90, as a number or its digits; absent or empty is 7. */
export function popularWindowDays(value: unknown, field = 'days'): number {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return popularDays.default;
  const days = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < popularDays.min || days > popularDays.max) {
    throw new ValidationError(`${field} must be a whole number from ${popularDays.min} to ${popularDays.max}`);
  }
  return days;
}
