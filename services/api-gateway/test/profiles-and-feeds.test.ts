/**
 * Profiles, people search, Atom feeds and the feed token over HTTP, on the
 * real managers in memory, in each PUBLIC_PROFILES mode. Feeds are read with
 * a real feed parser, and nothing private may appear in any of these answers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseFeed } from '@rowanmanning/feed-parser';
import { createLogger, listen } from '@delinkcious/kit';
import { DefaultNewsManager, FeedFanOut, MemoryNewsStore } from '@delinkcious/news-service';
import type { LinkEvent } from '@delinkcious/object-model';
import { createGateway } from '../src/gateway.ts';
import { readApiGatewayConfig } from '../src/config.ts';
import { call, memoryManagers, recordingLogger } from './support/harness.ts';

const logger = createLogger('api-gateway-test');
logger.level = process.env.TEST_LOG_LEVEL ?? 'silent';

/** A gateway in one PUBLIC_PROFILES mode, with alice (2 public links, 1 private), bob following her, and a news feed. */
async function world(mode: string, log = logger) {
  const managers = memoryManagers();
  const store = new MemoryNewsStore({ feedMax: 1000 });
  const news = new DefaultNewsManager({ store, pageSize: 50 });
  const fanOut = new FeedFanOut({ store, socialGraph: managers.socialGraph });
  const config = readApiGatewayConfig({ DELINKCIOUS_MUTUAL_AUTH: 'false', PUBLIC_PROFILES: mode, PUBLIC_URL: 'http://delinkcious.test' });
  const server = await createGateway({ config, ...managers, news, logger: log });
  const url = await listen(server, '127.0.0.1', 0);
  const signIn = async (username: string, name: string) => {
    await managers.users.register({ username, name, email: `${username}@secret.example` });
    return (await managers.users.login(username)).token;
  };
  const alice = await signIn('alice', 'Alice Liddell');
  const bob = await signIn('bob', 'Bob Builder');
  await signIn('alfred', 'Alfred');
  const add = async (json: Record<string, unknown>) => {
    const answer = await call(url, 'POST', '/v1/links', { token: alice, json });
    assert.equal(answer.status, 200, answer.text);
  };
  await add({ url: 'https://one.example/', title: 'One <&> one', description: 'first', tags: ['go', 'web'], private: false });
  await add({ url: 'https://two.example/', title: 'Two', tags: ['web'], private: false });
  await add({ url: 'https://secret.example/', title: 'Secret', tags: ['web'], private: true });
  assert.equal((await call(url, 'POST', '/v1/following', { token: bob, json: { followed: 'alice' } })).status, 200);
  const event: LinkEvent = {
    id: 'e1',
    type: 'link.added',
    username: 'alice',
    link: { url: 'https://one.example/', title: 'One <&> one', description: '', status: 'pending', tags: [] },
    timestamp: '2026-03-01T12:00:00Z',
  };
  await fanOut.handleLinkEvent(event);
  return { url, alice, bob, get: (path: string, token?: string) => call(url, 'GET', path, token === undefined ? {} : { token }), close: () => server.close() };
}

type World = Awaited<ReturnType<typeof world>>;

