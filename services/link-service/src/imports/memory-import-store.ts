/**
 * Import jobs in memory, writing links through a LinkStore: the reference the
 * import-store contract holds the SQL store to. Single-threaded, so a batch is
 * atomic as long as it does not interleave with another on the same user.
 */
import { importLimits } from '@delinkcious/object-model';
import type { LinkStore } from '../stores/link-store.ts';
import { limitReached, type PreparedEntry } from './import-rules.ts';
import type { BatchOutcome, BatchRules, ImportStore, NewImport, StoredImport } from './import-store.ts';

interface MemoryJob extends StoredImport {
  entries: PreparedEntry[];
  leaseOwner: string | null;
  leaseUntil: Date | null;
}

export class MemoryImportStore implements ImportStore {
  private readonly jobs = new Map<string, MemoryJob>();

  constructor(private readonly links: LinkStore) {}

  async createImport(job: NewImport, entries: PreparedEntry[]): Promise<void> {
    this.jobs.set(job.id, {
      id: job.id,
      username: job.username,
      state: entries.length === 0 ? 'done' : 'running',
      total: job.total,
      processed: job.processed,
      imported: 0,
      updated: 0,
      unchanged: job.unchanged,
      skipped: job.skipped,
      errors: job.errors.slice(0, importLimits.errorsKept),
      createdAt: job.createdAt,
      updatedAt: job.createdAt,
      entries: entries.map((entry) => ({ ...entry, tags: [...entry.tags] })),
      leaseOwner: null,
      leaseUntil: null,
      failure: '',
    });
  }

  async getImport(id: string): Promise<StoredImport | null> {
    const job = this.jobs.get(id);
    if (!job) return null;
    const { entries: _entries, leaseOwner: _owner, leaseUntil: _until, ...status } = job;
    return structuredClone(status);
  }

  async claimImport(owner: string, now: Date, leaseUntil: Date): Promise<string | null> {
    const free = [...this.jobs.values()]
      .filter((job) => job.state === 'running' && (job.leaseUntil === null || job.leaseUntil < now))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())[0];
    if (!free) return null;
    free.leaseOwner = owner;
    free.leaseUntil = leaseUntil;
    return free.id;
  }

  async runBatch(id: string, owner: string, rules: BatchRules): Promise<BatchOutcome> {
    const job = this.jobs.get(id);
    if (!job || job.state !== 'running' || job.leaseOwner !== owner) return { kind: 'lost' };
    const batch = job.entries.slice(0, rules.size);
    const added: Array<{ username: string; url: string }> = [];
    for (const entry of batch) {
      const outcome = await this.apply(job, entry, rules);
      job.processed++;
      if (outcome === 'imported') {
        job.imported++;
        added.push({ username: job.username, url: entry.url });
      } else if (outcome === 'updated') job.updated++;
      else if (outcome === 'unchanged') job.unchanged++;
      else this.refuse(job, entry.url, outcome.err);
    }
    job.entries.splice(0, batch.length);
    job.updatedAt = rules.now;
    job.leaseUntil = rules.leaseUntil;
    if (job.entries.length === 0) {
      job.state = 'done';
      job.leaseOwner = null;
      job.leaseUntil = null;
      return { kind: 'done', added };
    }
    return { kind: 'progress', added };
  }

  async releaseImport(id: string, owner: string): Promise<void> {
    const job = this.jobs.get(id);
    if (job?.leaseOwner === owner) {
      job.leaseOwner = null;
      job.leaseUntil = null;
    }
  }

  async failImport(id: string, reason: string, now: Date): Promise<void> {
    const job = this.jobs.get(id);
    if (!job || job.state !== 'running') return;
    Object.assign(job, { state: 'failed', failure: reason, updatedAt: now, entries: [], leaseOwner: null, leaseUntil: null });
  }

  private async apply(job: MemoryJob, entry: PreparedEntry, rules: BatchRules): Promise<'imported' | 'updated' | 'unchanged' | { err: string }> {
    let refused: string | undefined;
    const change = (current: { tags: readonly string[]; description: string }) => {
      try {
        return rules.merge(current, entry);
      } catch (error) {
        refused = error instanceof Error ? error.message : String(error);
        return null;
      }
    };
    // Imports tell nobody: no event for any of their links.
    const updated = await this.links.update(job.username, entry.url, change, rules.now, () => null);
    if (refused !== undefined) return { err: refused };
    if (updated.kind === 'updated') return 'updated';
    if (updated.kind === 'unchanged') return 'unchanged';
    const inserted = await this.links.insert(
      { username: job.username, url: entry.url, title: entry.title, description: entry.description, tags: entry.tags, private: entry.private, unread: entry.unread, createdAt: entry.createdAt, updatedAt: entry.updatedAt },
      rules.maxLinksPerUser,
      () => null,
    );
    if (inserted.kind === 'limit') return { err: limitReached };
    if (inserted.kind === 'duplicate') return 'unchanged';
    return 'imported';
  }

  private refuse(job: MemoryJob, url: string, err: string): void {
    job.skipped++;
    if (job.errors.length < importLimits.errorsKept) job.errors.push({ url, err });
  }
}
