/** Rules shared by every service and client, so that each exists once. */

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
