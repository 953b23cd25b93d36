/**
 * The HTTP server every service is built on: fastify with request ids, one log
 * line per request, Prometheus metrics by route template, `/healthz`, `/readyz`
 * and `/metrics`, mutual auth on every other route, and errors answered as a
 * status with `{"err": message}` (never a stack trace).
 */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, errorCodes, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { DelinkciousError } from '@delinkcious/object-model';
import type { Lifecycle } from './lifecycle.ts';
import type { Logger } from './logger.ts';
import type { ServiceMetrics } from './metrics.ts';
import { callerTokenHeader, type MutualAuth } from './mutual-auth.ts';
import { childSpan, parseTraceparent, runInTrace } from './trace.ts';

export interface ServiceServerOptions {
  service: string;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Throws (or rejects) when the service cannot serve: its store or bus is unreachable. */
  readiness?: () => Promise<void>;
  /** Required of callers on every route but the probes and metrics. */
  mutualAuth?: MutualAuth;
  bodyLimit?: number;
  trustProxy?: boolean;
}

const openRoutes = new Set(['/healthz', '/readyz', '/metrics']);
const requestIdPattern = /^[\w.:-]{1,128}$/;

export function createServiceServer(options: ServiceServerOptions): FastifyInstance {
  const { logger, metrics } = options;
  const server = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // One line per request, written in onResponse below, instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy: options.trustProxy ?? false,
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Path parameters hold usernames and URLs, far longer than fastify's 100-character default once encoded.
    routerOptions: { maxParamLength: 4096 },
    // Errors fastify raises before routing (a malformed URL, say) get the same {"err"} body as the rest.
    frameworkErrors: (error, _request, reply) => {
      void (reply as FastifyReply).code(error.statusCode ?? 400).send({ err: clientErrorMessage(error, options.bodyLimit ?? 1024 * 1024) });
    },
  });
  readUntypedBodiesAsJson(server);
  let shuttingDown = false;

  // Continue the caller's trace (or start one) for everything this request does; logs add its id.
  server.addHook('onRequest', (request, _reply, done) => {
    const header = request.headers.traceparent;
    runInTrace(childSpan(parseTraceparent(typeof header === 'string' ? header : undefined)), done);
  });

  server.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    const auth = options.mutualAuth;
    if (!auth?.enabled || openRoutes.has(request.url.split('?')[0] ?? '')) return;
    const token = request.headers[callerTokenHeader];
    if (!auth.verify(typeof token === 'string' ? token : undefined)) {
      await reply.code(401).send({ err: token ? 'unknown caller token' : 'missing caller token' });
    }
  });

  server.addHook('onResponse', async (request, reply) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    request.log.info(
      { method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });

  server.addHook('preClose', async () => {
    shuttingDown = true;
  });
  // Requests in flight at shutdown finish, but their keep-alive connections must
  // not hold the process open: ask the client to close each one.
  server.addHook('onSend', async (_request, reply) => {
    if (shuttingDown) reply.header('connection', 'close');
  });

  server.setErrorHandler(async (error: FastifyError | DelinkciousError, request, reply) => {
    if (error instanceof DelinkciousError) {
      return reply.code(error.status).send({ err: error.message });
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send({ err: 'internal error' });
    }
    return reply.code(status).send({ err: clientErrorMessage(error, options.bodyLimit ?? 1024 * 1024) });
  });

  server.setNotFoundHandler(async (request, reply) => {
    return reply.code(404).send({ err: `no route for ${request.method} ${request.url.split('?')[0]}` });
  });

  server.get('/healthz', async () => ({ status: 'ok' }));
  server.get('/readyz', async (_request, reply) => {
    if (shuttingDown) return reply.code(503).send({ status: 'shutting down' });
    try {
      await options.readiness?.();
      return { status: 'ready' };
    } catch (error) {
      return reply.code(503).send({ status: 'not ready', err: error instanceof Error ? error.message : String(error) });
    }
  });
  server.get('/metrics', async (_request, reply) => {
    return reply.type(metrics.contentType).send(await metrics.render());
  });

  return server;
}

/**
 * The original Go clients send every body as JSON without a Content-Type (chunked,
 * on DELETE too), and the original services decoded it regardless: a body with
 * no type is read as JSON. A body of an explicitly other type still gets 415.
 */
function readUntypedBodiesAsJson(server: FastifyInstance): void {
  const parseJson = server.getDefaultJsonParser('error', 'error');
  server.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    if (request.headers['content-type'] !== undefined) return done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(), undefined);
    if ((body as string).trim() === '') return done(null, undefined);
    parseJson(request, body as string, done);
  });
}

function clientErrorMessage(error: FastifyError, bodyLimit: number): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `request body is larger than ${bodyLimit} bytes`;
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported content type; send application/json';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'request body is empty; send a JSON object';
    default:
      if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return 'request body is not valid JSON';
      return error.message;
  }
}

/** Listens and answers the URL the server can be reached at (the real port when 0 was asked for). */
export async function listen(server: FastifyInstance, host: string, port: number): Promise<string> {
  await server.listen({ host, port });
  const address = server.server.address();
  const actualPort = address && typeof address === 'object' ? address.port : port;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${actualPort}`;
}

/** Listens, and closes the server first on shutdown (it stops accepting and finishes requests in flight); answers its URL. */
export async function serve(server: FastifyInstance, lifecycle: Lifecycle, host: string, port: number, name: string): Promise<string> {
  const url = await listen(server, host, port);
  lifecycle.onClose(`${name} http`, () => server.close());
  return url;
}
