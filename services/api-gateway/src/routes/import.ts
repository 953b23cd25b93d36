/**
 * Importing a bookmark file (issue 15, docs/design.md §19 B): `POST /v1/import`
 * takes the file as the body (text/html, application/json, any other type read
 * as the file's bytes) or as the field `file` of a multipart form, reads it
 * with libs/bookmark-files, and hands the entries to link-service as a job:
 * 202 with its id once the job is stored. `GET /v1/imports/{import_id}` follows it.
 * The file is limited by IMPORT_MAX_BYTES on this route only (413 past it).
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { parseBookmarkFile, requireBookmarkFormat } from '@delinkcious/bookmark-files';
import { PayloadTooLargeError, ValidationError, importStatusToWire, tagItems, optionalFlag, type LinkManager } from '@delinkcious/object-model';
import { callerOf } from '../auth/hooks.ts';
import { errors, security } from '../openapi.ts';
import type { Fields } from '../inputs.ts';

export interface ImportRouteOptions {
  /** IMPORT_MAX_BYTES: the largest file. */
  maxBytes: number;
}

const importError = { type: 'object', properties: { url: { type: 'string' }, err: { type: 'string' } } };
const importStatusSchema = {
  description: 'The import job',
  type: 'object',
  properties: {
    err: { type: 'string' },
    import_id: { type: 'string' },
    state: { type: 'string', enum: ['running', 'done', 'failed'] },
    total: { type: 'integer', description: 'entries in the file, skipped ones included' },
    processed: { type: 'integer', description: 'entries dealt with so far' },
    imported: { type: 'integer', description: 'new links' },
    updated: { type: 'integer', description: 'links you had that the file gave tags or a missing description' },
    unchanged: { type: 'integer', description: 'links you had that the file added nothing to' },
    skipped: { type: 'integer', description: 'entries not imported; each has an error (the first 1000 are listed)' },
    errors: { type: 'array', items: importError },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
};

/** Reads a body stream up to `max` bytes; past it, the stream is left and a 413 answered. */
async function readCapped(stream: Readable, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > max) throw tooLarge(max);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const tooLarge = (max: number) => new PayloadTooLargeError(`the file is larger than ${max} bytes (IMPORT_MAX_BYTES)`);

/** The file and the form's fields, whichever way it came. */
async function fileOf(request: FastifyRequest, maxBytes: number): Promise<{ file: Buffer; fields: Fields }> {
  if (!request.isMultipart()) {
    const body = request.body;
    const file = body && typeof (body as Readable).pipe === 'function' ? await readCapped(body as Readable, maxBytes) : undefined;
    if (!file || file.length === 0) throw new ValidationError('send the bookmark file as the body, or as the field "file" of a multipart form');
    return { file, fields: {} };
  }
  const fields: Fields = {};
  let file: Buffer | undefined;
  for await (const part of request.parts({ limits: { fileSize: maxBytes, files: 1 } })) {
    if (part.type === 'file') {
      if (part.fieldname !== 'file') {
        part.file.resume();
        throw new ValidationError(`the form's file field must be named "file", not "${part.fieldname}"`);
      }
      file = await part.toBuffer().catch((error: unknown) => {
        throw (error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE' ? tooLarge(maxBytes) : error;
      });
    } else fields[part.fieldname] = part.value;
  }
  if (!file || file.length === 0) throw new ValidationError('the form has no file: send it as the field "file"');
  return { file, fields };
}

export function registerImportRoutes(v1: FastifyInstance, links: LinkManager, options: ImportRouteOptions): void {
  void v1.register(async (scope) => {
    // This route's bodies are files, not JSON or forms: handed on as the stream, read (capped) by the
    // handler, so nothing is read before the caller is authenticated (the preValidation hook).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (request, payload, done) => {
      const declared = Number(request.headers['content-length']);
      if (declared > options.maxBytes) return done(tooLarge(options.maxBytes), undefined);
      done(null, payload);
    });
    await scope.register(multipart, { limits: { fileSize: options.maxBytes, files: 1, fields: 10 } });

    scope.post(
      '/import',
      {
        schema: {
          tags: ['import and export'],
          summary: 'Import a bookmark file (Netscape HTML, Pinboard JSON or a Delinkcious export) as a job',
          security,
          consumes: ['text/html', 'application/json', 'multipart/form-data'],
          querystring: {
            type: 'object',
            properties: {
              format: { type: 'string', enum: ['auto', 'netscape', 'pinboard', 'delinkcious'], default: 'auto' },
              private: { type: 'boolean', description: 'import every new link as private' },
              tags: { type: 'string', description: 'tags added to every imported link, comma-separated' },
            },
          },
          response: {
            202: { description: 'The job is stored', type: 'object', properties: { err: { type: 'string' }, import_id: { type: 'string' } } },
            ...errors(400, 401, 403, 413, 429, 503),
          },
        },
      },
      async (request, reply) => {
        const username = callerOf(request).username;
        const { file, fields } = await fileOf(request, options.maxBytes);
        const query = { ...(request.query as Fields), ...fields };
        const format = requireBookmarkFormat(query.format);
        const isPrivate = optionalFlag(query.private, 'private');
        const tags = tagItems(query.tags);
        const parsed = parseBookmarkFile(file, format);
        const id = await links.startImport({
          username,
          entries: parsed.entries,
          skipped: parsed.skipped.map((skip) => ({ url: skip.url, reason: skip.reason })),
          ...(isPrivate !== undefined && { private: isPrivate }),
          tags,
        });
        return reply.code(202).send({ err: '', import_id: id, format: parsed.format });
      },
    );

    scope.get(
      '/imports/:import_id',
      {
        schema: {
          tags: ['import and export'],
          summary: 'An import job: its state, counts and the entries not imported, with why',
          security,
          params: { type: 'object', properties: { import_id: { type: 'string' } }, required: ['import_id'] },
          response: { 200: importStatusSchema, ...errors(401, 404, 429, 503) },
        },
      },
      async (request) => {
        const { import_id: id } = request.params as { import_id: string };
        return importStatusToWire(await links.getImport(callerOf(request).username, id));
      },
    );
  });
}