describe('PUBLIC_PROFILES=anyone (the default)', () => {
  let w: World;
  const log = recordingLogger();
  before(async () => {
    w = await world('anyone', log.logger);
  });
  after(() => w.close());

  test('a profile: name and counts, public links only, no email; anonymous or signed in', async () => {
    for (const token of [undefined, w.bob]) {
      const answer = await w.get('/v1/users/Alice', token);
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.body, {
        err: '',
        user: { username: 'alice', name: 'Alice Liddell', public_links: 2, followers: 1, following: 0, feed_url: '/feeds/alice' },
      });
    }
    assert.equal((await w.get('/v1/users/bob')).body.user.following, 1);
  });

  test("someone's links: the public ones, newest first, filtered and paged like /v1/links", async () => {
    const page = await w.get('/v1/users/alice/links?limit=1');
    assert.equal(page.status, 200, page.text);
    assert.deepEqual(page.body.links.map((link: { Url: string }) => link.Url), ['https://two.example/']);
    assert.ok(page.body.next_page_token);
    const next = await w.get(`/v1/users/alice/links?limit=1&start_token=${encodeURIComponent(page.body.next_page_token)}`);
    assert.deepEqual(next.body.links.map((link: { Url: string }) => link.Url), ['https://one.example/']);
    assert.equal(next.body.next_page_token, '');
    const tagged = await w.get('/v1/users/alice/links?tag=web');
    assert.deepEqual(tagged.body.links.map((link: { Url: string }) => link.Url), ['https://two.example/', 'https://one.example/']);
    assert.ok(!tagged.text.includes('secret.example'), 'never a private link');
    assert.equal((await w.get('/v1/users/alice/links?title_regex=(')).status, 400);
  });

  test('unknown users are 404, malformed names 400, a bad token 401', async () => {
    const unknown = await w.get('/v1/users/nobody');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.err, 'nobody here has the username nobody');
    assert.equal((await w.get('/v1/users/nobody/links')).status, 404);
    assert.equal((await w.get('/v1/users/no_body')).status, 400);
    assert.equal((await w.get('/v1/users/alice', 'not-a-token')).status, 401);
  });

  test('people search: username or name prefix, any case, paged, at most 20 a page', async () => {
    const found = await w.get('/v1/users?q=AL');
    assert.equal(found.status, 200, found.text);
    assert.deepEqual(found.body, {
      err: '',
      users: [
        { username: 'alfred', name: 'Alfred' },
        { username: 'alice', name: 'Alice Liddell' },
      ],
      next_page_token: '',
    });
    assert.deepEqual((await w.get('/v1/users?q=bob%20b')).body.users, [{ username: 'bob', name: 'Bob Builder' }]);
    const first = await w.get('/v1/users?q=a&limit=1');
    assert.deepEqual(first.body.users, [{ username: 'alfred', name: 'Alfred' }]);
    const second = await w.get(`/v1/users?q=a&limit=1&start_token=${first.body.next_page_token}`);
    assert.deepEqual(second.body.users, [{ username: 'alice', name: 'Alice Liddell' }]);
    assert.equal((await w.get('/v1/users?q=')).body.err, 'q is required');
    assert.equal((await w.get('/v1/users?q=a&limit=21')).status, 400);
    assert.equal((await w.get('/v1/users?q=a&limit=x')).body.err, 'limit must be a whole number from 1 to 20');
  });

  test("a user's Atom feed: their public links, parsed by a feed reader's parser", async () => {
    const answer = await w.get('/feeds/alice');
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.headers.get('content-type'), 'application/atom+xml; charset=utf-8');
    const feed = parseFeed(answer.text);
    assert.equal(feed.meta.type, 'atom');
    assert.equal(feed.title, "alice's links on Delinkcious");
    assert.equal(feed.self, 'http://delinkcious.test/feeds/alice');
    assert.equal(feed.url, 'http://delinkcious.test/#/u/alice');
    assert.deepEqual(
      feed.items.map((item) => [item.title, item.url, item.authors.map((author) => author.name)]),
      [
        ['Two', 'https://two.example/', ['alice']],
        ['One <&> one', 'https://one.example/', ['alice']],
      ],
    );
    const one = feed.items[1]!;
    assert.equal(one.description, 'first');
    assert.deepEqual(one.categories.map((category) => category.term).sort(), ['go', 'web']);
    assert.ok(one.published instanceof Date && one.updated instanceof Date);
    assert.ok(Math.abs(one.published.getTime() - Date.now()) < 60_000);
    assert.ok(!answer.text.includes('secret.example'), 'never a private link');

    const tagged = parseFeed((await w.get('/feeds/alice/go')).text);
    assert.equal(tagged.title, "alice's links tagged go on Delinkcious");
    assert.deepEqual(tagged.items.map((item) => item.url), ['https://one.example/']);
    assert.equal((await w.get('/feeds/nobody')).status, 404);
  });

  test('the news feed: behind a token from settings, shown once, revoked by the next', async () => {
    const before = await w.get('/v1/settings', w.bob);
    assert.equal(before.status, 200, before.text);
    assert.equal(before.body.feed_url, '');
    assert.equal(before.body.feed_token_created_at, '');
    const made = await call(w.url, 'POST', '/v1/settings/feed-token', { token: w.bob });
    assert.equal(made.status, 200, made.text);
    assert.match(made.body.feed_url, /^\/feeds\/news\/dlkf_[A-Za-z0-9_-]+$/);
    assert.equal(typeof made.body.default_private, 'boolean', 'the answer is the settings');
    const after = await w.get('/v1/settings', w.bob);
    assert.equal(after.body.feed_url, '', 'the secret is not kept, so not shown again');
    assert.equal(after.body.feed_token_created_at, made.body.feed_token_created_at);

    const answer = await w.get(made.body.feed_url);
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.headers.get('content-type'), 'application/atom+xml; charset=utf-8');
    assert.match(answer.headers.get('cache-control') ?? '', /no-store/);
    const feed = parseFeed(answer.text);
    assert.equal(feed.title, "bob's news on Delinkcious");
    assert.equal(feed.items.length, 1);
    assert.equal(feed.items[0]!.title, 'alice saved One <&> one');
    assert.equal(feed.items[0]!.url, 'https://one.example/');
    assert.equal(feed.items[0]!.updated?.toISOString(), '2026-03-01T12:00:00.000Z');
    assert.deepEqual(feed.items[0]!.authors.map((author) => author.name), ['alice']);
    assert.equal(feed.self, `http://delinkcious.test${made.body.feed_url}`);

    const renewed = await call(w.url, 'POST', '/v1/settings/feed-token', { token: w.bob });
    assert.notEqual(renewed.body.feed_url, made.body.feed_url);
    assert.equal((await w.get(made.body.feed_url)).status, 404, 'the old URL is revoked');
    assert.equal((await w.get(renewed.body.feed_url)).status, 200);
    assert.equal((await w.get('/feeds/news/dlkf_made-up')).status, 404);
    const logged = JSON.stringify(log.lines);
    assert.ok(logged.includes('/feeds/news/[redacted]'), 'the feed requests were logged');
    assert.ok(!logged.includes('dlkf_'), 'no feed token in the logs');
    assert.equal((await call(w.url, 'POST', '/v1/settings/feed-token')).status, 401);
  });
});

