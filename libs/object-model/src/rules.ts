/**
 * Rules shared by every service, client and the web UI, so that each exists
 * once. Browser-safe: no Node built-ins.
 */
export * from './rules/created-at.ts';
export * from './rules/flags.ts';
export * from './rules/limits.ts';
export * from './rules/link-fields.ts';
export * from './rules/paging.ts';
export * from './rules/page-text.ts';
export * from './rules/popular.ts';
export * from './rules/search-query.ts';
export * from './rules/tags.ts';
export * from './rules/text.ts';
export * from './rules/url.ts';
export * from './rules/user-fields.ts';
export * from './rules/username.ts';

/**
 * Code point order: what PostgreSQL's "C" collation gives for UTF-8 text, so
 * in-memory stores, clients and SQL stores order names and ids alike.
 * (JavaScript's default sort compares UTF-16 units, which differs past U+FFFF.)
 */
export function byCodePoint(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(j)!;
    if (x !== y) return x - y;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  return a.length - i - (b.length - j);
}
