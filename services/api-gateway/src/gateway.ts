/**
 * The public gateway: the kit's server (probes, metrics, request ids, error
 * answers) without inbound mutual auth, plus security headers, cookies, form
 * bodies, rate limiting, OpenAPI, sign-in and /v1. It holds no state but a
 * short token cache; the managers behind it are injected, so tests run it on
 * in-memory managers and main.ts on the service clients.
 */
import { randomBytes } from 'node:crypto';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { ServiceMetrics, createServiceServer, type Logger } from '@delinkcious/kit';
import { RateLimitedError, type LinkManager, type NewsManager, type SocialGraphManager, type UserManager } from '@delinkcious/object-model';
import { Authenticator } from './auth/authenticator.ts';
import { requireCaller } from './auth/hooks.ts';
import { tokenKey } from './auth/token-cache.ts';
import type { ApiGatewayConfig } from './config.ts';
import { GitHubOAuth } from './github.ts';
import { registerOpenApi } from './openapi.ts';
import { profileReaders } from './auth/public-access.ts';
import { registerFeedTokenRoute } from './routes/feed-token.ts';
import { registerFeedRoutes } from './routes/feeds.ts';
import { registerLinkRoutes } from './routes/links.ts';
import { registerImportRoutes } from './routes/import.ts';
import { registerExportRoute } from './routes/export.ts';
import { registerTagRoutes } from './routes/tags.ts';
import { registerBulkRoutes } from './routes/bulk.ts';
import { registerRecheckRoute } from './routes/recheck.ts';
import { registerProfileRoutes } from './routes/profiles.ts';
import { registerLoginRoutes } from './routes/login.ts';
import { registerNewsRoutes } from './routes/news.ts';
import { registerPopularRoutes } from './routes/popular.ts';
import { registerLoginOptionsRoute, registerSessionRoute } from './routes/session.ts';
import { registerSettingsRoutes } from './routes/settings.ts';
import { registerSocialRoutes } from './routes/social.ts';
import { registerTokenRoutes } from './routes/tokens.ts';
import { registerWebUi } from './web.ts';
import { registerPinboardApi } from './pinboard/routes.ts';
import { securityHeaders } from './security-headers.ts';

export interface GatewayManagers {
  links: LinkManager;
  socialGraph: SocialGraphManager;
  users: UserManager;
  /** news-service; absent, GET /v1/news answers 503. */
  news?: NewsManager;
}

export interface GatewayOptions extends GatewayManagers {
  config: ApiGatewayConfig;
  logger: Logger;
  metrics?: ServiceMetrics;
  /** The built web UI (index.html and hashed assets); default: the repository's web/dist. */
  webDir?: string;
  /** What /readyz checks besides shutting down: embedded, the readiness of every service in the process. */
  readiness?: () => Promise<void>;
}

/**
 * The rate-limit counters in Redis, so that replicas share one limit. While Redis
 * is away requests pass unlimited (skipOnError) rather than fail: a Redis outage
 * must not take the public API down with it. ioredis is loaded only then: the
 * embedded process never needs it (~0.1 s of its start).
 */
async function sharedCounters(server: FastifyInstance, url: string, logger: Logger): Promise<Redis> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { connectionName: 'api-gateway-rate-limit', maxRetriesPerRequest: 1, commandTimeout: 1000, retryStrategy: (attempt) => Math.min(5000, 100 * attempt) });
  let lastWarning = 0;
  redis.on('error', (error: Error) => {
    if (Date.now() - lastWarning < 60_000) return;
    lastWarning = Date.now();
    logger.warn({ err: error.message }, 'rate-limit redis unreachable; requests are not rate limited until it is back');
  });
  server.addHook('onClose', async () => {
    await redis.quit().catch(() => redis.disconnect());
  });
  return redis;
}

