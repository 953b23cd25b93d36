/**
 * A listing of links in SQL (PostgreSQL and PGlite alike): the filters, the
 * parsed query of rules/search-query.ts, the sort and its keyset (docs/design.md
 * §14). Every value the user wrote travels as a parameter; the SQL text holds
 * only what this module writes. Words become a tsquery built here from folded
 * letters and digits (searchWords) and go through to_tsquery as a parameter, so
 * PostgreSQL stems them as it stemmed the links (migration 007). A one-word
 * term of 3+ characters also matches inside the folded text (migration 010,
 * search/substring.ts): through the user's tokens containing it, looked up
 * first (vocabularyStatement), which the search vector holds as marked lexemes
 * (migration 015).
 */
import { planEachCall, type Queryable } from '@delinkcious/db';
import type { SearchQuery, SearchSort, SearchTerm } from '@delinkcious/object-model';
import type { ListQuery } from '../stores/link-store.ts';
import { healthJoin, selectWithHealth } from '../stores/sql-link-rows.ts';
import { containsPattern, substringTokenLimit, substringWord, tokenMark, tokenMarkSql } from './substring.ts';

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
  /** A tsquery text as to_tsquery of a parameter, stemmed as the links were. */
  tsquery(text: string): string {
    return `to_tsquery(${config}, ${this.add(text)})`;
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
 * `search` matches the tsquery expression; one of only stop words ("the") has no lexemes and
 * restricts nothing. to_tsquery is immutable: with the parameters' values known when the
 * statement is planned, numnode() folds to a constant and the GIN index serves.
 */
function matches(tsquery: string): string {
  return `(numnode(${tsquery}) = 0 OR search @@ ${tsquery})`;
}

/** `search` does not match the tsquery expression; one of only stop words ("-the") excludes nothing, as it restricts nothing. */
function excludes(tsquery: string): string {
  return `NOT (numnode(${tsquery}) > 0 AND search @@ ${tsquery})`;
}

/**
 * What the vocabulary says of one substring word: a stop word (it restricts nothing, as in a
 * word search); the user's tokens containing it that do not match it by themselves; or too many
 * tokens to list ('many').
 */
export type WordTokens = 'stop' | 'many' | string[];

/** Each substring word's tokens, by its tsquery text (wordsQuery). */
export type Vocabulary = ReadonlyMap<string, WordTokens>;

/** The positive word terms of a branch. */
function positiveWords(branch: SearchTerm[]): Array<Extract<SearchTerm, { kind: 'words' }>> {
  return branch.flatMap((term) => (term.kind === 'words' && !term.negated ? [term] : []));
}

/** The word of a branch whose one positive word term is searched as a substring too (oneWordCondition). */
function loneSubstringWord(branch: SearchTerm[]): string | undefined {
  const words = positiveWords(branch);
  return words.length === 1 ? substringWord(words[0]!) : undefined;
}

/** A word searched as a substring too: its tsquery text (wordsQuery), the key of its tokens in a Vocabulary, and its folded letters. */
export interface SubstringTerm {
  key: string;
  word: string;
}

/** The terms searched as substrings too in branches of several words, each once: their tokens are looked up first. */
export function substringTerms(query: SearchQuery): SubstringTerm[] {
  const terms = new Map<string, string>();
  for (const branch of query.branches) {
    if (loneSubstringWord(branch) !== undefined) continue;
    for (const term of positiveWords(branch)) {
      const word = substringWord(term);
      if (word !== undefined) terms.set(wordsQuery(term), word);
    }
  }
  return [...terms].map(([key, word]) => ({ key, word }));
}

/**
 * The stamp of what `user`'s links hold, as text: link_counts.changed_at, which every change of a
 * link's searchable text moves (migrations 011 and 016), so an unchanged stamp means unchanged tokens.
 */
const stampOf = (user: string) => `(SELECT changed_at FROM link_counts WHERE username = ${user})::text`;

/**
 * The statement finding each substring word's tokens (search_vocabulary, migration 012): a row per
 * word in substringTerms' order, `stop` and `tokens` (null for a stop word). A token matching the
 * word by itself ("kubernetes" for kubernetes, "tutorials" for tutorial) is left out: a link holding
 * it holds the word's lexeme too (its text is split at the same characters on both sides, a test
 * holds this), so the word's lexeme finds that link already, and the planner, which counts the
 * links of each lexeme, does not count them twice. Undefined when the query has no such word.
 * The arrays come through sub-SELECTs, which the planner does not look into: it estimates every
 * call alike, so the prepared statement keeps its generic plan instead of planning each call's
 * values again (on PGlite 0.27 → 0.15 ms a lookup, measured). Each row also carries the user's
 * vocabulary stamp (stampOf).
 */
function vocabularyStatement(username: string, terms: SubstringTerm[]): Statement | undefined {
  if (terms.length === 0) return undefined;
  return {
    text: `SELECT numnode(q) = 0 AS stop, CASE WHEN numnode(q) > 0 THEN ARRAY(
        SELECT token FROM search_vocabulary WHERE username = $1 AND token LIKE word.pattern AND NOT to_tsvector(${config}, token) @@ q
        LIMIT ${substringTokenLimit + 1}) END AS tokens, ${stampOf('$1')} AS stamp
      FROM unnest((SELECT $2::text[]), (SELECT $3::text[])) WITH ORDINALITY AS word(query, pattern, ord), to_tsquery(${config}, word.query) AS q
      ORDER BY word.ord`,
    params: [username, terms.map((term) => term.key), terms.map((term) => containsPattern(term.word))],
  };
}

/** What the lookup found for some substring terms, and the user's stamp when it looked. */
export interface LookedUp {
  stamp: string | null;
  vocabulary: Vocabulary;
}

/** Looks the terms' tokens up (vocabularyStatement). */
export async function readVocabulary(db: Queryable, username: string, terms: SubstringTerm[]): Promise<LookedUp> {
  const statement = vocabularyStatement(username, terms);
  if (statement === undefined) return { stamp: null, vocabulary: new Map() };
  const { rows } = await db.query<{ stop: boolean; tokens: string[] | null; stamp: string | null }>(statement.text, statement.params);
  return {
    stamp: rows[0]?.stamp ?? null,
    vocabulary: new Map(
      rows.map((row, i): [string, WordTokens] => [terms[i]!.key, row.stop ? 'stop' : row.tokens!.length > substringTokenLimit ? 'many' : row.tokens!]),
    ),
  };
}

/** The user's stamp now (stampOf). */
export async function readStamp(db: Queryable, username: string): Promise<string | null> {
  const { rows } = await db.query<{ stamp: string | null }>(`SELECT ${stampOf('$1')} AS stamp`, [username]);
  return rows[0]?.stamp ?? null;
}

/**
 * `user`'s tokens containing `word` (search_vocabulary, migration 012) as a tsquery of marked lexemes,
 * found once per statement (an InitPlan: it reads no row of links); null for none; more than
 * substringTokenLimit of them: every marked lexeme (a prefix query), which every link holds, so
 * that LIKE alone decides, as a list of them all would, at a list's bounded cost.
 */
function tokensContaining(pattern: string, user: string): string {
  const found = `ARRAY(SELECT '''' || ${tokenMarkSql} || token || '''' FROM search_vocabulary WHERE username = ${user} AND token LIKE ${pattern} LIMIT ${substringTokenLimit + 1})`;
  // OFFSET 0 keeps the lookup a subquery of its own: pulled up, it would run once per use of `found`.
  return `(SELECT CASE WHEN cardinality(found) > ${substringTokenLimit} THEN ('''' || ${tokenMarkSql} || ''':*')::tsquery
      WHEN cardinality(found) > 0 THEN array_to_string(found, ' | ')::tsquery END
    FROM (SELECT ${found} AS found OFFSET 0) AS lookup)`;
}

/**
 * The condition of a branch whose one positive word is also searched as a substring: the word as a
 * word (stemmed), or inside the folded text (LIKE, 3× cheaper than ILIKE; both sides lower-cased
 * already) of a link holding one of the user's tokens that contain it. The second is true of every
 * link the LIKE matches, but it is what the GIN index can find, so a rare word reads its few links
 * through the index instead of testing every link newest first; and the planner, which cannot see
 * the tokens before the statement runs, estimates the pair by the word's lexeme: one common word
 * walks newest first. No lookup before the statement: a branch of several words needs one
 * (vocabularyStatement), for the planner to see how narrow they are together.
 */
function oneWordCondition(term: Extract<SearchTerm, { kind: 'words' }>, word: string, user: string, params: Params): string {
  const q = params.tsquery(wordsQuery(term));
  const pattern = params.add(containsPattern(word));
  return `(numnode(${q}) = 0 OR search @@ ${q} OR (search_text LIKE ${pattern} AND search @@ ${tokensContaining(pattern, user)}))`;
}

/** The tokens as a tsquery text of marked lexemes, OR'ed (migration 015). */
function tokensQuery(tokens: string[]): string {
  // Tokens hold no ASCII punctuation (split there); escaped all the same.
  return tokens.map((token) => `'${tokenMark}${token.replace(/['\\]/g, '\\$&')}'`).join(' | ');
}

/** The condition of a term other than words (those make the branch's tsquery, or excludes()). */
function termCondition(term: Exclude<SearchTerm, { kind: 'words' }>, params: Params): string {
  switch (term.kind) {
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
          return `coalesce(h.status, 'pending') = ${params.add(term.value)}`;
      }
    case 'after':
      return `created_at >= ${params.add(`${term.at}T00:00:00Z`, '::timestamptz')}`;
    case 'before':
      return `created_at < ${params.add(`${term.at}T00:00:00Z`, '::timestamptz')}`;
  }
}

