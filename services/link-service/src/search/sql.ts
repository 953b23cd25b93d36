/**
 * A listing of links in SQL (PostgreSQL and PGlite alike): the filters, the
 * parsed query of rules/search-query.ts, the sort and its keyset (docs/design.md
 * §14). Every value the user wrote travels as a parameter; the SQL text holds
 * only what this module writes. Words become a tsquery built here from folded
 * letters and digits (searchWords) and go through to_tsquery as a parameter, so
 * PostgreSQL stems them as it stemmed the links (migration 007). A one-word
 * term of 3+ characters also matches inside the folded text (migration 010,
 * search/substring.ts), found through the user's tokens containing it
 * (migration 012, tokensContaining).
 */
import { planEachCall } from '@delinkcious/db';
import type { SearchQuery, SearchSort, SearchTerm } from '@delinkcious/object-model';
import type { ListQuery } from '../stores/link-store.ts';
import { containsPattern, substringTokenLimit, substringWord } from './substring.ts';

/** The text search configuration of the `search` column (migration 007). */
const config = `'english'::regconfig`;

/** A statement and its parameters. */
export interface Statement {
  text: string;
  params: unknown[];
}

class Params {
  readonly values: unknown[] = [];
  add(value: unknown, cast = ''): string {
    this.values.push(value);
    return `$${this.values.length}${cast}`;
  }
}

/** The tsquery text of one term's words: they follow each other; the last may be a prefix. */
function wordsQuery(term: Extract<SearchTerm, { kind: 'words' }>): string {
  // searchWords leaves only letters and digits, so quoting cannot be broken out of; quoting keeps
  // to_tsquery from reading a word as an operator.
  const lexemes = term.words.map((word, i) => `'${word}'${term.prefix && i === term.words.length - 1 ? ':*' : ''}`);
  return lexemes.length === 1 ? lexemes[0]! : `(${lexemes.join(' <-> ')})`;
}

/** The positive words of a branch as one tsquery text (AND), or undefined when it has none. */
function branchWords(branch: SearchTerm[]): string | undefined {
  const words = branch.flatMap((term) => (term.kind === 'words' && !term.negated ? [wordsQuery(term)] : []));
  return words.length > 0 ? words.join(' & ') : undefined;
}

/**
 * `search` matches the tsquery; a query of only stop words ("the") has no lexemes and
 * restricts nothing. to_tsquery is immutable: with the parameter's value known when
 * the statement is planned, numnode() folds to a constant and the GIN index serves.
 */
function matches(tsquery: string, params: Params): string {
  const q = `to_tsquery(${config}, ${params.add(tsquery)})`;
  return `(numnode(${q}) = 0 OR search @@ ${q})`;
}

/**
 * `user`'s tokens containing `word` (search_vocabulary, migration 012), found once per statement (an
 * InitPlan: it reads no row of links); more than substringTokenLimit of them: `{''}`, the token every
 * link holds, so that LIKE alone decides, as a list of them all would, at a list's bounded cost.
 */
function tokensContaining(pattern: string, user: string): string {
  const found = `ARRAY(SELECT token FROM search_vocabulary WHERE username = ${user} AND token LIKE ${pattern} LIMIT ${substringTokenLimit + 1})`;
  // OFFSET 0 keeps the lookup a subquery of its own: pulled up, it would run once per use of `found`.
  return `(SELECT CASE WHEN cardinality(found) > ${substringTokenLimit} THEN '{""}'::text[] ELSE found END FROM (SELECT ${found} AS found OFFSET 0) AS lookup)`;
}

/**
 * The word of `tsquery` as a word (stemmed), or inside the folded text (migration 010; both sides
 * folded and lower-cased already: LIKE, 3× cheaper than ILIKE) of a link holding one of the user's
 * tokens that contain it. The second is true of every link the LIKE matches, but it is what the GIN
 * index of search_tokens can find, so a narrow query reads its few links through the indexes
 * instead of testing every link newest first; and the planner, which cannot see the tokens before
 * the statement runs, estimates the pair as rare: the substring matches are mostly the word's own.
 * LIKE comes first: on a link without the word it fails at once. `word` holds letters and digits
 * only; escaped all the same.
 */
function matchesOrContains(tsquery: string, word: string, user: string, params: Params): string {
  const q = `to_tsquery(${config}, ${params.add(tsquery)})`;
  const pattern = params.add(containsPattern(word));
  return `(numnode(${q}) = 0 OR search @@ ${q} OR (search_text LIKE ${pattern} AND search_tokens && ${tokensContaining(pattern, user)}))`;
}

function termCondition(term: SearchTerm, params: Params): string {
  switch (term.kind) {
    case 'words':
      return matches(wordsQuery(term), params);
    case 'tag':
      return `tags @> ${params.add([term.tag], '::text[]')}`;
    case 'site':
      // The host itself or a subdomain of it: no LIKE, so no pattern characters to escape.
      return `(host = ${params.add(term.host)} OR right(host, ${params.add(term.host.length + 1, '::int')}) = ${params.add(`.${term.host}`)})`;
    case 'is':
      switch (term.value) {
        case 'private':
          return 'private';
        case 'public':
          return 'NOT private';
        case 'unread':
          return 'unread';
        case 'read':
          return 'NOT unread';
        default:
          return `status = ${params.add(term.value)}`;
      }
    case 'after':
      return `created_at >= ${params.add(`${term.at}T00:00:00Z`, '::timestamptz')}`;
    case 'before':
      return `created_at < ${params.add(`${term.at}T00:00:00Z`, '::timestamptz')}`;
  }
}

