/** The one module of `pg` that PGlite's wire uses (pglite-wire.ts); `pg`'s type declarations leave it out. */
declare module 'pg/lib/utils.js' {
  const utils: { prepareValue(value: unknown): string | Buffer | null };
  export default utils;
}
