/**
 * The query language of `GET /v1/links?q=` (docs/design.md §14), parsed into
 * a small tree the stores translate (SQL: services/link-service/src/search/sql.ts;
 * memory: search/memory.ts). Pure: no I/O, browser-safe, so the web UI can
 * check a query as it is typed.
 *
 *   words            all must match (title, description, URL words, tags)
 *   "exact phrase"   the words in this order
 *   -word -"phrase"  must not match (any term may be negated with -)
 *   #tag  tag:tag    has this tag (-#tag: has not)
 *   site:example.org the URL's host is example.org or one of its subdomains
 *   is:private|public|unread|read|valid|invalid|pending
 *   after:YYYY-MM-DD saved on that day or later (UTC); before:YYYY-MM-DD saved before that day
 *   a b OR c d       OR between terms; AND binds tighter: (a AND b) OR (c AND d)
 *
 * The last word, when the query does not end with a space, also matches as a
 * prefix (type-ahead). Positions in errors count characters from 1.
 */
import { ValidationError } from '../errors.ts';
import { limits } from './limits.ts';
import { checkText } from './text.ts';

export const searchLimits = {
  /** The longest query, in UTF-16 code units. */
  length: 500,
  /** The most terms (words, phrases and operators) in all branches together. */
  terms: 20,
  /** The most OR branches. */
  branches: 8,
} as const;

export const searchSorts = ['newest', 'oldest', 'title', 'relevance'] as const;
export type SearchSort = (typeof searchSorts)[number];

export const isValues = ['private', 'public', 'unread', 'read', 'valid', 'invalid', 'pending'] as const;
export type IsValue = (typeof isValues)[number];

export type SearchTerm =
  /** Words of one term (`node.js` is two: node, js) that must follow each other; `prefix`: the last may be the start of a word. */
  | { kind: 'words'; words: string[]; prefix: boolean; negated: boolean }
  | { kind: 'tag'; tag: string; negated: boolean }
  | { kind: 'site'; host: string; negated: boolean }
  | { kind: 'is'; value: IsValue; negated: boolean }
  /** `at` is a UTC day, YYYY-MM-DD: after = created at or after its start, before = created before its start. */
  | { kind: 'after' | 'before'; at: string; negated: boolean };

/** Branches joined by OR, each a list of terms joined by AND; an empty query has no branches (matches everything). */
export interface SearchQuery {
  branches: SearchTerm[][];
}

/** Whether the query has words or phrases to rank by (relevance without them is newest). */
export function hasSearchWords(query: SearchQuery | undefined): boolean {
  return query?.branches.some((branch) => branch.some((term) => term.kind === 'words' && !term.negated)) ?? false;
}

/**
 * Case and accent folding shared by the stores: one character for one, so the
 * SQL function in migration 007 (`translate(text, from, to)`) and the memory
 * store fold exactly alike (a test compares the migration with these strings).
 */
export const searchFold = {
  from:
    'ABCDEFGHIJKLMNOPQRSTUVWXYZ' +
    'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳØøĐđŁłıĦħŦŧ',
  to:
    'abcdefghijklmnopqrstuvwxyz' +
    'aaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyyaaaaaaccccccccddeeeeeeeeeegggggggghhiiiiiiiiijjkkllllllnnnnnnoooooorrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzzzzzoouuaaiioouuuuuuuuuuaaaaggkkoooojggnnaaaaaaeeeeiiiioooorrrruuuusstthhaaeeooooooooyyooddllihhtt',
  /** ASCII punctuation: a word boundary in the searched text (`node.js` → node js). */
  punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
} as const;

const foldMap = new Map<string, string>([...searchFold.from].map((char, i) => [char, searchFold.to[i]!]));

/** Lower-cases A–Z and takes the accents off Latin letters, one character for one (what the SQL stores do). */
export function foldText(text: string): string {
  let folded = '';
  for (const char of text) folded += foldMap.get(char) ?? char;
  return folded;
}

/** The words of a text as the query language sees them: folded runs of letters and digits. */
export function searchWords(text: string): string[] {
  return foldText(text).toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((word) => word !== '');
}

const day = /^(\d{4})-(\d{2})-(\d{2})$/;

function fail(reason: string, at: number): never {
  throw new ValidationError(`q: ${reason} at character ${at + 1}`);
}

/** A raw term of the query: its text (without a leading - and quotes) and where it starts. */
interface Token {
  text: string;
  at: number;
  negated: boolean;
  quoted: boolean;
  /** Where the text after `-` starts. */
  textAt: number;
}

function tokenize(q: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < q.length) {
    if (/\s/.test(q[i]!)) {
      i++;
      continue;
    }
    const at = i;
    const negated = q[i] === '-' && i + 1 < q.length && !/\s/.test(q[i + 1]!);
    if (negated) i++;
    if (q[i] === '"') {
      const close = q.indexOf('"', i + 1);
      if (close < 0) fail('unclosed quote', i);
      tokens.push({ text: q.slice(i + 1, close), at, negated, quoted: true, textAt: i + 1 });
      i = close + 1;
      continue;
    }
    let end = i;
    while (end < q.length && !/\s/.test(q[end]!) && q[end] !== '"') end++;
    tokens.push({ text: q.slice(i, end), at, negated, quoted: false, textAt: i });
    i = end;
  }
  return tokens;
}