/**
 * A branch's positive words are one tsquery, `search @@ (a & (b | b's tokens) & …)`: one scan of
 * one GIN index finds its links, and the planner counts them from the index's statistics. A word
 * inside too many tokens (or not looked up) is a condition of its own, its lexeme or LIKE on the
 * folded text, which no index serves: such a word is in many links anyway. A lone substring word:
 * oneWordCondition.
 */
function branchCondition(branch: SearchTerm[], user: string, params: Params, vocabulary: Vocabulary): string {
  const conditions: string[] = [];
  const tsqueries: string[] = [];
  const lone = loneSubstringWord(branch);
  const words = branchWords(branch.filter((term) => substringWord(term) === undefined));
  if (words !== undefined) tsqueries.push(params.tsquery(words));
  for (const term of positiveWords(branch)) {
    const word = substringWord(term);
    if (word === undefined) continue;
    if (lone !== undefined) {
      conditions.push(oneWordCondition(term, word, user, params));
      continue;
    }
    const tokens = vocabulary.get(wordsQuery(term));
    if (tokens === 'stop') continue;
    const q = params.tsquery(wordsQuery(term));
    if (Array.isArray(tokens)) tsqueries.push(tokens.length === 0 ? q : `(${q} || ${params.add(tokensQuery(tokens), '::tsquery')})`);
    else conditions.push(`(numnode(${q}) = 0 OR search @@ ${q} OR search_text LIKE ${params.add(containsPattern(word))})`);
  }
  if (tsqueries.length > 0) conditions.unshift(matches(tsqueries.length === 1 ? tsqueries[0]! : `(${tsqueries.join(' && ')})`));
  const tags = branch.flatMap((term) => (term.kind === 'tag' && !term.negated ? [term.tag] : []));
  if (tags.length > 0) conditions.push(`tags @> ${params.add(tags, '::text[]')}`);
  for (const term of branch) {
    if (term.kind === 'words') {
      if (term.negated) conditions.push(excludes(params.tsquery(wordsQuery(term))));
    } else if (term.negated) conditions.push(`NOT ${termCondition(term, params)}`);
    else if (term.kind !== 'tag') conditions.push(termCondition(term, params));
  }
  return conditions.length > 0 ? `(${conditions.join(' AND ')})` : 'true';
}

