/**
 * GET /v1/export?format=netscape|json|csv (issue 15, docs/design.md §19 A): every one of the
 * caller's links, private ones included, as a file to download. Streamed: link-service is asked
 * for one page of links at a time, and the next only once the previous one is written, so an
 * export of 100,000 links never holds more than a page. A failure midway destroys the
 * connection, so the client sees a broken download rather than a complete-looking file.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { allLinks, exportFileName, exportWriter, requireExportFormat, writeExport } from '@delinkcious/bookmark-files';
import { pageSizes, type LinkManager } from '@delinkcious/object-model';
import { callerOf } from '../auth/hooks.ts';
import { optionalText } from '../inputs.ts';
import { errors, security } from '../openapi.ts';

/** Characters gathered before a write: a few large writes rather than one per link. */
const batchChars = 64 * 1024;

export function registerExportRoute(v1: FastifyInstance, links: LinkManager): void {
  v1.get(
    '/export',
    {
      schema: {
        tags: ['links'],
        summary: 'Download all your links as a file',
        description:
          'An attachment named delinkcious-<username>-<date>.<html|json|csv> with every one of your links, private ones included. ' +
          'netscape: a Netscape bookmark file (TAGS, PRIVATE, TOREAD, ADD_DATE, LAST_MODIFIED, <DD> descriptions) that browsers and bookmark services import; ' +
          'json: {"format":"delinkcious","version":1,"exported_at","links":[LINK…]} with every field, status and check results, re-importable without loss; ' +
          'csv: a header row, then one row per link (cells starting with = + - @ are prefixed with \' so spreadsheets do not run them). ' +
          'Streamed: a download cut short means the export failed.',
        security,
        querystring: {
          type: 'object',
          properties: { format: { type: 'string', enum: ['netscape', 'json', 'csv'], default: 'json' } },
        },
        response: {
          200: { description: 'The file (text/html, application/json or text/csv)', type: 'string' },
          ...errors(400, 401, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const format = requireExportFormat(optionalText((request.query ?? {}) as Record<string, unknown>, 'format'));
      const username = callerOf(request).username;
      // The first page before the answer starts: a link-service that is down is a plain 503, not a broken file.
      const first = await links.getLinks({ username, limit: pageSizes.max });
      const writer = exportWriter(format);
      const now = new Date();
      const body = Readable.from(writeExport(format, allLinks(links, username, { first }), { exportedAt: now, batchChars }));
      return reply
        .type(writer.contentType)
        .header('content-disposition', `attachment; filename="${exportFileName(username, format, now)}"`)
        .send(body);
    },
  );
}
