/**
 * Answers kept in memory between writes, for a database this process alone writes (docs/design.md
 * §13): on PGlite, which only one process can open. Any write through the database (any statement
 * but a SELECT, and every transaction) empties the cache, so an answer is never older than the last
 * write, whoever made it and whatever rows it touched.
 */
import { aloneOn, type Database, type Queryable } from './database.ts';

/** A SELECT, after any leading comments (a search's planEachCall is one). */
const isRead = (text: string) => /^\s*(?:\/\*(?:(?!\*\/).)*\*\/\s*)*select\b/is.test(text);

/** `db` whose writes are counted: `generation()` moves with every write that may have changed a row. */
export function countingWrites(db: Database): Database & { generation(): number } {
  let generation = 0;
  // Counted before and after: a read that overlaps a write is never stored as current.
  const around = async <T>(work: () => Promise<T>): Promise<T> => {
    generation++;
    try {
      return await work();
    } finally {
      generation++;
    }
  };
  return {
    kind: db.kind,
    generation: () => generation,
    query: <R>(text: string, params?: unknown[]) => (isRead(text) ? db.query<R>(text, params) : around(() => db.query<R>(text, params))),
    exec: (sql: string) => around(() => db.exec(sql)),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => around(() => db.transaction(fn)),
    ping: () => db.ping(),
    close: () => db.close(),
  };
}

/**
 * `db` with its writes counted where this process alone writes it, so answers may be kept between
 * writes: PGlite, which only one process can open. On PostgreSQL, which replicas share: undefined.
 */
export function countingWritesWhenAlone(db: Database): (Database & { generation(): number }) | undefined {
  return aloneOn(db) ? countingWrites(db) : undefined;
}

/** Answers by key, kept while the database's write generation stays the same; at most `max`, least recently used dropped. */
export class ReadCache<V> {
  private readonly answers = new Map<string, V>();
  private cachedAt: number;

  /** `keep`: what is stored of an answer (shared by every later caller: frozen, say). */
  constructor(
    private readonly generation: () => number,
    private readonly max: number,
    private readonly keep: (answer: V) => V = (answer) => answer,
  ) {
    this.cachedAt = generation();
  }

  /** The answer from the cache, else from `load` (kept when no write overlapped it, and then returned as kept). */
  async through(key: string, load: () => Promise<V>): Promise<V> {
    if (this.generation() !== this.cachedAt) {
      this.answers.clear();
      this.cachedAt = this.generation();
    }
    if (this.answers.has(key)) {
      const hit = this.answers.get(key) as V;
      // Most recently used last: the first key is the one to drop.
      this.answers.delete(key);
      this.answers.set(key, hit);
      return hit;
    }
    const startedAt = this.generation();
    const answer = await load();
    if (this.generation() !== startedAt || startedAt !== this.cachedAt) return answer;
    // The first caller gets what later ones will: the answer as kept.
    const kept = this.keep(answer);
    this.answers.set(key, kept);
    if (this.answers.size > this.max) this.answers.delete(this.answers.keys().next().value!);
    return kept;
  }
}
