/**
 * Substring matching (docs/design.md §14): a term of one word of at least
 * `substringMinLength` characters matches as a word (stemmed, in the SQL stores)
 * or inside the folded text of a link ("sql" finds "PostgreSQL", "gres" too).
 * Shorter words stay word/prefix only: under 3 characters pg_trgm has no trigram
 * to look up, and such a substring would match most links anyway. Phrases,
 * words joined by punctuation (`node.js`) and negated words stay word-based:
 * "-sql" excludes links with the word sql, not every PostgreSQL link.
 */
import { foldText, type SearchTerm } from '@delinkcious/object-model';

export const substringMinLength = 3;

/**
 * A word inside more of a user's tokens than this is looked for with LIKE alone (search/sql.ts):
 * its tsquery would hold every one of them, and such a word is in many of the links anyway.
 */
export const substringTokenLimit = 200;

/** What marks a token among the lexemes of a link's search vector (migration 015), and its SQL. */
export const tokenMark = '\u0001';
export const tokenMarkSql = 'chr(1)';

/** The word a term also looks for as a substring, or undefined when it does not. */
export function substringWord(term: SearchTerm): string | undefined {
  if (term.kind !== 'words' || term.negated || term.words.length !== 1) return undefined;
  const word = term.words[0]!;
  return [...word].length >= substringMinLength ? word : undefined;
}

/** A LIKE pattern finding `word` anywhere: `%`, `_` and the escape `\` in it are literal. */
export function containsPattern(word: string): string {
  return `%${word.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/** The text a substring is looked for in, as migration 010's link_search_text makes it. */
export function searchText(link: { title: string; description: string; url: string; tags: string[] }): string {
  const url = link.url.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '');
  return foldText(`${link.title} ${link.description} ${url} ${link.tags.join(' ')}`).toLowerCase();
}
