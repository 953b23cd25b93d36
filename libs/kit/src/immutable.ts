/**
 * Data made immutable, all the way down, to be shared instead of copied: `copyData` hands it over
 * as it is (an in-process call's result, an event), since no caller can change what another reads.
 * What is derived from it may then be kept by its identity: embedded, a listing link-service keeps
 * gives the same page object every time, and the gateway writes that page's bytes once
 * (docs/design.md §13). Plain objects and arrays are frozen; a date becomes an ImmutableDate,
 * whose setters throw (`Object.freeze` leaves a Date's time settable).
 *
 * What immutable() made carries a mark of its own, a non-enumerable symbol property (invisible to
 * keys, JSON, spreads and deep equality), not an entry in a WeakSet: a WeakSet's table keeps the size
 * of its busiest moment, and after the benchmark's searches and saves it held 16-32 MB of empty slots
 * for good (measured in a heap snapshot).
 */

/** Past this depth the data is taken for a cycle, which plain data has not. */
const maxDepth = 64;

/** The mark of what immutable() made; a frozen object without it is not immutable (a Date in it could still be set). */
const made = Symbol('immutable');

/** A Date that cannot be set: the time it was made with, for good. */
class ImmutableDate extends Date {}
for (const name of Object.getOwnPropertyNames(Date.prototype)) {
  if (!name.startsWith('set')) continue;
  Object.defineProperty(ImmutableDate.prototype, name, {
    value: () => {
      throw new TypeError(`an immutable date cannot be changed (${name})`);
    },
  });
}

/** An object of the plain data kind: made by a literal, JSON or Object.create(null). */
export function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

function shared<T extends object>(value: T): T {
  Object.defineProperty(value, made, { value: true });
  return Object.freeze(value);
}

/** Its own mark: an object made with an immutable one as its prototype inherits the mark but is not immutable. */
const isMade = (value: object) => Object.hasOwn(value, made);

function deep(value: unknown, depth: number): unknown {
  if (typeof value === 'function' || typeof value === 'symbol') throw new TypeError(`a ${typeof value} is not data and cannot be made immutable`);
  if (typeof value !== 'object' || value === null || isMade(value)) return value;
  if (depth > maxDepth) throw new TypeError('data nested this deep (or a cycle) cannot be made immutable');
  if (value instanceof Date) return shared(new ImmutableDate(value.getTime()));
  if (Array.isArray(value)) return shared(value.map((item: unknown) => deep(item, depth + 1)));
  if (!isPlainObject(value)) throw new TypeError(`a ${value.constructor?.name ?? 'non-plain object'} is not plain data and cannot be made immutable`);
  const out: Record<string, unknown> = Object.getPrototypeOf(value) === null ? Object.create(null) : {};
  for (const key of Object.keys(value)) out[key] = deep(value[key], depth + 1);
  return shared(out);
}

/** An immutable copy of `value` (plain objects, arrays, dates, primitives); what already is immutable is kept as it is. */
export function immutable<T>(value: T): T {
  return deep(value, 0) as T;
}

/** Whether `value` was made by immutable(): a frozen object alone is not (a Date in it could still be set). */
export function isImmutable(value: unknown): boolean {
  return typeof value === 'object' && value !== null && isMade(value);
}
