/**
 * The whole-system suite of the public API (docs/design.md §2), written once and
 * run against every deployment: it knows only the gateway's base URL, a way
 * to sign users in, and GitHub (the stand-in the gateway was pointed at).
 * Everything goes over real HTTP through the gateway.
 *
 * Each test uses its own users, so tests do not depend on one another.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { GitHub, StandInUser } from './github.ts';
import { call, CookieJar, waitFor, type Answer, type CallOptions } from './http.ts';

export interface Target {
  /** The api-gateway, e.g. http://127.0.0.1:5000. */
  baseUrl: string;
  /** Signs `username` in (creating the user when new) and answers their Delinkcious token. */
  signIn(username: string): Promise<string>;
  github: GitHub;
}

const html = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
const linkFields = ['Url', 'Title', 'Description', 'Status', 'Tags', 'CreatedAt', 'UpdatedAt'];
const accessDenied = { err: 'Access Denied!' };

interface WireLink {
  Url: string;
  Title: string;
  Description: string;
  Status: string;
  Tags: Record<string, boolean>;
  CreatedAt: string;
  UpdatedAt: string;
}

/** A LINK as the original returned it: PascalCase fields, a tag set, RFC 3339 times. */
function assertLink(link: WireLink, expected: { Url: string; Title: string; Description?: string; Tags?: string[] }): void {
  for (const field of linkFields) assert.ok(Object.hasOwn(link, field), `LINK has ${field}: ${JSON.stringify(link)}`);
  assert.equal(link.Url, expected.Url);
  assert.equal(link.Title, expected.Title);
  assert.equal(link.Description, expected.Description ?? '');
  assert.match(link.Status, /^(?:pending|valid|invalid)$/);
  assert.deepEqual(link.Tags, Object.fromEntries((expected.Tags ?? []).map((tag) => [tag, true])));
  assert.match(link.CreatedAt, rfc3339);
  assert.match(link.UpdatedAt, rfc3339);
  assert.ok(Date.parse(link.UpdatedAt) >= Date.parse(link.CreatedAt), 'UpdatedAt is not before CreatedAt');
}

/** The fields a link's check writes (its health, docs/design.md §17): the link-checker may settle a pending link at any moment. */
const healthFields = new Set(['Status', 'CheckedAt', 'HttpStatus', 'CheckError', 'InvalidSince', 'ArchiveUrl', 'FaviconUrl']);

/** Links but for their health, which their owner's and other users' requests do not change. */
function withoutHealth(links: WireLink[]): Array<Record<string, unknown>> {
  return links.map((link) => Object.fromEntries(Object.entries(link).filter(([field]) => !healthFields.has(field))));
}

/** An error answer: that status and {"err": a clear, non-empty message}. */
function assertError(answer: Answer, status: number, message?: RegExp): void {
  assert.equal(answer.status, status, `expected ${status}, got ${answer.status}: ${answer.text.slice(0, 300)}`);
  assert.equal(typeof answer.body?.err, 'string', `an {"err"} body: ${answer.text.slice(0, 300)}`);
  assert.notEqual(answer.body.err, '', 'the error says why');
  assert.notEqual(answer.body.err, 'internal error');
  if (message) assert.match(answer.body.err, message);
}

function assertOk(answer: Answer): void {
  assert.equal(answer.status, 200, answer.text.slice(0, 300));
  assert.equal(answer.body?.err, '', answer.text.slice(0, 300));
}

