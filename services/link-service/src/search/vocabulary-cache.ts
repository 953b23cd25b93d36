/**
 * A search of several words reads its words' tokens first (search/sql.ts, vocabularyStatement),
 * a statement and, on PostgreSQL, a round trip of its own. What it found holds until one of the
 * user's links changes, so it is kept, by user and words, with the user's stamp of that moment
 * (link_counts.changed_at, which every such change moves: migrations 011 and 016). The page read
 * with kept tokens carries the stamp of its own snapshot; the same stamp proves the tokens were
 * still the tokens, another one has the lookup and the page read again. So it holds on PostgreSQL,
 * where other replicas write, as on PGlite: a link saved anywhere is found by the next search.
 * Paging through a search, or narrowing it by a tag or a date, asks the same words again.
 */
import type { Queryable } from '@delinkcious/db';
import type { ListQuery } from '../stores/link-store.ts';
import { listStatement, readStamp, readVocabulary, substringTerms, type LookedUp, type SubstringTerm } from './sql.ts';

/** Users' words kept at most, least recently used dropped: most hold a few tokens, none over 201 a word. */
const defaultMax = 1000;

export class VocabularyCache {
  private readonly kept = new Map<string, LookedUp>();

  constructor(private readonly max = defaultMax) {}

  /**
   * One page of `username`'s links as listStatement reads it (`columns` and `sort_key`), with
   * the tokens of its substring words kept or looked up.
   */
  async list<R extends object>(db: Queryable, username: string, query: ListQuery, columns: string): Promise<R[]> {
    const terms = query.search ? substringTerms(query.search) : [];
    if (terms.length === 0) return this.page<R>(db, username, query, columns);
    const key = keyOf(username, terms);
    const kept = this.kept.get(key);
    if (kept) {
      const rows = await this.page<R & { vocabulary_stamp: string | null }>(db, username, query, columns, kept, true);
      const stamp = rows.length > 0 ? rows[0]!.vocabulary_stamp : await readStamp(db, username);
      if (stamp === kept.stamp) {
        this.keep(key, kept);
        return rows.map(({ vocabulary_stamp: _, ...row }) => row as unknown as R);
      }
    }
    const found = await readVocabulary(db, username, terms);
    this.keep(key, found);
    return this.page<R>(db, username, query, columns, found);
  }

  private async page<R>(db: Queryable, username: string, query: ListQuery, columns: string, found?: LookedUp, stamped = false): Promise<R[]> {
    const { text, params } = listStatement(username, query, columns, found?.vocabulary, stamped);
    return (await db.query<R>(text, params)).rows;
  }

  /** Kept as the most recently used (last in the map's order). */
  private keep(key: string, found: LookedUp): void {
    this.kept.delete(key);
    this.kept.set(key, found);
    if (this.kept.size > this.max) this.kept.delete(this.kept.keys().next().value!);
  }
}

/** A user's words, apart: usernames and tsquery texts hold no NUL. */
function keyOf(username: string, terms: SubstringTerm[]): string {
  return [username, ...terms.map((term) => term.key)].join('\0');
}
