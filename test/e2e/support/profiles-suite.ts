/**
 * Profiles, people search, Atom feeds and feed tokens through the public API
 * only (issue 20), written once and run against every deployment. Feeds are
 * read with a real feed parser; nothing private may appear in any answer that
 * shows someone's links to others (profile, counts, links, feeds).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFeed } from '@rowanmanning/feed-parser';
import { call, waitFor } from './http.ts';
import { newRun, userOf, waitForFeed, type NewsTarget } from './news-suite.ts';

type Api = (method: string, path: string, options?: { token?: string; json?: unknown; query?: Record<string, string> }) => ReturnType<typeof call>;

const apiOf =
  (target: () => NewsTarget): Api =>
  (method, path, options = {}) =>
    call(target().baseUrl, method, path, { ...options, timeoutMs: 30_000 });

async function ok(what: string, answer: ReturnType<Api>) {
  const done = await answer;
  assert.equal(done.status, 200, `${what}: ${done.status} ${done.text.slice(0, 300)}`);
  return done;
}

/** alice with two public links and a private one, bob following her; answers their names, tokens and URLs. */
async function aliceAndBob(target: () => NewsTarget, api: Api, label: string) {
  const run = newRun();
  const alice = userOf(run, `${label}-alice`);
  const bob = userOf(run, `${label}-bob`);
  const aliceToken = await target().signIn(alice);
  const bobToken = await target().signIn(bob);
  const urls = { one: `https://one-${run}.example/`, two: `https://two-${run}.example/`, secret: `https://secret-${run}.example/` };
  await ok('bob follows alice', api('POST', '/v1/following', { token: bobToken, json: { followed: alice } }));
  const add = (url: string, title: string, extra: Record<string, unknown>) =>
    ok(`add ${url}`, api('POST', '/v1/links', { token: aliceToken, json: { url, title, ...extra } }));
  await add(urls.one, 'One & only', { tags: 'go,web', description: 'the first', private: false });
  await add(urls.two, 'Two', { tags: 'web', private: false });
  await add(urls.secret, 'Secret', { tags: 'web', private: true });
  return { run, alice, bob, aliceToken, bobToken, urls };
}

