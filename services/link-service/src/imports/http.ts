/**
 * link-service's internal routes of import jobs (docs/design.md §3, §19 B):
 * `POST /imports` stores a job (its body is the file's entries, so it has its
 * own, larger body limit) and `GET /imports/:id?username=` answers its progress.
 */
import type { FastifyInstance } from 'fastify';
import { fieldOf, type Fields } from '@delinkcious/kit';
import {
  ValidationError,
  importStatusToWire,
  type ImportLinkEntry,
  type ImportSkip,
  type LinkManager,
  type WireImportEntry,
} from '@delinkcious/object-model';

function entryFromWire(value: unknown): ImportLinkEntry {
  // A malformed entry is still handed on: the import rules refuse it as that entry's error.
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { url: '' };
  const wire = value as WireImportEntry;
  const date = (text: unknown) => (text === undefined || text === null ? undefined : new Date(String(text)));
  return {
    url: wire.url,
    title: wire.title,
    description: wire.description,
    tags: wire.tags,
    private: wire.private,
    unread: wire.unread,
    createdAt: date(wire.created_at),
    updatedAt: date(wire.updated_at),
  };
}

export function registerImportRoutes(server: FastifyInstance, manager: LinkManager, bodyLimit: number): void {
  server.post('/imports', { bodyLimit }, async (request, reply) => {
    const body = request.body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ValidationError('request body must be a JSON object');
    const fields = body as Fields;
    const entries = fieldOf(fields, 'entries');
    const skipped = fieldOf(fields, 'skipped');
    if (!Array.isArray(entries)) throw new ValidationError('entries must be a list');
    if (skipped !== undefined && skipped !== null && !Array.isArray(skipped)) throw new ValidationError('skipped must be a list');
    const id = await manager.startImport({
      username: String(fieldOf(fields, 'username') ?? ''),
      entries: entries.map(entryFromWire),
      skipped: ((skipped as unknown[] | null) ?? []).map((skip) => {
        const item = (skip ?? {}) as Partial<ImportSkip>;
        return { url: String(item.url ?? ''), reason: String(item.reason ?? 'skipped') };
      }),
      private: fieldOf(fields, 'private') as boolean | undefined, // the importer checks it
      tags: fieldOf(fields, 'tags') as string[] | undefined,
    });
    return reply.code(202).send({ err: '', import_id: id });
  });

  server.get('/imports/:id', async (request) => {
    const { id } = request.params as { id: string };
    const username = (request.query as Fields).username;
    return importStatusToWire(await manager.getImport(typeof username === 'string' ? username : '', id));
  });
}