function parseTerm(token: Token, isLast: boolean): SearchTerm | null {
  const { text, negated, textAt } = token;
  if (token.quoted) {
    const words = searchWords(text);
    return words.length > 0 ? { kind: 'words', words, prefix: false, negated } : null;
  }
  if (text.startsWith('#')) return tagTerm(text.slice(1), negated, textAt + 1);
  const operator = /^(site|is|after|before|tag):/i.exec(text);
  if (operator) {
    const name = operator[1]!.toLowerCase();
    const value = text.slice(operator[0].length);
    const valueAt = textAt + operator[0].length;
    if (value === '') fail(`${name}: needs a value`, valueAt);
    switch (name) {
      case 'tag':
        return tagTerm(value, negated, valueAt);
      case 'site':
        return { kind: 'site', host: siteHost(value, valueAt), negated };
      case 'is': {
        const lower = value.toLowerCase();
        if (!(isValues as readonly string[]).includes(lower)) {
          fail(`unknown is: value "${value}" (use ${isValues.join(', ')})`, valueAt);
        }
        return { kind: 'is', value: lower as IsValue, negated };
      }
      default:
        return { kind: name as 'after' | 'before', at: dayOf(value, name, valueAt), negated };
    }
  }
  const words = searchWords(text);
  // A bare "-" or a run of punctuation says nothing to search for.
  if (words.length === 0) return null;
  // Type-ahead: the word being typed may be the start of a longer one.
  return { kind: 'words', words, prefix: isLast && !negated, negated };
}

function tagTerm(value: string, negated: boolean, at: number): SearchTerm | null {
  if (value === '') return null; // a lone # while typing
  if (/[,]/.test(value)) fail('a tag cannot hold a comma', at);
  if (value.length > limits.tagLength) fail(`a tag is longer than ${limits.tagLength} characters`, at);
  return { kind: 'tag', tag: value.toLowerCase(), negated };
}

/** `site:` takes a host (a URL is accepted too), in the form URLs are stored in: lower-case, IDN as punycode. */
function siteHost(value: string, at: number): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let host: string;
  try {
    host = new URL(withScheme).hostname;
  } catch {
    fail(`site: "${value}" is not a host name`, at);
  }
  if (host === '' || host.startsWith('.')) fail(`site: "${value}" is not a host name`, at);
  return host.replace(/\.$/, '');
}

function dayOf(value: string, name: string, at: number): string {
  const match = day.exec(value);
  const date = match ? new Date(`${value}T00:00:00.000Z`) : undefined;
  if (!match || !date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    fail(`${name}: needs a date as YYYY-MM-DD, not "${value}"`, at);
  }
  return value;
}

/** Parses `q`; absent or blank is the empty query. Malformed: a ValidationError saying what and where. */
export function parseSearchQuery(q: string | undefined): SearchQuery {
  if (q === undefined || q.trim() === '') return { branches: [] };
  checkText(q, 'q', { max: searchLimits.length });
  const tokens = tokenize(q);
  const endsInWord = !/\s$/.test(q);
  const branches: SearchTerm[][] = [[]];
  let terms = 0;
  let orAt: number | undefined;
  // Tokens since the last OR, searchable or not: "*** OR go" is not an OR without a left side.
  let tokensInBranch = 0;
  for (const [i, token] of tokens.entries()) {
    if (!token.quoted && !token.negated && token.text === 'OR') {
      if (tokensInBranch === 0) fail('OR needs a term before it', token.at);
      tokensInBranch = 0;
      branches.push([]);
      if (branches.length > searchLimits.branches) fail(`at most ${searchLimits.branches} alternatives (OR) are allowed`, token.at);
      orAt = token.at;
      continue;
    }
    tokensInBranch++;
    const term = parseTerm(token, endsInWord && i === tokens.length - 1);
    if (!term) continue;
    if (++terms > searchLimits.terms) fail(`at most ${searchLimits.terms} terms are allowed`, token.at);
    branches.at(-1)!.push(term);
  }
  if (branches.length > 1 && tokensInBranch === 0) fail('OR needs a term after it', orAt!);
  return { branches: branches.filter((branch) => branch.length > 0) };
}

/**
 * The sort of a listing; absent is newest, with or without a query (docs/design.md §14:
 * results keep their order while a query is typed, and a page of newest stops at the
 * page, where relevance ranks every match). Relevance is asked for with sort=relevance.
 */
export function parseSearchSort(value: string | undefined): SearchSort {
  if (value === undefined || value.trim() === '') return 'newest';
  const sort = value.trim().toLowerCase();
  if (!(searchSorts as readonly string[]).includes(sort)) throw new ValidationError(`sort must be one of ${searchSorts.join(', ')}`);
  return sort as SearchSort;
}
