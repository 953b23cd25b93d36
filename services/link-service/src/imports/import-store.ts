/** What import jobs need from storage; in memory and on PostgreSQL/PGlite (import-store contract). */
import type { ImportError, ImportState, ImportStatus } from '@delinkcious/object-model';
import type { PreparedEntry } from './import-rules.ts';

export interface NewImport {
  id: string;
  username: string;
  /** Entries in the file, skipped ones included. */
  total: number;
  /** Already dealt with when the job is stored: refused entries, and repeats folded into an earlier entry. */
  processed: number;
  unchanged: number;
  skipped: number;
  errors: ImportError[];
  options: { private: boolean; tags: string[] };
  createdAt: Date;
}

export interface StoredImport extends ImportStatus {
  username: string;
}

export interface BatchRules {
  /** At most this many entries in the batch's transaction. */
  size: number;
  maxLinksPerUser: number;
  now: Date;
  /** The lease is extended to this with the batch's commit. */
  leaseUntil: Date;
  /** What an entry adds to a link the user has (import-rules.ts mergeInto); may throw to refuse the entry. */
  merge: (current: { tags: readonly string[]; description: string }, entry: PreparedEntry) => { tags?: string[]; description?: string } | null;
}

export type BatchOutcome =
  /** Another worker holds the job now (this one's lease lapsed), or it is no longer running: stop. */
  | { kind: 'lost' }
  /** A batch committed; `added` are the new links (their checks are to be requested). */
  | { kind: 'progress' | 'done'; added: Array<{ username: string; url: string }> };

export interface ImportStore {
  /** Stores the job and every entry to do, together (a job is never seen half-stored). */
  createImport(job: NewImport, entries: PreparedEntry[]): Promise<void>;
  getImport(id: string): Promise<StoredImport | null>;
  /** Takes the oldest running job whose lease is free or lapsed at `now`, for `owner` until `leaseUntil`. */
  claimImport(owner: string, now: Date, leaseUntil: Date): Promise<string | null>;
  /**
   * The next batch of the job, in one transaction with the job's progress and
   * the deletion of the entries it did: a stop anywhere loses or repeats nothing.
   * Done when no entry is left.
   */
  runBatch(id: string, owner: string, rules: BatchRules): Promise<BatchOutcome>;
  /** Gives the job's lease back (a worker stopping), so another may go on at once. */
  releaseImport(id: string, owner: string): Promise<void>;
  /** Ends a job that cannot go on (state failed, with why). */
  failImport(id: string, reason: string, now: Date): Promise<void>;
}

export type { ImportState };