describe('PUBLIC_PROFILES=signed-in', () => {
  let w: World;
  before(async () => {
    w = await world('signed-in');
  });
  after(() => w.close());

  test('profiles and search need a caller; public feeds are 404; the token feed works', async () => {
    assert.equal((await w.get('/v1/users/alice')).status, 401);
    assert.equal((await w.get('/v1/users/alice/links')).status, 401);
    assert.equal((await w.get('/v1/users?q=a')).status, 401);
    assert.equal((await w.get('/v1/users/alice', w.bob)).body.user.public_links, 2);
    assert.equal((await w.get('/v1/users/alice', w.bob)).body.user.feed_url, '', 'no public feed to point at');
    assert.equal((await w.get('/v1/users/alice/links', w.bob)).body.links.length, 2);
    assert.equal((await w.get('/v1/users?q=a', w.bob)).body.users.length, 2);
    assert.equal((await w.get('/feeds/alice')).status, 404);
    assert.equal((await w.get('/feeds/alice/web', w.bob)).status, 404);
    const made = await call(w.url, 'POST', '/v1/settings/feed-token', { token: w.bob });
    assert.equal((await w.get(made.body.feed_url)).status, 200);
  });
});

describe('PUBLIC_PROFILES=off', () => {
  let w: World;
  before(async () => {
    w = await world('off');
  });
  after(() => w.close());

  test('profiles, search and public feeds are 404 for everyone; the token feed works', async () => {
    for (const path of ['/v1/users/alice', '/v1/users/alice/links', '/v1/users?q=a', '/feeds/alice', '/feeds/alice/web']) {
      for (const token of [undefined, w.alice]) {
        const answer = await w.get(path, token);
        assert.equal(answer.status, 404, `${path} ${token ? 'signed in' : 'anonymous'}`);
      }
    }
    const made = await call(w.url, 'POST', '/v1/settings/feed-token', { token: w.bob });
    assert.equal((await w.get(made.body.feed_url)).status, 200);
  });

  test('a bad PUBLIC_PROFILES stops start-up naming it', () => {
    assert.throws(() => readApiGatewayConfig({ PUBLIC_PROFILES: 'everyone' }), /^ConfigError: PUBLIC_PROFILES must be one of anyone, signed-in, off, got "everyone"$/);
  });
});
