/**
 * The web UI (web/, built into web/dist by web/build.mjs): index.html at /,
 * revalidated on every visit (Cache-Control: no-cache, with an ETag), and the
 * content-hashed files it names (/app.<hash>.js, /app.<hash>.css,
 * /icon.<hash>.svg, /icon-192.<hash>.png…), cached for a year as immutable.
 * /save (the quick-save page, which a bookmarklet or a phone's share sheet
 * opens with ?url=&title=…) is the same index.html: the app draws it from the
 * path. /manifest.webmanifest and /sw.js (the service worker, which must sit
 * at the root to control it) keep fixed names, so they are revalidated like
 * index.html. Files are read from disk
 * per request, so a rebuild shows without a restart. Without a build, / answers
 * a 503 page that says how to build it; nothing else changes.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { prefersJson } from './accept.ts';

/** web/dist at the root of the repository (the Docker bundle maps import.meta.url to the same layout). */
export const defaultWebDir = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/** Only the names web/build.mjs writes: a name, a content hash, a known type. No slashes, no dots elsewhere. */
const assetName = /^[a-z][a-z0-9-]*\.[A-Za-z0-9_-]{8,}\.(js|css|svg|png)$/;
const contentTypes: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
};
/** Files with fixed names (the browser asks for them by name), revalidated on every use. */
const fixedFiles: Record<string, string> = {
  '/manifest.webmanifest': 'application/manifest+json; charset=utf-8',
  '/sw.js': 'text/javascript; charset=utf-8',
};
const immutable = 'public, max-age=31536000, immutable';

const notBuiltMessage = 'the web UI is not built: run `node web/build.mjs` (npm start and npm test build it); the API works meanwhile';
const notBuiltPage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Delinkcious: web UI not built</title></head>
<body>
<h1>The web UI is not built</h1>
<p>This Delinkcious is running, but its web UI has not been built. Build it with <code>node web/build.mjs</code>
(<code>npm start</code> and <code>npm test</code> do it for you), then reload this page.</p>
<p>The API works meanwhile: see <a href="/docs">/docs</a>.</p>
</body>
</html>
`;

function missing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

/** An answer revalidated on every use: no-cache with an ETag (a 304 when it still matches). */
function sendRevalidated(request: FastifyRequest, reply: FastifyReply, body: Buffer, type: string) {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  reply.header('cache-control', 'no-cache').header('etag', etag);
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  return reply.type(type).send(body);
}

export function registerWebUi(server: FastifyInstance, options: { dir?: string } = {}): void {
  const dir = options.dir ?? defaultWebDir;

  const index = async (request: FastifyRequest, reply: FastifyReply) => {
    let html: Buffer;
    try {
      html = await readFile(join(dir, 'index.html'));
    } catch (error) {
      if (!missing(error)) throw error;
      reply.code(503).header('cache-control', 'no-store').header('retry-after', '30');
      if (prefersJson(request.headers.accept)) return reply.send({ err: notBuiltMessage });
      return reply.type('text/html; charset=utf-8').send(notBuiltPage);
    }
    return sendRevalidated(request, reply, html, 'text/html; charset=utf-8');
  };
  server.get('/', { schema: { hide: true } }, index);
  server.get('/save', { schema: { hide: true } }, index);

  for (const [path, type] of Object.entries(fixedFiles)) {
    server.get(path, { schema: { hide: true } }, async (request, reply) => {
      let body: Buffer;
      try {
        body = await readFile(join(dir, path.slice(1)));
      } catch (error) {
        if (!missing(error)) throw error;
        return reply.callNotFound();
      }
      return sendRevalidated(request, reply, body, type);
    });
  }

  server.get('/:asset', { schema: { hide: true } }, async (request, reply) => {
    const { asset } = request.params as { asset: string };
    const type = assetName.exec(asset)?.[1];
    if (!type) return reply.callNotFound();
    let body: Buffer;
    try {
      body = await readFile(join(dir, asset));
    } catch (error) {
      if (!missing(error)) throw error;
      return reply.callNotFound();
    }
    return reply.type(contentTypes[type]!).header('cache-control', immutable).send(body);
  });
}
