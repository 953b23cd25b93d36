/**
 * The Pinboard v1 API (docs/design.md §20) at /pinboard/v1/: the methods of
 * Pinboard (and del.icio.us before it) over the gateway's managers, so that
 * existing Pinboard clients work by changing only their base URL. Every
 * method is a GET, as on Pinboard (POST is taken too); answers are XML unless
 * `format=json`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  DelinkciousError,
  ForbiddenError,
  RateLimitedError,
  ValidationError,
  organizeLimits,
  parseTags,
  type Link,
  type LinkManager,
  type UserManager,
} from '@delinkcious/object-model';
import type { Authenticator } from '../auth/authenticator.ts';
import * as answers from './answers.ts';
import { authenticatePinboard, type PinboardCaller } from './auth.ts';
import { PinboardArgs, dayOf, formatOf, pinboardTime, type Format } from './params.ts';
import { PinboardPosts } from './posts.ts';
import { WindowLimiter } from './rate-limit.ts';

export interface PinboardApiOptions {
  links: LinkManager;
  users: Pick<UserManager, 'getSettings'>;
  auth: Authenticator;
  /** Calls per user per minute, every method (0: unlimited). */
  perMinute: number;
  /** Calls that read every link (fullReads) per user per minute, on top (0: unlimited). */
  fullReadsPerMinute: number;
  /** Keys user/secret; absent, a per-process key (the secret then changes at each restart). */
  secretKey?: string;
}

/** The methods that change links: a read-only token may not call them. */
const writes = new Set(['posts/add', 'posts/delete', 'tags/delete', 'tags/rename']);

/**
 * The methods that read every one of the caller's links: a limit of their own.
 * posts/update and posts/dates are not among them: link-service keeps the
 * latest change and counts days in one query (docs/design.md §20).
 */
const fullReads = new Set(['posts/all']);

/** Pinboard's limits on arguments. */
const maxFilterTags = 3;
const recentDefault = 15;
const recentMax = 100;

const pinboardAuth =
  'Pinboard v1, at /pinboard/v1 (docs/design.md §20): authenticate with `auth_token=username:API_TOKEN` or HTTP Basic ' +
  '(username, API token as the password); XML unless `format=json`.';

const callers = new WeakMap<FastifyRequest, PinboardCaller>();

function callerOf(request: FastifyRequest): PinboardCaller {
  const caller = callers.get(request);
  if (!caller) throw new Error('pinboard route without its authentication hook');
  return caller;
}

type Handler = (args: PinboardArgs, username: string, format: Format, request: FastifyRequest) => Promise<answers.Answer>;

