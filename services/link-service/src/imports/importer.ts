/**
 * Starting an import and reading its progress (LinkManager.startImport and
 * getImport delegate here). The job is stored whole before its id is answered;
 * the ImportWorker runs it.
 */
import { randomUUID } from 'node:crypto';
import { NotFoundError, ValidationError, canonicalUsername, parseTags, optionalFlag, type ImportStatus, type StartImportRequest } from '@delinkcious/object-model';
import { prepareImport } from './import-rules.ts';
import type { ImportStore } from './import-store.ts';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ImporterOptions {
  store: ImportStore;
  /** The most entries one file may hold (the per-user link limit: more could never be imported). */
  maxEntries: number;
  /** Told when a job was stored, so a worker starts on it at once. */
  onStarted?: () => void;
  now?: () => Date;
}

export class Importer {
  private readonly now: () => Date;

  constructor(private readonly options: ImporterOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async start(request: StartImportRequest): Promise<string> {
    const username = canonicalUsername(request.username);
    if (!Array.isArray(request.entries)) throw new ValidationError('entries must be a list');
    if (request.skipped !== undefined && !Array.isArray(request.skipped)) throw new ValidationError('skipped must be a list');
    const skipped = request.skipped ?? [];
    if (request.entries.length + skipped.length === 0) throw new ValidationError('the file holds no bookmarks');
    if (request.entries.length > this.options.maxEntries) {
      throw new ValidationError(`the file holds ${request.entries.length} links; at most ${this.options.maxEntries} can be imported`);
    }
    // The options are checked before any entry: a bad option refuses the whole request.
    const options = { private: optionalFlag(request.private, 'private') ?? false, tags: parseTags(request.tags ?? [], 'tags') };
    const now = this.now();
    const prepared = prepareImport({ ...request, ...options }, now);
    const id = randomUUID();
    await this.options.store.createImport(
      {
        id,
        username,
        total: request.entries.length + skipped.length,
        processed: prepared.errors.length + prepared.merged,
        unchanged: prepared.merged,
        skipped: prepared.errors.length,
        errors: prepared.errors,
        options,
        createdAt: now,
      },
      prepared.entries,
    );
    this.options.onStarted?.();
    return id;
  }

  async get(username: string, id: string): Promise<ImportStatus> {
    const owner = canonicalUsername(username);
    const job = typeof id === 'string' && uuidPattern.test(id) ? await this.options.store.getImport(id.toLowerCase()) : null;
    // Another user's job is as unknown as a job that never was.
    if (!job || job.username !== owner) throw new NotFoundError(`you have no import ${String(id).slice(0, 100)}`);
    const { username: _owner, ...status } = job;
    return status;
  }
}