function branchCondition(branch: SearchTerm[], user: string, params: Params): string {
  const conditions: string[] = [];
  // Words also searched as substrings each get a condition of their own; the others go in one tsquery.
  const words = branchWords(branch.filter((term) => substringWord(term) === undefined));
  if (words !== undefined) conditions.push(matches(words, params));
  for (const term of branch) {
    const word = substringWord(term);
    if (word !== undefined && term.kind === 'words') conditions.push(matchesOrContains(wordsQuery(term), word, user, params));
  }
  const tags = branch.flatMap((term) => (term.kind === 'tag' && !term.negated ? [term.tag] : []));
  if (tags.length > 0) conditions.push(`tags @> ${params.add(tags, '::text[]')}`);
  for (const term of branch) {
    if (term.negated) conditions.push(`NOT ${termCondition(term, params)}`);
    else if (term.kind !== 'words' && term.kind !== 'tag') conditions.push(termCondition(term, params));
  }
  return conditions.length > 0 ? `(${conditions.join(' AND ')})` : 'true';
}

/** The condition a parsed query sets, or undefined for the empty query. */
function searchCondition(query: SearchQuery, user: string, params: Params): string | undefined {
  if (query.branches.length === 0) return undefined;
  return `(${query.branches.map((branch) => branchCondition(branch, user, params)).join(' OR ')})`;
}

/** What relevance ranks by: every branch's positive words, OR'ed; undefined without any. */
function rankQuery(query: SearchQuery | undefined): string | undefined {
  const branches = (query?.branches ?? []).flatMap((branch) => {
    const words = branchWords(branch);
    return words === undefined ? [] : [`(${words})`];
  });
  return branches.length > 0 ? branches.join(' | ') : undefined;
}

/** Each sort: its key as text (the page token carries it), how it compares, and the order. */
interface SortPlan {
  key: string;
  /** The keyset condition: rows after (key, id) = ($k, $id) in this order. */
  after: (key: string, id: string) => string;
  order: string;
}

function sortPlan(sort: SearchSort, rank: string | undefined): SortPlan {
  const utc = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
  switch (sort) {
    case 'oldest':
      return { key: utc, after: (k, id) => `(created_at, id) > (${k}::timestamptz, ${id})`, order: 'created_at, id' };
    case 'title':
      return {
        key: 'title_key',
        after: (k, id) => `(title_key COLLATE "C" > ${k} OR (title_key = ${k} AND id > ${id}))`,
        order: 'title_key COLLATE "C", id',
      };
    case 'relevance':
      if (rank !== undefined) {
        return { key: `(${rank})::text`, after: (k, id) => `((${rank}), id) < (${k}::real, ${id})`, order: `${rank} DESC, id DESC` };
      }
      return sortPlan('newest', undefined);
    case 'newest':
      return { key: utc, after: (k, id) => `(created_at, id) < (${k}::timestamptz, ${id})`, order: 'created_at DESC, id DESC' };
  }
}

/**
 * The SELECT of one page of `username`'s links: `columns` and `sort_key` (the
 * page token's key of each row), in the query's order, at most `query.limit`.
 */
export function listStatement(username: string, query: ListQuery, columns: string): Statement {
  const params = new Params();
  const user = params.add(username);
  const where = [`username = ${user}`];
  if (query.publicOnly) where.push('NOT private');
  const tags = [...new Set([...(query.tags ?? []), ...(query.tag !== undefined ? [query.tag] : [])])];
  if (tags.length > 0) where.push(`tags @> ${params.add(tags, '::text[]')}`);
  const search = query.search ? searchCondition(query.search, user, params) : undefined;
  if (search !== undefined) where.push(search);

  const words = query.sort === 'relevance' ? rankQuery(query.search) : undefined;
  const rank = words === undefined ? undefined : `ts_rank(search, to_tsquery(${config}, ${params.add(words)}))`;
  const plan = sortPlan(query.sort ?? 'newest', rank);
  const after = query.after ?? (query.beforeId !== undefined ? { id: query.beforeId } : undefined);
  if (after?.key !== undefined) {
    where.push(plan.after(params.add(after.key), params.add(after.id, '::bigint')));
  } else if (after !== undefined) {
    // A page token of before this round holds only an id (newest first, by id then): after that link
    // in created_at order while it exists, else by id as the token meant.
    const id = params.add(after.id, '::bigint');
    where.push(
      `((created_at, id) < (SELECT l.created_at, l.id FROM links l WHERE l.id = ${id}) OR (id < ${id} AND NOT EXISTS (SELECT 1 FROM links l WHERE l.id = ${id})))`,
    );
  }
  return {
    // Planned for its values each time (see planEachCall): which words, how common, decide the plan.
    text: `${planEachCall}SELECT ${columns}, ${plan.key} AS sort_key FROM links WHERE ${where.join(' AND ')} ORDER BY ${plan.order} LIMIT ${params.add(query.limit, '::int')}`,
    params: params.values,
  };
}