/** The condition a parsed query sets, or undefined for the empty query. */
function searchCondition(query: SearchQuery, user: string, params: Params, vocabulary: Vocabulary): string | undefined {
  if (query.branches.length === 0) return undefined;
  return `(${query.branches.map((branch) => branchCondition(branch, user, params, vocabulary)).join(' OR ')})`;
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
 * page token's key of each row), in the query's order, at most `query.limit`;
 * each with its health (sql-link-rows.ts), which `is:` terms read as `h`;
 * `vocabulary`: what vocabularyStatement found for the query's substring words;
 * `stamped`: each row carries the user's stamp too, as `vocabulary_stamp` (stampOf).
 */
export function listStatement(username: string, query: ListQuery, columns: string, vocabulary: Vocabulary = new Map(), stamped = false): Statement {
  const params = new Params();
  const user = params.add(username);
  const selected = stamped ? `${columns}, ${stampOf(user)} AS vocabulary_stamp` : columns;
  const where = [`username = ${user}`];
  if (query.publicOnly) where.push('NOT private');
  const tags = [...new Set([...(query.tags ?? []), ...(query.tag !== undefined ? [query.tag] : [])])];
  if (tags.length > 0) where.push(`tags @> ${params.add(tags, '::text[]')}`);
  const search = query.search ? searchCondition(query.search, user, params, vocabulary) : undefined;
  if (search !== undefined) where.push(search);

  const words = query.sort === 'relevance' ? rankQuery(query.search) : undefined;
  const rank = words === undefined ? undefined : `ts_rank(search, ${params.tsquery(words)})`;
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
    // The page first, then its links' health: joined before the LIMIT, every match of a search by
    // relevance was (811 of them: 4.0 ms a page instead of 2.7, measured). In `where`, `h` is read
    // only by is:pending|valid|invalid; elsewhere the planner removes the join.
    text: `${planEachCall}${selectWithHealth(`(
      SELECT ${selected}, ${plan.key} AS sort_key, row_number() OVER (ORDER BY ${plan.order}) AS page_order
      FROM links ${healthJoin()} WHERE ${where.join(' AND ')} ORDER BY ${plan.order} LIMIT ${params.add(query.limit, '::int')}
    ) page`, 'page')} ORDER BY page.page_order`,
    params: params.values,
  };
}

/** listStatement, with the vocabulary of the query's substring words read from `db` first. */
export async function listingStatement(db: Queryable, username: string, query: ListQuery, columns: string): Promise<Statement> {
  const { vocabulary } = await readVocabulary(db, username, query.search ? substringTerms(query.search) : []);
  return listStatement(username, query, columns, vocabulary);
}