export function profilesSuite(target: () => NewsTarget): void {
  const api = apiOf(target);

  test('a profile: counts and public links only, for anonymous callers too; unknown users are 404', async () => {
    const { alice, bob, bobToken, urls } = await aliceAndBob(target, api, 'prof');
    const profile = await ok('profile', api('GET', `/v1/users/${alice.toUpperCase()}`));
    assert.deepEqual(profile.body, {
      err: '',
      user: { username: alice, name: alice, public_links: 2, followers: 1, following: 0, feed_url: `/feeds/${alice}` },
    });
    assert.equal((await ok('bob', api('GET', `/v1/users/${bob}`, { token: bobToken }))).body.user.following, 1);

    const first = await ok('links', api('GET', `/v1/users/${alice}/links`, { query: { limit: '1' } }));
    assert.deepEqual(first.body.links.map((link: { Url: string }) => link.Url), [urls.two]);
    const second = await ok('links', api('GET', `/v1/users/${alice}/links`, { query: { limit: '1', start_token: first.body.next_page_token } }));
    assert.deepEqual(second.body.links.map((link: { Url: string }) => link.Url), [urls.one]);
    assert.equal(second.body.next_page_token, '');
    const web = await ok('tagged', api('GET', `/v1/users/${alice}/links`, { query: { tag: 'web' } }));
    assert.equal(web.body.links.length, 2);
    assert.ok(!web.text.includes(urls.secret), 'never the private link');

    const unknown = await api('GET', `/v1/users/nobody-${alice}`);
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.err, /nobody here has the username/);
    assert.equal((await api('GET', `/v1/users/nobody-${alice}/links`)).status, 404);
  });

  test('people search: a case-insensitive prefix of the username, paged 20 at most', async () => {
    const run = newRun();
    const names = Array.from({ length: 22 }, (_, i) => `find-${run}-${String(i).padStart(2, '0')}`);
    for (const name of names) await target().signIn(name);
    const first = await ok('search', api('GET', '/v1/users', { query: { q: `FIND-${run}` } }));
    assert.equal(first.body.users.length, 20);
    assert.deepEqual(first.body.users[0], { username: names[0], name: names[0] });
    const second = await ok('page 2', api('GET', '/v1/users', { query: { q: `find-${run}`, start_token: first.body.next_page_token } }));
    assert.deepEqual(second.body.users.map((user: { username: string }) => user.username), names.slice(20));
    assert.equal(second.body.next_page_token, '');
    assert.ok(!first.text.includes('email'));
    assert.equal((await api('GET', '/v1/users', { query: { q: 'a', limit: '21' } })).status, 400);
  });

  test('Atom feeds parse as feeds, newest first, and never hold a private link; the news feed sits behind a revocable token', async () => {
    const { alice, bobToken, urls } = await aliceAndBob(target, api, 'feed');
    const answer = await ok('feed', api('GET', `/feeds/${alice}`));
    assert.equal(answer.headers.get('content-type'), 'application/atom+xml; charset=utf-8');
    const feed = parseFeed(answer.text);
    assert.equal(feed.meta.type, 'atom');
    assert.deepEqual(
      feed.items.map((item) => [item.title, item.url, item.authors.map((author) => author.name)]),
      [
        ['Two', urls.two, [alice]],
        ['One & only', urls.one, [alice]],
      ],
    );
    assert.equal(feed.items[1]!.description, 'the first');
    assert.ok(feed.items.every((item) => item.published instanceof Date && item.updated instanceof Date));
    assert.ok(!answer.text.includes(urls.secret), 'never the private link');
    const tagged = parseFeed((await ok('tag feed', api('GET', `/feeds/${alice}/go`))).text);
    assert.deepEqual(tagged.items.map((item) => item.url), [urls.one]);
    assert.equal((await api('GET', `/feeds/nobody-${alice}`)).status, 404);

    // bob's news, as GET /v1/news shows it, behind his feed token.
    await waitForFeed(target().baseUrl, bobToken, 'bob sees both public links', (events) => events.filter((e) => e.url !== urls.secret).length >= 2);
    const made = await ok('feed token', api('POST', '/v1/settings/feed-token', { token: bobToken }));
    assert.match(made.body.feed_url, /^\/feeds\/news\/\S+$/);
    const news = await waitFor(async () => parseFeed((await ok('news feed', api('GET', made.body.feed_url))).text), {
      what: 'the news feed to show both public links',
      until: (parsed) => parsed.items.length >= 2,
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    assert.deepEqual(new Set(news.items.map((item) => item.url)), new Set([urls.one, urls.two]), 'no private link in the news feed');
    assert.ok(news.items.every((item) => item.authors[0]?.name === alice && item.updated instanceof Date));
    assert.equal(news.items.find((item) => item.url === urls.one)?.title, `${alice} saved One & only`);

    const renewed = await ok('new feed token', api('POST', '/v1/settings/feed-token', { token: bobToken }));
    assert.equal((await api('GET', made.body.feed_url)).status, 404, 'the revoked token');
    await ok('the new token', api('GET', renewed.body.feed_url));
    assert.equal((await ok('settings', api('GET', '/v1/settings', { token: bobToken }))).body.feed_token_created_at, renewed.body.feed_token_created_at);
  });
}

/** Who may read profiles and public feeds under PUBLIC_PROFILES=signed-in or off; the token feed works in both. */
export function profileModeSuite(target: () => NewsTarget, mode: 'signed-in' | 'off'): void {
  const api = apiOf(target);

  test(`PUBLIC_PROFILES=${mode}: ${mode === 'off' ? 'profiles, search and public feeds are 404' : 'profiles and search need sign-in, public feeds are 404'}; the token feed works`, async () => {
    const { alice, bobToken } = await aliceAndBob(target, api, mode);
    const paths = [`/v1/users/${alice}`, `/v1/users/${alice}/links`, `/v1/users?q=${alice}`];
    for (const path of paths) {
      assert.equal((await api('GET', path)).status, mode === 'off' ? 404 : 401, `${path} anonymous`);
      assert.equal((await api('GET', path, { token: bobToken })).status, mode === 'off' ? 404 : 200, `${path} signed in`);
    }
    for (const path of [`/feeds/${alice}`, `/feeds/${alice}/web`]) assert.equal((await api('GET', path)).status, 404, path);
    const made = await ok('feed token', api('POST', '/v1/settings/feed-token', { token: bobToken }));
    const feed = await ok('news feed', api('GET', made.body.feed_url));
    assert.equal(parseFeed(feed.text).meta.type, 'atom');
  });
}