export function publicApiSuite(target: () => Target): void {
  const api = (method: string, path: string, options?: CallOptions) => call(target().baseUrl, method, path, options);

  async function linksOf(token: string, query: Record<string, string> = {}): Promise<WireLink[]> {
    const answer = await api('GET', '/v1/links', { token, query: { limit: '100', ...query } });
    assertOk(answer);
    return answer.body.links as WireLink[];
  }

  async function add(token: string, url: string, title: string, extra: Record<string, unknown> = {}): Promise<void> {
    assertOk(await api('POST', '/v1/links', { token, json: { url, title, ...extra } }));
  }

  /**
   * A GitHub sign-in as a browser makes it: /login redirects to GitHub's
   * authorize page, which redirects back to the callback with a code and the
   * state; each redirect is followed by hand, the gateway's cookies carried.
   */
  async function gitHubSignIn(user: StandInUser, accept: string) {
    const { baseUrl, github } = target();
    github.user = user;
    const jar = new CookieJar();
    const start = await call(baseUrl, 'GET', '/login', { jar, headers: { accept: html } });
    assert.equal(start.status, 302, start.text);
    const authorize = new URL(start.headers.get('location')!);
    assert.equal(`${authorize.origin}${authorize.pathname}`, `${github.oauthUrl}/login/oauth/authorize`);
    assert.ok(jar.get('delinkcious_oauth_state'), 'the state is bound to this browser by a cookie');
    // At GitHub (another site: no gateway cookies go there).
    const consent = await call(authorize.origin, 'GET', `${authorize.pathname}${authorize.search}`, { headers: { accept: html } });
    assert.equal(consent.status, 302, consent.text);
    const callback = new URL(consent.headers.get('location')!);
    assert.equal(`${callback.origin}${callback.pathname}`, `${baseUrl}/login/authorized`);
    const answer = await call(baseUrl, 'GET', `${callback.pathname}${callback.search}`, { jar, headers: { accept } });
    return { jar, authorize, callback, answer };
  }

  test('links: add as JSON body, form body and query string; the list has the original envelope and LINK fields', async () => {
    const token = await target().signIn('links-owner');
    const added = await api('POST', '/v1/links', {
      token,
      json: { url: 'https://json.example/a', title: 'From JSON', description: 'a JSON body', tags: ['Go', 'kubernetes'] },
    });
    assertOk(added);
    assertLink(added.body.link, { Url: 'https://json.example/a', Title: 'From JSON', Description: 'a JSON body', Tags: ['go', 'kubernetes'] });
    assertOk(
      await api('POST', '/v1/links', {
        token,
        form: { url: 'https://form.example/b', title: 'From a form', description: 'a form body', tags: 'web, forms' },
      }),
    );
    // The original smoke test sends everything in the query string.
    assertOk(
      await api('POST', '/v1/links', {
        token,
        query: { url: 'https://query.example/c', title: 'From the query', tags: 'smoke test' },
      }),
    );

    const listed = await api('GET', '/v1/links', { token });
    assertOk(listed);
    assert.deepEqual(Object.keys(listed.body).sort(), ['err', 'links', 'next_page_token']);
    assert.equal(listed.body.next_page_token, '');
    const links = listed.body.links as WireLink[];
    assert.deepEqual(
      links.map((link) => link.Url),
      ['https://query.example/c', 'https://form.example/b', 'https://json.example/a'],
      'newest first',
    );
    assertLink(links[0]!, { Url: 'https://query.example/c', Title: 'From the query', Tags: ['smoke', 'test'] });
    assertLink(links[1]!, { Url: 'https://form.example/b', Title: 'From a form', Description: 'a form body', Tags: ['web', 'forms'] });
    assertLink(links[2]!, { Url: 'https://json.example/a', Title: 'From JSON', Description: 'a JSON body', Tags: ['go', 'kubernetes'] });
    assert.equal(listed.headers.get('cache-control'), 'no-store');
  });

  test('links: update (JSON, form, query string), delete, and 404 for a link that is not there', async () => {
    const token = await target().signIn('links-editor');
    const url = 'https://edit.example/page';
    await add(token, url, 'Before', { description: 'old', tags: 'keep drop' });
    const [before] = await linksOf(token);

    const updated = await api('PUT', '/v1/links', {
      token,
      json: { url, title: 'After', description: 'new', add_tags: ['Added'], remove_tags: 'drop' },
    });
    assertOk(updated);
    assertLink(updated.body.link, { Url: url, Title: 'After', Description: 'new', Tags: ['keep', 'added'] });
    let [after] = await linksOf(token);
    assertLink(after!, { Url: url, Title: 'After', Description: 'new', Tags: ['keep', 'added'] });
    assert.equal(after!.CreatedAt, before!.CreatedAt, 'an update keeps CreatedAt');
    assert.ok(Date.parse(after!.UpdatedAt) >= Date.parse(before!.UpdatedAt));

    assertOk(await api('PUT', '/v1/links', { token, form: { url, title: 'From a form', remove_tags: 'keep' } }));
    assertOk(await api('PUT', '/v1/links', { token, query: { url, description: 'from the query', add_tags: 'q' } }));
    [after] = await linksOf(token);
    assertLink(after!, { Url: url, Title: 'From a form', Description: 'from the query', Tags: ['added', 'q'] });

    assertError(await api('PUT', '/v1/links', { token, json: { url: 'https://edit.example/missing', title: 'x' } }), 404, /no link/);
    assertOk(await api('DELETE', '/v1/links', { token, query: { url } }));
    assert.deepEqual(await linksOf(token), []);
    assertError(await api('DELETE', '/v1/links', { token, query: { url } }), 404, /no link/);
    assertError(await api('PUT', '/v1/links', { token, json: { url, title: 'gone' } }), 404);
  });

  test('links: 409 for the same URL twice; another user may save it too', async () => {
    const token = await target().signIn('links-twice');
    const url = 'https://twice.example/';
    await add(token, url, 'First');
    assertError(await api('POST', '/v1/links', { token, json: { url, title: 'Again' } }), 409, /already/);
    assert.deepEqual((await linksOf(token)).map((link) => link.Title), ['First']);
    const other = await target().signIn('links-twice-other');
    await add(other, url, 'Theirs');
  });

  test('links: tag and regex filters', async () => {
    const token = await target().signIn('links-filter');
    await add(token, 'https://golang.example/tour', 'A Tour of Go', { description: 'learn go interactively', tags: 'go learning' });
    await add(token, 'https://kubernetes.example/docs', 'Kubernetes docs', { description: 'pods and services', tags: 'k8s docs' });
    await add(token, 'https://go.dev.example/blog', 'The Go Blog', { description: 'news from the go team', tags: 'go news' });
    await add(token, 'http://plain.example/x', 'Plain HTTP', { description: 'nothing else', tags: 'misc' });
    const urls = async (query: Record<string, string>) => (await linksOf(token, query)).map((link) => link.Url);

    assert.deepEqual(await urls({ tag: 'go' }), ['https://go.dev.example/blog', 'https://golang.example/tour']);
    assert.deepEqual(await urls({ tag: 'GO' }), ['https://go.dev.example/blog', 'https://golang.example/tour'], 'tags are lower-cased');
    assert.deepEqual(await urls({ tag: 'absent' }), []);
    assert.deepEqual(await urls({ url_regex: '^http://' }), ['http://plain.example/x']);
    assert.deepEqual(await urls({ title_regex: '(?i)\\bgo\\b' }), ['https://go.dev.example/blog', 'https://golang.example/tour']);
    assert.deepEqual(await urls({ description_regex: 'pods|team' }), ['https://go.dev.example/blog', 'https://kubernetes.example/docs']);
    assert.deepEqual(await urls({ tag: 'go', url_regex: 'golang' }), ['https://golang.example/tour'], 'filters combine');
  });

  test('links: paging with next_page_token until it is empty', async () => {
    const token = await target().signIn('links-pager');
    const total = 25;
    const saved: string[] = [];
    for (let i = 0; i < total; i++) {
      const url = `https://pages.example/${String(i).padStart(2, '0')}`;
      await add(token, url, `Page ${i}`, { tags: i % 2 === 0 ? 'even' : 'odd' });
      saved.push(url);
    }
    const newestFirst = [...saved].reverse();

    const seen: string[] = [];
    const sizes: number[] = [];
    let startToken = '';
    for (let pages = 0; pages < 10; pages++) {
      const query: Record<string, string> = { limit: '10' };
      if (startToken) query.start_token = startToken;
      const page = await api('GET', '/v1/links', { token, query });
      assertOk(page);
      sizes.push(page.body.links.length);
      seen.push(...(page.body.links as WireLink[]).map((link) => link.Url));
      assert.equal(typeof page.body.next_page_token, 'string');
      startToken = page.body.next_page_token;
      if (!startToken) break;
    }
    assert.equal(startToken, '', 'the last page has an empty next_page_token');
    assert.deepEqual(seen, newestFirst, 'every link once, newest first');
    assert.ok(sizes.every((size) => size <= 10), `pages of at most limit: ${sizes.join(', ')}`);
    assert.equal(sizes[0], 10);

    const first = await api('GET', '/v1/links', { token });
    assert.equal(first.body.links.length, 10, 'the default limit is 10');
    assert.notEqual(first.body.next_page_token, '');
    assert.equal((await linksOf(token)).length, total, 'limit 100 takes them all');

    // Paging a filtered list.
    const odd: string[] = [];
    startToken = '';
    for (let pages = 0; pages < 20; pages++) {
      const query: Record<string, string> = { limit: '4', tag: 'odd' };
      if (startToken) query.start_token = startToken;
      const page = await api('GET', '/v1/links', { token, query });
      assertOk(page);
      odd.push(...(page.body.links as WireLink[]).map((link) => link.Url));
      startToken = page.body.next_page_token;
      if (!startToken) break;
    }
    assert.deepEqual(odd, newestFirst.filter((_url, i) => (total - 1 - i) % 2 === 1));
  });

  test('bad inputs: 400 with a clear {"err"} naming the problem', async () => {
    const token = await target().signIn('bad-inputs');
    const cases: Array<[string, string, CallOptions, RegExp]> = [
      ['POST', '/v1/links', { json: { url: 'not a url', title: 'x' } }, /url/],
      ['POST', '/v1/links', { json: { url: 'ftp://files.example/x', title: 'x' } }, /http/],
      ['POST', '/v1/links', { json: { url: `https://long.example/${'a'.repeat(2100)}`, title: 'x' } }, /url.*2048/],
      ['POST', '/v1/links', { json: { title: 'no url' } }, /url/],
      ['POST', '/v1/links', { json: { url: 'https://long-title.example/', title: 'x'.repeat(600) } }, /title/],
      ['POST', '/v1/links', { query: { url: 'javascript:alert(1)', title: 'x' } }, /url/],
      ['POST', '/v1/links', { headers: { 'content-type': 'application/json' }, form: undefined, json: undefined }, /url/],
      ['GET', '/v1/links', { query: { url_regex: '(' } }, /url_regex/],
      ['GET', '/v1/links', { query: { title_regex: '[a-' } }, /title_regex/],
      ['GET', '/v1/links', { query: { description_regex: 'x'.repeat(300) } }, /description_regex/],
      ['GET', '/v1/links', { query: { limit: '500' } }, /limit/],
      ['GET', '/v1/links', { query: { limit: '0' } }, /limit/],
      ['GET', '/v1/links', { query: { limit: 'ten' } }, /limit/],
      ['GET', '/v1/links', { query: { start_token: 'not-a-token' } }, /start_token/],
      ['PUT', '/v1/links', { json: { title: 'no url' } }, /url/],
      ['DELETE', '/v1/links', {}, /url/],
      ['POST', '/v1/following', { json: {} }, /followed/],
      ['DELETE', '/v1/following', {}, /followed/],
      ['POST', '/v1/links', { json: [{ url: 'https://array.example/', title: 'x' }] }, /JSON object|body/],
      ['POST', '/v1/links', { json: { url: 'https://tags.example/', title: 'x', tags: [`${'t'.repeat(65)}`] } }, /tag/],
    ];
    for (const [method, path, options, message] of cases) {
      const answer = await api(method, path, { token, ...options });
      assert.equal(answer.status, 400, `${method} ${path} ${JSON.stringify(options).slice(0, 200)}: ${answer.status} ${answer.text.slice(0, 200)}`);
      assertError(answer, 400, message);
    }
    // A body that is not JSON at all.
    const garbled = await fetch(new URL('/v1/links', target().baseUrl), {
      method: 'POST',
      headers: { 'access-token': token, 'content-type': 'application/json', accept: 'application/json' },
      body: '{"url": ',
    });
    assert.equal(garbled.status, 400);
    assert.match(((await garbled.json()) as { err: string }).err, /JSON/);
    assert.deepEqual(await linksOf(token), [], 'nothing was saved');
  });

  test('following and followers: follow, list, unfollow, unfollow again (404), follow yourself (400); POST /v1/followers is 403', async () => {
    const alice = await target().signIn('social-alice');
    const bob = await target().signIn('social-bob');
    await target().signIn('social-carol');

    assertOk(await api('POST', '/v1/following', { token: alice, json: { followed: 'social-bob' } }));
    assertOk(await api('POST', '/v1/following', { token: alice, form: { followed: 'social-carol' } }));
    assertOk(await api('POST', '/v1/following', { token: bob, query: { followed: 'social-carol' } }));

    const following = await api('GET', '/v1/following', { token: alice });
    assertOk(following);
    assert.deepEqual(following.body, { err: '', following: { 'social-bob': true, 'social-carol': true } });
    assert.deepEqual((await api('GET', '/v1/followers', { token: bob })).body, { err: '', followers: { 'social-alice': true } });
    assert.deepEqual((await api('GET', '/v1/following', { token: bob })).body, { err: '', following: { 'social-carol': true } });
    const carol = await target().signIn('social-carol');
    assert.deepEqual((await api('GET', '/v1/followers', { token: carol })).body, {
      err: '',
      followers: { 'social-alice': true, 'social-bob': true },
    });

    assertOk(await api('DELETE', '/v1/following', { token: alice, query: { followed: 'social-bob' } }));
    assertError(await api('DELETE', '/v1/following', { token: alice, query: { followed: 'social-bob' } }), 404);
    assertOk(await api('DELETE', '/v1/following', { token: alice, json: { followed: 'social-carol' } }));
    assert.deepEqual((await api('GET', '/v1/following', { token: alice })).body, { err: '', following: {} });
    assert.deepEqual((await api('GET', '/v1/followers', { token: bob })).body, { err: '', followers: {} });

    assertError(await api('POST', '/v1/following', { token: alice, json: { followed: 'social-alice' } }), 400, /themselves|yourself/);
    assertError(await api('POST', '/v1/followers', { token: alice, json: { follower: 'social-bob' } }), 403);
    assert.deepEqual((await api('GET', '/v1/followers', { token: alice })).body, { err: '', followers: {} }, 'nobody was made to follow');
  });

  test('usernames are case-insensitive: "Alice" and "alice" are one account, shown as first written; following "BOB" follows bob (news: news-suite.ts)', async () => {
    // Names of this run: a deployment may keep an earlier run's data.
    const run = randomBytes(3).toString('hex');
    const [alice, bob] = [`Case-Alice-${run}`, `case-bob-${run}`];
    const asWritten = await target().signIn(alice);
    const asLower = await target().signIn(alice.toLowerCase());
    await add(asWritten, 'https://case.example/', 'Saved as Alice');
    assertError(await api('POST', '/v1/links', { token: asLower, json: { url: 'https://case.example/', title: 'again' } }), 409);
    assert.deepEqual((await linksOf(asLower)).map((link) => link.Url), ['https://case.example/']);
    const created = await api('POST', '/v1/tokens', { token: asWritten, json: { name: 'case script' } });
    assertOk(created);
    const tokens = await api('GET', '/v1/tokens', { token: asLower });
    assert.deepEqual(tokens.body.tokens.map((info: { id: string }) => info.id), [created.body.token.id]);
    for (const token of [asWritten, asLower, created.body.access_token as string]) {
      assert.equal((await api('GET', '/v1/session', { token })).body.username, alice, 'shown as first written');
    }

    const bobToken = await target().signIn(bob);
    assertOk(await api('POST', '/v1/following', { token: asLower, json: { followed: bob.toUpperCase() } }));
    assert.deepEqual((await api('GET', '/v1/following', { token: asWritten })).body, { err: '', following: { [bob]: true } });
    assert.deepEqual((await api('GET', '/v1/followers', { token: bobToken })).body, { err: '', followers: { [alice.toLowerCase()]: true } });
  });

  test("isolation: user B can never read, change or delete user A's links, nor change A's follows or tokens", async () => {
    const a = await target().signIn('iso-a');
    const b = await target().signIn('iso-b');
    const c = await target().signIn('iso-c');
    const d = await target().signIn('iso-d');
    const secret = 'https://private.example/a-only';
    await add(a, 'https://private.example/first', 'A first', { tags: 'mine' });
    await add(a, secret, 'A secret', { description: 'for A only', tags: 'mine secret' });
    assertOk(await api('POST', '/v1/following', { token: a, json: { followed: 'iso-c' } }));
    const aToken = await api('POST', '/v1/tokens', { token: a, json: { name: 'a script' } });
    assertOk(aToken);
    const aLinks = await linksOf(a);
    const aPage = await api('GET', '/v1/links', { token: a, query: { limit: '1' } });
    assert.notEqual(aPage.body.next_page_token, '');

    // Reading: whatever B asks for, B gets B's own (empty) list.
    const queries: Array<Record<string, string>> = [
      {},
      { username: 'iso-a' },
      { tag: 'secret' },
      { url_regex: 'private' },
      { title_regex: 'A' },
      { start_token: aPage.body.next_page_token as string },
    ];
    for (const query of queries) {
      const answer = await api('GET', '/v1/links', { token: b, query });
      assertOk(answer);
      assert.deepEqual(answer.body.links, [], `B reads nothing of A with ${JSON.stringify(query)}`);
    }
    const asUser = await api('GET', '/v1/links', { token: b, headers: { 'x-username': 'iso-a', username: 'iso-a' } });
    assert.deepEqual(asUser.body.links, []);

    // Changing and deleting: A's links are not B's to find.
    assertError(await api('PUT', '/v1/links', { token: b, json: { url: secret, title: 'hijacked', username: 'iso-a' } }), 404);
    assertError(await api('PUT', '/v1/links', { token: b, query: { url: secret, title: 'hijacked', username: 'iso-a' } }), 404);
    assertError(await api('PUT', '/v1/links', { token: b, form: { url: secret, add_tags: 'pwned', username: 'iso-a' } }), 404);
    assertError(await api('DELETE', '/v1/links', { token: b, query: { url: secret, username: 'iso-a' } }), 404);
    assertError(await api('DELETE', '/v1/links', { token: b, json: { url: secret, username: 'iso-a' } }), 404);
    // The internal API's spellings get B nowhere either.
    for (const json of [
      { Url: secret, Title: 'hijacked', Username: 'iso-a' },
      { url: secret, Username: 'iso-a', follower: 'iso-a', owner: 'iso-a', user: 'iso-a', title: 'hijacked' },
    ]) {
      for (const method of ['PUT', 'DELETE']) {
        const answer = await api(method, '/v1/links', { token: b, json });
        assert.ok([400, 404].includes(answer.status), `${method} ${JSON.stringify(json)}: ${answer.status} ${answer.text.slice(0, 200)}`);
      }
    }
    // Adding with A's name lands in B's own list.
    assertOk(await api('POST', '/v1/links', { token: b, json: { url: 'https://private.example/planted', title: 'planted', username: 'iso-a' } }));
    assert.deepEqual((await linksOf(b)).map((link) => link.Url), ['https://private.example/planted']);
    assert.deepEqual(withoutHealth(await linksOf(a)), withoutHealth(aLinks), "A's links are exactly as they were");

    // Follows: the caller is always the follower.
    assertError(await api('DELETE', '/v1/following', { token: b, json: { followed: 'iso-c', follower: 'iso-a' } }), 404);
    assertError(await api('DELETE', '/v1/following', { token: b, query: { followed: 'iso-c', follower: 'iso-a', username: 'iso-a' } }), 404);
    assertError(await api('POST', '/v1/following', { token: b, json: { followed: 'iso-b', follower: 'iso-a' } }), 400);
    assertOk(await api('POST', '/v1/following', { token: b, json: { followed: 'iso-d', follower: 'iso-a', username: 'iso-a' } }));
    assertError(await api('POST', '/v1/followers', { token: b, json: { follower: 'iso-a' } }), 403);
    assertError(await api('POST', '/v1/followers', { token: b, query: { followed: 'iso-b', follower: 'iso-a' } }), 403);
    assert.deepEqual((await api('GET', '/v1/following', { token: b, query: { username: 'iso-a' } })).body, {
      err: '',
      following: { 'iso-d': true },
    });
    assert.deepEqual((await api('GET', '/v1/followers', { token: b, query: { username: 'iso-c' } })).body, { err: '', followers: {} });
    assert.deepEqual((await api('GET', '/v1/following', { token: a })).body, { err: '', following: { 'iso-c': true } });
    assert.deepEqual((await api('GET', '/v1/followers', { token: a })).body, { err: '', followers: {} });
    assert.deepEqual((await api('GET', '/v1/followers', { token: c })).body, { err: '', followers: { 'iso-a': true } });
    assert.deepEqual((await api('GET', '/v1/followers', { token: d })).body, { err: '', followers: { 'iso-b': true } });

    // Tokens: B neither sees nor revokes A's.
    const bTokens = await api('GET', '/v1/tokens', { token: b });
    assertOk(bTokens);
    assert.ok(!JSON.stringify(bTokens.body).includes(aToken.body.token.id), "B's token list holds nothing of A's");
    assertError(await api('DELETE', `/v1/tokens/${encodeURIComponent(aToken.body.token.id)}`, { token: b }), 404);
    assert.deepEqual(withoutHealth(await linksOf(aToken.body.access_token)), withoutHealth(aLinks), "A's API token still works and sees A's links");
  });

  test('401 for a missing, an invalid and a revoked token', async () => {
    const routes: Array<[string, string, CallOptions]> = [
      ['GET', '/v1/links', {}],
      ['POST', '/v1/links', { json: { url: 'https://anon.example/', title: 'anon' } }],
      ['PUT', '/v1/links', { json: { url: 'https://anon.example/', title: 'anon' } }],
      ['DELETE', '/v1/links', { query: { url: 'https://anon.example/' } }],
      ['GET', '/v1/following', {}],
      ['POST', '/v1/following', { json: { followed: 'someone' } }],
      ['DELETE', '/v1/following', { query: { followed: 'someone' } }],
      ['GET', '/v1/followers', {}],
      ['POST', '/v1/followers', {}],
      ['GET', '/v1/tokens', {}],
      ['POST', '/v1/tokens', { json: { name: 'anon' } }],
      ['DELETE', '/v1/tokens/some-id', {}],
    ];
    const invalid = `not-a-real-token-${'x'.repeat(32)}`;
    for (const [method, path, options] of routes) {
      for (const auth of [{}, { token: invalid }, { token: invalid, bearer: true }, { token: '' }]) {
        const answer = await api(method, path, { ...options, ...auth });
        assert.equal(answer.status, 401, `${method} ${path} with ${JSON.stringify(auth)}: ${answer.status} ${answer.text.slice(0, 200)}`);
        assert.deepEqual(answer.body, accessDenied);
      }
    }

    const session = await target().signIn('tokens-user');
    await add(session, 'https://tokens.example/', 'Saved with a session');
    const created = await api('POST', '/v1/tokens', { token: session, json: { name: 'e2e script' } });
    assertOk(created);
    const apiToken = created.body.access_token as string;
    assert.equal(typeof apiToken, 'string');
    assert.equal(created.body.token.name, 'e2e script');
    // The API token works as either header.
    assert.deepEqual((await linksOf(apiToken)).map((link) => link.Url), ['https://tokens.example/']);
    assertOk(await api('GET', '/v1/following', { token: apiToken, bearer: true }));
    const listed = await api('GET', '/v1/tokens', { token: session });
    assert.ok(listed.body.tokens.some((info: { id: string }) => info.id === created.body.token.id));

    assertOk(await api('DELETE', `/v1/tokens/${encodeURIComponent(created.body.token.id)}`, { token: session }));
    const refused = await waitFor(() => api('GET', '/v1/links', { token: apiToken, bearer: true }), {
      what: 'the revoked token to be refused',
      until: (answer) => answer.status === 401,
      timeoutMs: 10_000,
      intervalMs: 250,
    });
    assert.deepEqual(refused.body, accessDenied);
    assert.equal((await api('GET', '/v1/links', { token: apiToken })).status, 401);
    assertOk(await api('GET', '/v1/links', { token: session }));
  });

  test('401 after /logout for that session, and only that one', async () => {
    const first = await target().signIn('logout-user');
    const second = await target().signIn('logout-user');
    assert.notEqual(first, second, 'each sign-in is its own session');
    assertOk(await api('GET', '/v1/links', { token: first }));
    assertOk(await api('GET', '/logout', { token: first }));
    const after = await api('GET', '/v1/links', { token: first });
    assert.equal(after.status, 401, after.text);
    assert.deepEqual(after.body, accessDenied);
    assert.equal((await api('GET', '/v1/following', { token: first, bearer: true })).status, 401);
    assertOk(await api('GET', '/v1/links', { token: second }));
    // POST /logout with a bearer token ends the second one.
    assertOk(await api('POST', '/logout', { token: second, bearer: true }));
    assert.equal((await api('GET', '/v1/links', { token: second })).status, 401);
  });

  test('GitHub sign-in: the OAuth flow across the gateway and GitHub, the state cookie round-tripped', async () => {
    const { baseUrl, github } = target();
    const octo: StandInUser = { login: 'octo-e2e', name: 'Octo E2E', email: 'octo-e2e@github.example' };
    const { jar, authorize, callback, answer } = await gitHubSignIn(octo, 'application/json');
    assert.equal(authorize.searchParams.get('client_id'), github.standIn.clientId);
    assert.equal(authorize.searchParams.get('redirect_uri'), `${baseUrl}/login/authorized`);
    assert.equal(authorize.searchParams.get('scope'), 'user:email');
    assert.ok((authorize.searchParams.get('state') ?? '').length >= 32, 'a long random state');
    assert.equal(callback.searchParams.get('state'), authorize.searchParams.get('state'));

    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.body.login, 'octo-e2e');
    assert.equal(answer.body.name, 'Octo E2E');
    assert.equal(answer.body.email, 'octo-e2e@github.example');
    assert.equal(typeof answer.body.access_token, 'string');
    assert.equal(jar.get('delinkcious_oauth_state'), undefined, 'the state serves once');
    const exchange = github.standIn.exchanges.at(-1)!;
    assert.equal(exchange.params.get('redirect_uri'), `${baseUrl}/login/authorized`);

    const token = answer.body.access_token as string;
    await add(token, 'https://octo.example/', 'Saved after a GitHub sign-in');
    assert.deepEqual((await linksOf(token)).map((link) => link.Url), ['https://octo.example/']);

    // The same callback again: its state is spent (and its code too).
    assertError(await call(baseUrl, 'GET', `${callback.pathname}${callback.search}`, { jar }), 400, /sign-in/);
    // A callback reached without the browser's state cookie (another browser, or a forged link) is refused.
    const { callback: other } = await gitHubSignIn(octo, 'application/json').then(async (flow) => {
      assert.equal(flow.answer.status, 200);
      return flow;
    });
    assertError(await call(baseUrl, 'GET', `${other.pathname}${other.search}`, {}), 400, /sign-in/);

    // A browser: a session cookie and a redirect to the web UI; the same GitHub user is the same account.
    const browser = await gitHubSignIn(octo, html);
    assert.equal(browser.answer.status, 302, browser.answer.text);
    assert.equal(browser.answer.headers.get('location'), '/');
    const session = browser.jar.get('delinkcious_session');
    assert.ok(session, 'a session cookie');
    const cookie = { headers: { cookie: `delinkcious_session=${session}` } };
    const mine = await api('GET', '/v1/links', cookie);
    assertOk(mine);
    assert.deepEqual(mine.body.links.map((link: WireLink) => link.Url), ['https://octo.example/']);
    // A GET with only the cookie (any site can make a browser send one) ends nothing; the browser's POST does.
    assert.equal((await call(baseUrl, 'GET', '/logout', { jar: browser.jar, headers: { accept: html } })).status, 405);
    assertOk(await api('GET', '/v1/links', cookie));
    const out = await call(baseUrl, 'POST', '/logout', { jar: browser.jar, headers: { accept: html, origin: baseUrl } });
    assert.equal(out.status, 302);
    assert.equal(browser.jar.get('delinkcious_session'), undefined, 'the session cookie is cleared');
    const afterLogout = await api('GET', '/v1/links', cookie);
    assert.equal(afterLogout.status, 401);
    assert.deepEqual(afterLogout.body, accessDenied);
    assertOk(await api('GET', '/v1/links', { token }));
  });
}
