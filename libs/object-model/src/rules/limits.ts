/**
 * The input limits of docs/design.md §2, in one place: the services enforce
 * them, the gateway's OpenAPI description and the web UI's forms show them.
 * Lengths count UTF-16 code units (JavaScript's `length`).
 */
export const limits = {
  /** GitHub's own limit for a login. */
  usernameLength: 39,
  urlLength: 2048,
  titleLength: 512,
  descriptionLength: 8192,
  tagsPerLink: 64,
  tagLength: 64,
  /** A regular-expression filter of GetLinks. */
  patternLength: 256,
  nameLength: 256,
  emailLength: 320,
  tokenNameLength: 100,
} as const;

/** Page sizes of GetLinks. */
export const pageSizes = { default: 10, max: 100 } as const;