export async function registerPinboardApi(server: FastifyInstance, options: PinboardApiOptions): Promise<void> {
  const { links, auth } = options;
  const posts = new PinboardPosts(links, options.users);
  const calls = new WindowLimiter(options.perMinute, 60_000);
  const fullReadCalls = new WindowLimiter(options.fullReadsPerMinute, 60_000);
  const secretKey = options.secretKey ?? randomBytes(32).toString('base64url');

  await server.register(
    async (pinboard) => {
      pinboard.setErrorHandler(pinboardError);
      pinboard.addHook('onSend', async (_request, reply) => {
        reply.header('cache-control', 'no-store');
      });

      const method = (name: string, summary: string, handler: Handler) =>
        pinboard.route({
          method: ['GET', 'POST'],
          url: `/${name}`,
          schema: { tags: ['pinboard'], summary, description: pinboardAuth, security: [] },
          preValidation: async (request) => {
            const caller = await authenticatePinboard(auth, request);
            if (writes.has(name) && caller.credential.scope === 'read') throw new ForbiddenError('this token is read-only');
            const key = caller.credential.user.username;
            const wait = calls.take(key) ?? (fullReads.has(name) ? fullReadCalls.take(key) : undefined);
            if (wait !== undefined) throw new RateLimitedError(`too many requests; try again in ${wait} seconds`, wait);
            callers.set(request, caller);
          },
          handler: async (request, reply) => {
            const answer = await handler(new PinboardArgs(request), callerOf(request).credential.user.username, formatOf(request), request);
            return send(reply, 200, answer);
          },
        });

      method('posts/update', 'When your links last changed (Pinboard: posts/update)', async (_args, username, format) =>
        answers.updateTime(format, await posts.lastUpdate(username)),
      );

      method('posts/add', 'Save a link, or replace the one with its URL (Pinboard: posts/add)', async (args, username, format) => {
        const url = args.text('url')?.trim();
        if (!url) throw new MissingUrl();
        // A dt in the future is taken as now by the manager (Pinboard resets those more than 10 minutes ahead).
        const createdAt = args.datetime('dt');
        const outcome = await posts.add(username, {
          url,
          title: args.text('description') ?? '',
          extended: args.text('extended'),
          tags: args.tags('tags'),
          ...(createdAt && { createdAt }),
          replace: args.flag('replace') ?? true,
          shared: args.flag('shared'),
          toread: args.flag('toread'),
        });
        return answers.resultCode(format, outcome);
      });

      method('posts/delete', 'Delete a link (Pinboard: posts/delete)', async (args, username, format) => {
        const url = args.text('url')?.trim();
        if (!url) throw new MissingUrl();
        await links.deleteLink(username, url);
        return answers.resultCode(format, 'done');
      });

      method('posts/get', 'The links of one day, or the link with a URL (Pinboard: posts/get)', async (args, username, format) => {
        const tags = args.tags('tag', maxFilterTags);
        const url = args.text('url')?.trim();
        args.flag('meta');
        let found: Link[];
        let day: string;
        if (url) {
          const link = await posts.find(username, url);
          found = link && tags.every((tag) => link.tags.includes(tag)) ? [link] : [];
          day = found[0] ? dayOf(found[0].createdAt) : (args.day('dt') ?? '');
        } else {
          // Without dt, the most recent day with posts.
          day = args.day('dt') ?? (await posts.latestDay(username, tags)) ?? dayOf(new Date());
          found = await posts.day(username, tags, day);
        }
        const date = found[0] ? pinboardTime(found[0].createdAt) : day ? `${day}T00:00:00Z` : '';
        return answers.posts(format, { user: username, dt: day, date, tag: tags.join(' '), links: found });
      });

      method('posts/recent', 'Your most recent links (Pinboard: posts/recent)', async (args, username, format) => {
        const tags = args.tags('tag', maxFilterTags);
        const count = args.integer('count', 1, recentMax) ?? recentDefault;
        const found = await posts.collect(username, { tags }, count);
        const date = pinboardTime(found[0]?.createdAt ?? new Date());
        return answers.posts(format, { user: username, dt: date, date, tag: tags.join(' '), links: found });
      });

      method('posts/dates', 'How many links each day has (Pinboard: posts/dates)', async (args, username, format) => {
        const tags = args.tags('tag', maxFilterTags);
        return answers.dates(format, { user: username, tag: tags.join(' '), counts: await posts.dates(username, tags) });
      });

      method('posts/all', 'All your links, filtered and sliced (Pinboard: posts/all)', async (args, username, format) => {
        const tags = args.tags('tag', maxFilterTags);
        const start = args.integer('start', 0, 2 ** 31) ?? 0;
        const results = args.integer('results', 0, 2 ** 31);
        const from = args.datetime('fromdt');
        const to = args.datetime('todt');
        args.flag('meta');
        if (from && to && from > to) throw new ValidationError('fromdt must not be after todt');
        const found = await posts.collect(username, { tags, ...(from && { from }), ...(to && { to }) }, results === undefined ? Infinity : start + results);
        const page = found.slice(start);
        return answers.allPosts(format, { user: username, tag: tags.join(' '), links: page });
      });

      method('posts/suggest', 'Tags to suggest for a URL (Pinboard: posts/suggest)', async (args, username, format) => {
        const url = args.text('url')?.trim();
        if (!url) throw new MissingUrl();
        return answers.suggested(format, [], await recommendedTags(links, posts, username, url));
      });

      method('tags/get', 'Your tags and their counts (Pinboard: tags/get)', async (_args, username, format) =>
        answers.tags(format, await links.getTags({ username, limit: organizeLimits.maxTags })),
      );

      method('tags/delete', 'Remove a tag from every link (Pinboard: tags/delete)', async (args, username, format) => {
        await links.deleteTag(username, oneTag(args, 'tag'));
        return answers.result(format, 'done');
      });

      method('tags/rename', 'Rename a tag on every link (Pinboard: tags/rename)', async (args, username, format) => {
        await links.renameTag(username, oneTag(args, 'old'), oneTag(args, 'new'));
        return answers.result(format, 'done');
      });

      method('user/secret', 'A stable per-user secret (Pinboard: user/secret)', async (_args, username, format) =>
        answers.result(format, createHmac('sha256', secretKey).update(`pinboard-secret:${username}`).digest('hex').slice(0, 20)),
      );

      method('user/api_token', 'The token you authenticated with (Pinboard: user/api_token)', async (_args, _username, format, request) => answers.result(format, callerOf(request).token));

      method('notes/list', 'Your notes: none (Pinboard: notes/list)', async (_args, _username, format) => answers.noNotes(format));

      // Delinkcious keeps no notes: any note id is not found.
      pinboard.route({
        method: ['GET', 'POST'],
        url: '/notes/:id',
        schema: { tags: ['pinboard'], summary: 'A note: never found (Pinboard: notes/{id})', description: pinboardAuth, security: [] },
        preValidation: async (request) => void callers.set(request, await authenticatePinboard(auth, request)),
        handler: async (request, reply) => send(reply, 404, answers.resultCode(formatOf(request), 'item not found')),
      });

      pinboard.all('/*', { schema: { hide: true } }, async (request, reply) =>
        send(reply, 404, answers.resultCode(formatOf(request), `no such method: ${request.url.split('?')[0]!.replace(/^\/pinboard\/v1\//, '')}`)),
      );
    },
    { prefix: '/pinboard/v1' },
  );
}

