/**
 * Import jobs on PostgreSQL or PGlite. A batch is one transaction: the job row
 * locked (and its lease checked), the batch's entries read, the user's links
 * for those URLs read and locked, new links inserted set-wise with the owner's
 * count and the URLs' public savers kept as single saves keep them, existing
 * links given what the file adds, the batch's entries deleted and the job's
 * progress written. No outbox row: imports make no news (§19 B).
 */
import { importLimits, type ImportCounts, type ImportError, type ImportState } from '@delinkcious/object-model';
import type { Database, Queryable } from '@delinkcious/db';
import { entryFromJson, entryToJson, limitReached, type PreparedEntry } from './import-rules.ts';
import type { BatchOutcome, BatchRules, ImportStore, NewImport, StoredImport } from './import-store.ts';

interface ImportRow extends ImportCounts {
  id: string;
  username: string;
  state: ImportState;
  created_at: Date;
  updated_at: Date;
}

/** Entries per INSERT when a job is stored. */
const entriesPerInsert = 1000;

export class SqlImportStore implements ImportStore {
  /** Whether links has the `unread` column (migration 006); asked once. */
  private unreadColumn: Promise<boolean> | undefined;

  constructor(private readonly db: Database) {}

  async createImport(job: NewImport, entries: PreparedEntry[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO imports (id, username, state, options, total, processed, unchanged, skipped, errors, created_at, updated_at)
         VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9::jsonb, $10, $10)`,
        [
          job.id,
          job.username,
          entries.length === 0 ? 'done' : 'running',
          JSON.stringify(job.options),
          job.total,
          job.processed,
          job.unchanged,
          job.skipped,
          JSON.stringify(job.errors.slice(0, importLimits.errorsKept)),
          job.createdAt,
        ],
      );
      for (let start = 0; start < entries.length; start += entriesPerInsert) {
        const chunk = entries.slice(start, start + entriesPerInsert).map(entryToJson);
        await tx.query(
          `INSERT INTO import_entries (import_id, seq, entry)
           SELECT $1, $2::int + e.ordinality::int, e.value FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS e`,
          [job.id, start, JSON.stringify(chunk)],
        );
      }
    });
  }

  async getImport(id: string): Promise<StoredImport | null> {
    const { rows } = await this.db.query<ImportRow>(
      `SELECT id, username, state, total, processed, imported, updated, unchanged, skipped, errors, failure, created_at, updated_at
       FROM imports WHERE id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      id: row.id,
      username: row.username,
      state: row.state,
      total: Number(row.total),
      processed: Number(row.processed),
      imported: Number(row.imported),
      updated: Number(row.updated),
      unchanged: Number(row.unchanged),
      skipped: Number(row.skipped),
      errors: row.errors,
      failure: row.failure,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  async claimImport(owner: string, now: Date, leaseUntil: Date): Promise<string | null> {
    const { rows } = await this.db.query<{ id: string }>(
      `UPDATE imports SET lease_owner = $1, lease_until = $3
       WHERE id = (
         SELECT id FROM imports WHERE state = 'running' AND (lease_until IS NULL OR lease_until < $2)
         ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED
       ) AND state = 'running' AND (lease_until IS NULL OR lease_until < $2)
       RETURNING id`,
      [owner, now, leaseUntil],
    );
    return rows[0]?.id ?? null;
  }

  async runBatch(id: string, owner: string, rules: BatchRules): Promise<BatchOutcome> {
    const unread = await this.hasUnreadColumn();
    return this.db.transaction(async (tx) => {
      const job = await tx.query<{ username: string; kept: number }>(
        `SELECT username, jsonb_array_length(errors) AS kept FROM imports
         WHERE id = $1 AND state = 'running' AND lease_owner = $2 FOR UPDATE`,
        [id, owner],
      );
      if (job.rows.length === 0) return { kind: 'lost' };
      const username = job.rows[0]!.username;
      let kept = Number(job.rows[0]!.kept);

      const { rows: stored } = await tx.query<{ seq: number; entry: Record<string, unknown> }>(
        'SELECT seq, entry FROM import_entries WHERE import_id = $1 ORDER BY seq LIMIT $2',
        [id, rules.size],
      );
      const entries = stored.map((row) => entryFromJson(row.entry));
      const counts = { imported: 0, updated: 0, unchanged: 0, skipped: 0 };
      const errors: ImportError[] = [];
      const refuse = (url: string, err: string) => {
        counts.skipped++;
        if (kept < importLimits.errorsKept) {
          errors.push({ url, err });
          kept++;
        }
      };

      // The user's links for these URLs, locked: what the file adds to them is decided on what they are.
      const { rows: existing } = await tx.query<{ id: string; url: string; tags: string[]; description: string }>(
        'SELECT id, url, tags, description FROM links WHERE username = $1 AND url = ANY($2::text[]) ORDER BY id FOR UPDATE',
        [username, entries.map((entry) => entry.url)],
      );
      const byUrl = new Map(existing.map((row) => [row.url, row]));
      const fresh: PreparedEntry[] = [];
      const changed: Array<{ id: string; tags: string[]; description: string }> = [];
      for (const entry of entries) {
        const current = byUrl.get(entry.url);
        if (!current) {
          fresh.push(entry);
          continue;
        }
        try {
          const changes = rules.merge(current, entry);
          if (!changes) counts.unchanged++;
          else changed.push({ id: current.id, tags: changes.tags ?? current.tags, description: changes.description ?? current.description });
        } catch (error) {
          refuse(entry.url, error instanceof Error ? error.message : String(error));
        }
      }

      const added = await this.insertLinks(tx, username, fresh, rules.maxLinksPerUser, unread, refuse);
      counts.imported = added.length;
      if (changed.length > 0) {
        const { rowCount } = await tx.query(
          `UPDATE links l SET tags = u.tags, description = u.description, updated_at = $2
           FROM jsonb_to_recordset($1::jsonb) AS u(id bigint, tags text[], description text) WHERE l.id = u.id`,
          [JSON.stringify(changed), rules.now],
        );
        counts.updated = rowCount;
      }

      const last = stored.at(-1)?.seq;
      if (last !== undefined) await tx.query('DELETE FROM import_entries WHERE import_id = $1 AND seq <= $2', [id, last]);
      const left = await tx.query('SELECT 1 FROM import_entries WHERE import_id = $1 LIMIT 1', [id]);
      const done = left.rows.length === 0;
      await tx.query(
        `UPDATE imports SET processed = processed + $2, imported = imported + $3, updated = updated + $4, unchanged = unchanged + $5,
           skipped = skipped + $6, errors = errors || $7::jsonb, updated_at = $8,
           state = CASE WHEN $9 THEN 'done' ELSE state END,
           lease_owner = CASE WHEN $9 THEN NULL ELSE lease_owner END,
           lease_until = CASE WHEN $9 THEN NULL ELSE $10::timestamptz END
         WHERE id = $1`,
        [id, entries.length, counts.imported, counts.updated, counts.unchanged, counts.skipped, JSON.stringify(errors), rules.now, done, rules.leaseUntil],
      );
      return { kind: done ? 'done' : 'progress', added: added.map((url) => ({ username, url })) };
    });
  }

  async releaseImport(id: string, owner: string): Promise<void> {
    await this.db.query('UPDATE imports SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2', [id, owner]);
  }

  async failImport(id: string, reason: string, now: Date): Promise<void> {
    await this.db.transaction(async (tx) => {
      const { rowCount } = await tx.query(
        `UPDATE imports SET state = 'failed', failure = $2, updated_at = $3, lease_owner = NULL, lease_until = NULL
         WHERE id = $1 AND state = 'running'`,
        [id, reason, now],
      );
      if (rowCount > 0) await tx.query('DELETE FROM import_entries WHERE import_id = $1', [id]);
    });
  }

  /**
   * Inserts as many of `entries` as the owner's limit leaves room for (the rest
   * refused), oldest first so ids follow the dates within a batch, with the
   * owner's counts and the public savers of their URLs; answers the URLs added.
   */
  private async insertLinks(
    tx: Queryable,
    username: string,
    entries: PreparedEntry[],
    maxLinksPerUser: number,
    unread: boolean,
    refuse: (url: string, err: string) => void,
  ): Promise<string[]> {
    if (entries.length === 0) return [];
    // The owner's count row, locked: single saves check the limit on the same row.
    const { rows } = await tx.query<{ links: number }>(
      `INSERT INTO link_counts (username, links, public_links) VALUES ($1, 0, 0)
       ON CONFLICT (username) DO UPDATE SET links = link_counts.links RETURNING links`,
      [username],
    );
    const room = Math.max(0, maxLinksPerUser - Number(rows[0]!.links));
    for (const entry of entries.slice(room)) refuse(entry.url, limitReached);
    const admitted = entries.slice(0, room).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    if (admitted.length === 0) return [];
    const { rows: inserted } = await tx.query<{ url: string; private: boolean }>(
      `INSERT INTO links (username, url, title, description, tags, private, created_at, updated_at${unread ? ', unread' : ''})
       SELECT $1, e.url, e.title, e.description, e.tags, e.private, e."createdAt", e."updatedAt"${unread ? ', e.unread' : ''}
       FROM jsonb_to_recordset($2::jsonb) AS e(url text, title text, description text, tags text[], private boolean,
         "createdAt" timestamptz, "updatedAt" timestamptz, unread boolean)
       ON CONFLICT (username, url) DO NOTHING
       RETURNING url, private`,
      [username, JSON.stringify(admitted.map(entryToJson))],
    );
    const publicUrls = inserted.filter((row) => !row.private).map((row) => row.url);
    await tx.query('UPDATE link_counts SET links = links + $2, public_links = public_links + $3 WHERE username = $1', [
      username,
      inserted.length,
      publicUrls.length,
    ]);
    if (publicUrls.length > 0) {
      // In URL order, as single saves take these rows, so two writers never wait on each other crosswise.
      await tx.query(
        `INSERT INTO url_stats (url, public_savers)
         SELECT url, 1 FROM unnest($1::text[]) AS u(url) ORDER BY url COLLATE "C"
         ON CONFLICT (url) DO UPDATE SET public_savers = url_stats.public_savers + 1`,
        [publicUrls],
      );
    }
    return inserted.map((row) => row.url);
  }

  private hasUnreadColumn(): Promise<boolean> {
    this.unreadColumn ??= this.db
      .query<{ found: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM information_schema.columns
           WHERE table_schema = current_schema() AND table_name = 'links' AND column_name = 'unread') AS found`,
      )
      .then(({ rows }) => rows[0]!.found);
    return this.unreadColumn;
  }
}
