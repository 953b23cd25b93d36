/** Yes/no fields (a link's `private`, the `default_private` setting), as JSON, forms and query strings send them. */
import { ValidationError } from '../errors.ts';

const spellings: ReadonlyMap<string, boolean> = new Map([
  ['true', true],
  ['false', false],
  ['yes', true],
  ['no', false],
]);

/** A JSON boolean, or `true`/`false`/`yes`/`no` (any case) as text; absent or empty is undefined. */
export function optionalFlag(value: unknown, field: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    if (value.trim() === '') return undefined;
    const flag = spellings.get(value.trim().toLowerCase());
    if (flag !== undefined) return flag;
  }
  throw new ValidationError(`${field} must be true or false (or yes or no)`);
}

/** As optionalFlag, but required. */
export function requireFlag(value: unknown, field: string): boolean {
  const flag = optionalFlag(value, field);
  if (flag === undefined) throw new ValidationError(`${field} is required: true or false`);
  return flag;
}