export async function createGateway(options: GatewayOptions): Promise<FastifyInstance> {
  const { config, links, socialGraph, users } = options;
  const server = createServiceServer({
    service: 'api-gateway',
    logger: options.logger,
    metrics: options.metrics ?? new ServiceMetrics('api-gateway'),
    bodyLimit: config.BODY_LIMIT,
    trustProxy: config.TRUST_PROXY,
    ...(options.readiness && { readiness: options.readiness }),
    // No mutualAuth: the gateway is public; it presents its own caller token downstream, through the clients.
  });
  // Schemas are documentation (openapi.ts); inputs.ts checks inputs, and answers are sent whole.
  server.setValidatorCompiler(() => () => true);
  server.setSerializerCompiler(() => (data) => JSON.stringify(data));
  acceptEmptyJsonBodies(server);

  const auth = new Authenticator(users, { ttlMs: config.TOKEN_CACHE_TTL, maxEntries: config.TOKEN_CACHE_SIZE });
  const github =
    config.GITHUB_CLIENT_ID && config.GITHUB_CLIENT_SECRET
      ? new GitHubOAuth({
          clientId: config.GITHUB_CLIENT_ID,
          clientSecret: config.GITHUB_CLIENT_SECRET,
          oauthUrl: config.GITHUB_OAUTH_URL,
          apiUrl: config.GITHUB_API_URL,
          timeoutMs: config.GITHUB_TIMEOUT,
        })
      : undefined;

  const headers = securityHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      // For the same-origin web UI (served at / later) and /docs: nothing from elsewhere, no inline script.
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        // A sign-in form may lead to GitHub's authorize page.
        formAction: ["'self'", new URL(config.GITHUB_OAUTH_URL).origin],
        frameAncestors: ["'none'"],
        imgSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
      },
    },
  });
  server.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
  await server.register(cookie, { secret: config.SESSION_SECRET ?? randomBytes(32).toString('base64url') });
  await server.register(formbody, { bodyLimit: config.BODY_LIMIT });
  if (config.RATE_LIMIT_PER_MINUTE > 0) {
    const shared = config.REDIS_URL ? await sharedCounters(server, config.REDIS_URL, options.logger) : undefined;
    await server.register(rateLimit, {
      max: config.RATE_LIMIT_PER_MINUTE,
      timeWindow: 60_000,
      ...(shared ? { redis: shared, nameSpace: config.RATE_LIMIT_REDIS_PREFIX, skipOnError: true } : {}),
      // Per token, but only one user-service vouched for moments ago: random tokens do not buy fresh buckets.
      keyGenerator: (request) => {
        const presented = auth.tokenOf(request);
        return presented && auth.recentlyValidated(presented.token) ? `token:${tokenKey(presented.token)}` : `ip:${request.ip}`;
      },
      errorResponseBuilder: (_request, context) =>
        new RateLimitedError(`too many requests; try again in ${context.after}`, Math.ceil(context.ttl / 1000)),
    });
  }
  await registerOpenApi(server);

  registerLoginRoutes(server, { users, auth, github, devLogin: config.DEV_LOGIN, publicUrl: config.PUBLIC_URL });
  registerLoginOptionsRoute(server, { github: github !== undefined, devLogin: config.DEV_LOGIN });
  registerWebUi(server, { dir: options.webDir });
  await server.register(
    async (v1) => {
      v1.addHook('preValidation', requireCaller(auth, config.PUBLIC_URL));
      // Every answer here is one user's own data (or a secret): no shared cache may keep it.
      v1.addHook('onSend', (_request, reply, payload, done) => {
        reply.header('cache-control', 'no-store');
        done(null, payload);
      });
      registerLinkRoutes(v1, links, users);
      registerImportRoutes(v1, links, { maxBytes: config.IMPORT_MAX_BYTES });
      registerExportRoute(v1, links);
      registerTagRoutes(v1, links);
      registerBulkRoutes(v1, links);
      registerRecheckRoute(v1, links, { perMinute: config.RATE_LIMIT_PER_MINUTE > 0 ? config.RECHECK_PER_MINUTE : 0 });
      registerSettingsRoutes(v1, users);
      registerPopularRoutes(v1, links, socialGraph);
      registerSocialRoutes(v1, socialGraph, users);
      registerTokenRoutes(v1, users, auth);
      registerNewsRoutes(v1, options.news);
      registerSessionRoute(v1);
      registerFeedTokenRoute(v1, users);
    },
    { prefix: '/v1' },
  );
  // Profiles and people search: their own guard, PUBLIC_PROFILES (anonymous callers welcome with `anyone`).
  await server.register(
    async (v1) => {
      v1.addHook('preValidation', profileReaders(auth, config.PUBLIC_PROFILES));
      // Who may see them changes with the operator's setting and the caller: no shared cache keeps them.
      v1.addHook('onSend', async (_request, reply) => {
        reply.header('cache-control', 'no-store');
      });
      registerProfileRoutes(v1, { links, socialGraph, users, publicFeeds: config.PUBLIC_PROFILES === 'anyone' });
    },
    { prefix: '/v1' },
  );
  registerFeedRoutes(server, { links, users, news: options.news, mode: config.PUBLIC_PROFILES, publicUrl: config.PUBLIC_URL });
  // Pinboard v1 (docs/design.md §20): its own authentication (auth_token or Basic), answers and rate limits.
  await registerPinboardApi(server, {
    links,
    users,
    auth,
    perMinute: config.PINBOARD_RATE_LIMIT_PER_MINUTE,
    fullReadsPerMinute: config.PINBOARD_FULL_READS_PER_MINUTE,
    ...(config.SESSION_SECRET && { secretKey: config.SESSION_SECRET }),
  });
  return server;
}

/**
 * Some clients send `Content-Type: application/json` with no body (a DELETE,
 * say); fastify refuses that. Take it as no body, and parse the rest with
 * fastify's own parser (which guards against prototype poisoning).
 */
function acceptEmptyJsonBodies(server: FastifyInstance): void {
  const parse = server.getDefaultJsonParser('error', 'error');
  server.removeContentTypeParser('application/json');
  server.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    parse(request, text, done);
  });
}