/** One tag argument, checked as a tag (required). */
function oneTag(args: PinboardArgs, name: string): string {
  const tags = parseTags(args.text(name) ?? '', name);
  if (tags.length === 0) throw new ValidationError(`${name} is required`);
  if (tags.length > 1) throw new ValidationError(`${name} must be one tag`);
  return tags[0]!;
}

/**
 * posts/suggest's recommended tags: the caller's own tags for the URL when
 * they saved it, else their tags that appear as words of the URL.
 */
async function recommendedTags(links: LinkManager, posts: PinboardPosts, username: string, url: string): Promise<string[]> {
  const saved = await posts.find(username, url).catch((error: unknown) => {
    if (error instanceof ValidationError) return undefined;
    throw error;
  });
  if (saved) return saved.tags;
  const words = new Set(url.toLowerCase().split(/[^\p{L}\p{N}]+/u));
  const tags = await links.getTags({ username, limit: organizeLimits.maxTags });
  return tags.filter(({ tag }) => words.has(tag)).slice(0, 10).map(({ tag }) => tag);
}

class MissingUrl extends ValidationError {
  constructor() {
    super('missing url');
  }
}

function send(reply: FastifyReply, status: number, answer: answers.Answer): FastifyReply {
  return reply.code(status).type(answer.type).send(answer.body);
}

/**
 * Errors as Pinboard answers them: 401 and 429 with a plain body (its clients
 * look at the status), a state the request met (not found, already there) as a
 * result code with 200, bad arguments as a result code naming the problem with
 * 400, and anything else as "something went wrong".
 */
async function pinboardError(error: FastifyError | DelinkciousError, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const format = formatOf(request);
  if (error instanceof DelinkciousError) {
    switch (error.code) {
      case 'unauthenticated':
        return reply.code(401).header('www-authenticate', 'Basic realm="Pinboard API"').type('text/plain; charset=utf-8').send('401 Forbidden');
      case 'rate_limited':
        return reply
          .code(429)
          .header('retry-after', String((error as RateLimitedError).retryAfterSeconds ?? 3))
          .type('text/plain; charset=utf-8')
          .send('429 Too Many Requests');
      case 'not_found':
        return send(reply, 200, answers.resultCode(format, 'item not found'));
      case 'conflict':
        return send(reply, 200, answers.resultCode(format, 'item already exists'));
      case 'validation':
      case 'forbidden':
      case 'payload_too_large':
        return send(reply, error.status, answers.resultCode(format, error.message));
      default:
        return send(reply, error.status, answers.resultCode(format, 'something went wrong'));
    }
  }
  const status = error.statusCode ?? 500;
  if (status >= 500) request.log.error({ err: error }, 'pinboard request failed');
  return send(reply, status >= 500 ? 500 : status, answers.resultCode(format, status >= 500 ? 'something went wrong' : error.message));
}
