/**
 * The HTTP server every service is built on: fastify with request ids, one log
 * line per request, Prometheus metrics by route template, `/healthz`, `/readyz`
 * and `/metrics`, mutual auth on every other route, and errors answered as a
 * status with `{"err": message}` (never a stack trace).
 */
import { randomUUID } from 'node:crypto';
import { maxHeaderSize } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { LogController, errorCodes, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { DelinkciousError } from '@delinkcious/object-model';
import { refusedCall } from './authorization.ts';
import { ConnectionDrain } from './connection-drain.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { Logger } from './logger.ts';
import type { ServiceMetrics } from './metrics.ts';
import { callerTokenHeader, type MutualAuth } from './mutual-auth.ts';
import { childSpan, parseTraceparent, runInTrace } from './trace.ts';
import { redactSecrets } from './redact.ts';

export interface ServiceServerOptions {
  service: string;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Throws (or rejects) when the service cannot serve: its store or bus is unreachable. */
  readiness?: () => Promise<void>;
  /** Required of callers on every route but the probes and metrics; each caller reaches only its routes of authorization.ts. */
  mutualAuth?: MutualAuth;
  bodyLimit?: number;
  /** Whom to believe about X-Forwarded-*: no one (false), the nearest proxy hops (a count), or proxies at these addresses/CIDRs. */
  trustProxy?: false | number | readonly string[];
}

const openRoutes = new Set(['/healthz', '/readyz', '/metrics']);
const requestIdPattern = /^[\w.:-]{1,128}$/;
/** The drain of each server made here, for serve() to register with the lifecycle. */
const drains = new WeakMap<FastifyInstance, ConnectionDrain>();

export function createServiceServer(options: ServiceServerOptions): FastifyInstance {
  const { logger, metrics } = options;
  const server = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // One line per request, written in onResponse below, instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy: trustedProxies(options.trustProxy),
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID();
    },
    // Shutting down, a request that arrives is still served (ConnectionDrain closes its connection after).
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // Path parameters hold usernames and URLs, far longer than fastify's 100-character default once encoded.
    routerOptions: { maxParamLength: 4096 },
    // Node refuses a request line plus headers over its maxHeaderSize (a huge query string) before fastify sees it.
    clientErrorHandler: answerClientError,
    // Errors fastify raises before routing (a malformed URL, say) get the same {"err"} body as the rest.
    frameworkErrors: (error, _request, reply) => {
      void (reply as FastifyReply).code(error.statusCode ?? 400).send({ err: clientErrorMessage(error, options.bodyLimit ?? 1024 * 1024) });
    },
  });
  readUntypedBodiesAsJson(server);
  const drain = new ConnectionDrain(server.server);
  drains.set(server, drain);

  // Continue the caller's trace (or start one) for everything this request does; logs add its id.
  server.addHook('onRequest', (request, _reply, done) => {
    const header = request.headers.traceparent;
    runInTrace(childSpan(parseTraceparent(typeof header === 'string' ? header : undefined)), done);
  });

  // The hooks every request runs are callback-style: no promise and microtask per hook per request.
  server.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    const auth = options.mutualAuth;
    if (!auth?.enabled || openRoutes.has(request.url.split('?')[0] ?? '')) return done();
    const token = request.headers[callerTokenHeader];
    const caller = auth.verify(typeof token === 'string' ? token : undefined);
    // Answered here, the request goes no further (done is not called).
    if (!caller) return void reply.code(401).send({ err: token ? 'unknown caller token' : 'missing caller token' });
    // A known caller still reaches only its own routes (authorization.ts); an unknown path stays a 404.
    const route = request.routeOptions.url;
    const refused = route === undefined ? undefined : refusedCall(options.service, caller, request.method, route);
    if (refused) return void reply.code(403).send({ err: refused });
    done();
  });

  server.addHook('onResponse', (request, reply, done) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    if ((request.log as Logger).isLevelEnabled('info')) {
      request.log.info(
        { method: request.method, url: redactSecrets(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
        'request',
      );
    }
    done();
  });

  // Closed without serve()'s drain (tests, fixtures), the server still stops accepting first.
  server.addHook('preClose', async () => {
    await drain.stopAccepting();
  });
  // Draining and closing, a client is asked to reconnect instead of reusing a connection that is about to close.
  server.addHook('onSend', (request, reply, payload, done) => {
    if (drain.shouldCloseConnection(request.raw.socket)) reply.header('connection', 'close');
    done(null, payload);
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
    if (drain.isShuttingDown) return reply.code(503).send({ status: 'shutting down' });
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

/** fastify's form of trustProxy; a hop count counts from the right, as fastify does with a number (its types omit it). */
function trustedProxies(trust: ServiceServerOptions['trustProxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (trust === undefined || trust === false) return false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return [...trust];
}

/** Node's HTTP parser errors, answered on the raw socket with the same {"err"} body as the rest. */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', `the request line and headers are larger than ${maxHeaderSize} bytes; shorten the query string`]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'the request took too long to arrive']
        : [400, 'Bad Request', 'malformed HTTP request'];
  const body = JSON.stringify({ err: message });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** Listens and answers the URL the server can be reached at (the real port when 0 was asked for). */
export async function listen(server: FastifyInstance, host: string, port: number): Promise<string> {
  await server.listen({ host, port });
  const address = server.server.address();
  const actualPort = address && typeof address === 'object' ? address.port : port;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${actualPort}`;
}

/**
 * Listens, and shuts the server down with the lifecycle: it drains (not ready,
 * kept-alive clients asked to reconnect, still serving) with every other
 * server, then closes before what was registered earlier (it stops accepting
 * and finishes requests in flight); answers its URL.
 */
export async function serve(server: FastifyInstance, lifecycle: Lifecycle, host: string, port: number, name: string): Promise<string> {
  const url = await listen(server, host, port);
  const drain = drains.get(server);
  if (drain) lifecycle.onDrain(`${name} http`, () => drain.drain());
  lifecycle.onClose(`${name} http`, () => server.close());
  return url;
}
