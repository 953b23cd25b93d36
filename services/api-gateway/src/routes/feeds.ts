/**
 * Atom feeds (docs/design.md §2), made with the `feed` library:
 * `/feeds/{username}` and `/feeds/{username}/{tag}`, someone's latest public
 * links (only when PUBLIC_PROFILES=anyone: feed readers never sign in), and
 * `/feeds/news/{feed_token}`, a user's own news feed behind the secret token
 * shown in their settings (any mode; an unknown or revoked token is 404).
 * A user named "news" therefore has no tag feeds: that path is the news feed's.
 * The library loads with the first feed asked for, not at start (~25 ms of every gateway's start).
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Feed } from 'feed';
import {
  NotFoundError,
  UnavailableError,
  requireUsername,
  type Link,
  type LinkManager,
  type NewsEvent,
  type NewsManager,
  type UserManager,
} from '@delinkcious/object-model';
import { publicFeedReaders, type PublicProfiles } from '../auth/public-access.ts';
import { publicBase } from '../auth/cookies.ts';
import { errors } from '../openapi.ts';

/** How many entries a public feed holds: the newest public links. */
export const feedEntries = 50;

const atomType = 'application/atom+xml; charset=utf-8';

export interface FeedOptions {
  links: LinkManager;
  users: UserManager;
  news: NewsManager | undefined;
  mode: PublicProfiles;
  publicUrl: string | undefined;
}

const atomAnswer = { 200: { description: 'An Atom 1.0 feed', content: { 'application/atom+xml': { schema: { type: 'string' } } } } };

/** A stable entry id: a `tag:` URI (RFC 4151) of this server, unique per what it names. */
function entryId(base: string, ...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32);
  return `tag:${new URL(base).host},2026:${digest}`;
}

/** The library marks entry titles and summaries as HTML: plain text goes in escaped, so a reader shows it as typed. */
const asHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const profileUrl = (base: string, username: string) => `${base}/#/u/${encodeURIComponent(username)}`;

function sendAtom(reply: FastifyReply, feed: Feed, cacheControl: string): string {
  reply.type(atomType).header('cache-control', cacheControl);
  return feed.atom1();
}

async function linkFeed(base: string, self: string, username: string, tag: string | undefined, links: Link[]): Promise<Feed> {
  const { Feed } = await import('feed');
  const feed = new Feed({
    id: self,
    title: tag ? `${username}'s links tagged ${tag} on Delinkcious` : `${username}'s links on Delinkcious`,
    link: profileUrl(base, username),
    feedLinks: { atom: self },
    // The newest change, so an unchanged feed keeps its date; an empty one has only now.
    updated: links.reduce<Date | undefined>((latest, link) => (!latest || link.updatedAt > latest ? link.updatedAt : latest), undefined) ?? new Date(),
    author: { name: username, link: profileUrl(base, username) },
    generator: 'Delinkcious',
  });
  for (const link of links) {
    feed.addItem({
      id: entryId(base, 'link', username, link.url),
      title: asHtml(link.title || link.url),
      link: link.url,
      date: link.updatedAt,
      published: link.createdAt,
      ...(link.description && { description: asHtml(link.description) }),
      category: link.tags.map((term) => ({ name: term, term })),
      author: [{ name: username, link: profileUrl(base, username) }],
    });
  }
  return feed;
}

const verbs: Record<NewsEvent['eventType'], string> = { LINK_ADDED: 'saved', LINK_UPDATED: 'updated', LINK_DELETED: 'deleted' };

async function newsFeed(base: string, self: string, username: string, events: NewsEvent[]): Promise<Feed> {
  const { Feed } = await import('feed');
  const feed = new Feed({
    id: `${base}/feeds/news/${entryId(base, 'news', username)}`,
    title: `${username}'s news on Delinkcious`,
    link: `${base}/#/news`,
    feedLinks: { atom: self },
    updated: events[0]?.timestamp ?? new Date(),
    generator: 'Delinkcious',
  });
  for (const event of events) {
    feed.addItem({
      id: entryId(base, 'news', username, event.eventType, event.username, event.url, event.timestamp.toISOString()),
      title: asHtml(`${event.username} ${verbs[event.eventType]} ${event.title || event.url}`),
      link: event.url,
      date: event.timestamp,
      author: [{ name: event.username, link: profileUrl(base, event.username) }],
    });
  }
  return feed;
}

/** The user named in the path, or 404. */
async function existingUsername(users: UserManager, value: unknown): Promise<string> {
  let username: string;
  try {
    username = requireUsername(value, 'username');
  } catch (error) {
    throw new NotFoundError('no such feed', { cause: error });
  }
  return (await users.getUser(username).catch((error: unknown) => {
    throw error instanceof NotFoundError ? new NotFoundError('no such feed', { cause: error }) : error;
  })).username;
}

export function registerFeedRoutes(server: FastifyInstance, options: FeedOptions): void {
  const { links, users, news } = options;
  const selfUrl = (request: FastifyRequest) => `${publicBase(request, options.publicUrl)}${request.url.split('?')[0]}`;

  server.get(
    '/feeds/news/:feed_token',
    {
      schema: {
        tags: ['feeds'],
        summary: 'Your news feed as Atom, behind the secret token of your settings (feed_url)',
        params: { type: 'object', properties: { feed_token: { type: 'string' } } },
        response: { ...atomAnswer, ...errors(404, 429, 503) },
      },
    },
    async (request, reply) => {
      const token = (request.params as Record<string, string>).feed_token ?? '';
      const username = await users.feedTokenOwner(token);
      if (!news) throw new UnavailableError('the news feed is not available');
      const page = await news.getNews(username);
      const base = publicBase(request, options.publicUrl);
      // A secret URL: no shared cache may keep it, and it says so to any that would.
      return sendAtom(reply, await newsFeed(base, selfUrl(request), username, page.events), 'private, no-store');
    },
  );

  const publicFeed = async (request: FastifyRequest, reply: FastifyReply) => {
    const params = request.params as Record<string, string>;
    const username = await existingUsername(users, params.username);
    const tag = params.tag;
    const result = await links.getPublicLinks({ username, ...(tag !== undefined && { tag }), limit: feedEntries });
    const base = publicBase(request, options.publicUrl);
    return sendAtom(reply, await linkFeed(base, selfUrl(request), username, tag, result.links), 'public, max-age=300');
  };
  const publicSchema = (summary: string, tag: boolean) => ({
    schema: {
      tags: ['feeds'],
      summary,
      params: {
        type: 'object',
        properties: { username: { type: 'string' }, ...(tag && { tag: { type: 'string' } }) },
      },
      response: { ...atomAnswer, ...errors(400, 404, 429, 503) },
    },
    preValidation: publicFeedReaders(options.mode),
  });
  server.get('/feeds/:username', publicSchema(`Someone's ${feedEntries} newest public links as Atom (PUBLIC_PROFILES=anyone only)`, false), publicFeed);
  server.get('/feeds/:username/:tag', publicSchema('Their newest public links with one tag, as Atom (PUBLIC_PROFILES=anyone only)', true), publicFeed);
}
