/**
 * The Pinboard v1 API (docs/design.md §20) driven by real Pinboard clients:
 * node-pinboard (JSON) and pinboard.js (XML, auth_token and HTTP Basic), over
 * the gateway on in-memory managers.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { recordingLogger, startGateway, type GatewayHarness } from './support/harness.ts';
import { nodePinboard, parseXml, pinboardJs } from './support/pinboard-clients.ts';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const unlimited = { PINBOARD_RATE_LIMIT_PER_MINUTE: '0', PINBOARD_FULL_READS_PER_MINUTE: '0' };

interface JsonPost {
  href: string;
  description: string;
  extended: string;
  tags: string;
  time: string;
  shared: string;
  toread: string;
  hash: string;
  meta: string;
}

describe('Pinboard v1 API', () => {
  let gateway: GatewayHarness;
  let aliceToken: string;
  let bobToken: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- node-pinboard's answers are untyped JSON
  let alice: Record<string, (...args: any[]) => Promise<any>>;
  let aliceXml: ReturnType<typeof pinboardJs>;
  let bobXml: ReturnType<typeof pinboardJs>;

  const get = (path: string, query: Record<string, string>) => gateway.call('GET', `/pinboard/v1/${path}`, { query });
  const aliceJson = (path: string, query: Record<string, string> = {}) => get(path, { auth_token: `alice:${aliceToken}`, format: 'json', ...query });

  before(async () => {
    gateway = await startGateway({ env: unlimited });
    await gateway.signIn('alice');
    await gateway.signIn('bob');
    aliceToken = (await gateway.users.createApiToken('alice', 'pinboard app')).token;
    bobToken = (await gateway.users.createApiToken('bob', 'pinboard app')).token;
    alice = nodePinboard(gateway.url, 'alice', aliceToken);
    aliceXml = pinboardJs(gateway.url, { username: 'alice', token: aliceToken });
    bobXml = pinboardJs(gateway.url, { username: 'bob', token: bobToken });
  });
  after(() => gateway.close());

  test('posts/add (node-pinboard, JSON) saves a link; posts/get by url answers it in Pinboard fields', async () => {
    const added = await alice.add!({
      url: 'https://example.com/pinboard/one',
      description: 'One',
      extended: 'the first',
      tags: ['Go', 'k8s'],
      dt: '2021-03-04T05:06:07Z',
      shared: 'no',
      toread: 'yes',
    });
    assert.deepEqual(added, { result_code: 'done' });
    const got = await alice.get!({ url: 'https://example.com/pinboard/one' });
    assert.equal(got.user, 'alice');
    assert.equal(got.date, '2021-03-04T05:06:07Z');
    assert.equal(got.posts.length, 1);
    const post = got.posts[0] as JsonPost;
    assert.deepEqual({ ...post, meta: undefined }, {
      href: 'https://example.com/pinboard/one',
      description: 'One',
      extended: 'the first',
      tags: 'go k8s',
      time: '2021-03-04T05:06:07Z',
      shared: 'no',
      toread: 'yes',
      hash: md5('https://example.com/pinboard/one'),
      meta: undefined,
    });
    assert.match(post.meta, /^[0-9a-f]{32}$/);
    // The same link through /v1: one model of links.
    const listed = await gateway.call('GET', '/v1/links', { token: aliceToken, query: { limit: '100' } });
    const link = listed.body.links.find((l: { Url: string }) => l.Url === 'https://example.com/pinboard/one');
    assert.equal(link.Private, true);
    assert.equal(link.Unread, true);
    assert.equal(link.CreatedAt.slice(0, 19), '2021-03-04T05:06:07');
  });

  test('posts/add with replace=no on a saved URL is "item already exists"; by default it replaces title, description and tags', async () => {
    const url = 'https://example.com/pinboard/replace';
    assert.equal((await alice.add!({ url, description: 'First', tags: ['a', 'b'] })).result_code, 'done');
    const before = (await alice.get!({ url })).posts[0] as JsonPost;
    assert.equal((await alice.add!({ url, description: 'Again', replace: 'no' })).result_code, 'item already exists');
    assert.equal(((await alice.get!({ url })).posts[0] as JsonPost).description, 'First');
    assert.equal((await alice.add!({ url, description: 'Second', extended: 'changed', tags: 'b c' })).result_code, 'done');
    const after = (await alice.get!({ url })).posts[0] as JsonPost;
    assert.equal(after.description, 'Second');
    assert.equal(after.extended, 'changed');
    assert.deepEqual(after.tags.split(' ').sort(), ['b', 'c']);
    assert.equal(after.time, before.time, 'a replaced post keeps its date');
    assert.notEqual(after.meta, before.meta, 'meta changes when the post does');
    assert.equal(after.hash, before.hash);
  });

  test('posts/add in XML (pinboard.js) answers <result code="done"/>; text with markup round-trips through XML', async () => {
    const title = 'Tom & Jerry <"quoted"> \'single\'';
    const extended = 'line one\nline two\ttabbed';
    const answer = await aliceXml('postsAdd', { url: 'https://example.com/pinboard/xml?a=1&b=2', description: title, extended, tags: 'xml' });
    assert.equal(answer.status, 200);
    assert.match(String(answer.headers['content-type']), /xml/);
    assert.deepEqual(parseXml(answer.body), { name: 'result', attributes: { code: 'done' }, text: '', children: [] });
    const got = parseXml((await aliceXml('postsGet', { url: 'https://example.com/pinboard/xml?a=1&b=2' })).body);
    assert.equal(got.name, 'posts');
    assert.equal(got.attributes.user, 'alice');
    const post = got.children[0]!;
    assert.equal(post.name, 'post');
    assert.equal(post.attributes.href, 'https://example.com/pinboard/xml?a=1&b=2');
    assert.equal(post.attributes.description, title);
    assert.equal(post.attributes.extended, extended);
    assert.equal(post.attributes.tag, 'xml');
    assert.equal(post.attributes.shared, 'yes');
    assert.equal(post.attributes.toread, 'no');
    assert.match(post.attributes.time!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  test('posts/get by day, and by default the most recent day with posts; tag filters (up to 3) combine', async () => {
    await alice.add!({ url: 'https://example.com/pinboard/day-a', description: 'A', tags: 'day red', dt: '2019-05-06T10:00:00Z' });
    await alice.add!({ url: 'https://example.com/pinboard/day-b', description: 'B', tags: 'day blue', dt: '2019-05-06T12:00:00Z' });
    await alice.add!({ url: 'https://example.com/pinboard/day-c', description: 'C', tags: 'day', dt: '2019-05-07T12:00:00Z' });
    const day = await alice.get!({ dt: '2019-05-06' });
    assert.deepEqual(day.posts.map((post: JsonPost) => post.href), ['https://example.com/pinboard/day-b', 'https://example.com/pinboard/day-a']);
    const red = await alice.get!({ dt: '2019-05-06', tag: 'day red' });
    assert.deepEqual(red.posts.map((post: JsonPost) => post.href), ['https://example.com/pinboard/day-a']);
    const xml = parseXml((await aliceXml('postsGet', { dt: '2019-05-07' })).body);
    assert.equal(xml.attributes.dt, '2019-05-07');
    assert.deepEqual(xml.children.map((post) => post.attributes.href), ['https://example.com/pinboard/day-c']);
    // No dt: the most recent day with posts (today's, from the earlier tests).
    const latest = await alice.get!({});
    assert.ok(latest.posts.length > 0);
    assert.ok(latest.posts.every((post: JsonPost) => post.time.slice(0, 10) === latest.posts[0].time.slice(0, 10)));
    assert.ok(latest.posts[0].time.slice(0, 10) >= '2021-03-04');
    const four = await aliceJson('posts/get', { tag: 'a b c d' });
    assert.equal(four.status, 400);
    assert.match(four.body.result_code, /tag: at most 3/);
  });

  test('posts/recent: newest first, count (default 15, at most 100), tag filter, both formats', async () => {
    const recent = await alice.recent!({ count: 2 });
    assert.equal(recent.posts.length, 2);
    assert.equal(recent.user, 'alice');
    const times = recent.posts.map((post: JsonPost) => post.time);
    assert.deepEqual([...times].sort().reverse(), times);
    const tagged = parseXml((await aliceXml('postsRecent', { tag: 'day' })).body);
    assert.equal(tagged.name, 'posts');
    assert.deepEqual(tagged.children.map((post) => post.attributes.href), [
      'https://example.com/pinboard/day-c',
      'https://example.com/pinboard/day-b',
      'https://example.com/pinboard/day-a',
    ]);
    const tooMany = await aliceJson('posts/recent', { count: '101' });
    assert.equal(tooMany.status, 400);
    assert.match(tooMany.body.result_code, /count/);
  });

  test('posts/dates counts posts per day, filtered by tag', async () => {
    const dates = await alice.dates!({ tag: 'day' });
    assert.deepEqual(dates, { user: 'alice', tag: 'day', dates: { '2019-05-07': '1', '2019-05-06': '2' } });
    const xml = parseXml((await aliceXml('postsDates', { tag: 'day' })).body);
    assert.equal(xml.name, 'dates');
    assert.deepEqual(xml.attributes, { user: 'alice', tag: 'day' });
    assert.deepEqual(
      xml.children.map((date) => date.attributes),
      [
        { count: '1', date: '2019-05-07' },
        { count: '2', date: '2019-05-06' },
      ],
    );
  });

  test('posts/all: every post newest first as a JSON array; start, results, fromdt, todt, tag', async () => {
    const all = (await alice.all!({})) as JsonPost[];
    assert.ok(Array.isArray(all));
    assert.ok(all.length >= 6);
    const times = all.map((post) => post.time);
    assert.deepEqual([...times].sort().reverse(), times);
    const window = (await alice.all!({ fromdt: '2019-05-06T11:00:00Z', todt: '2019-05-07T23:00:00Z' })) as JsonPost[];
    assert.deepEqual(window.map((post) => post.href), ['https://example.com/pinboard/day-c', 'https://example.com/pinboard/day-b']);
    const paged = (await alice.all!({ tag: 'day', start: '1', results: '1' })) as JsonPost[];
    assert.deepEqual(paged.map((post) => post.href), ['https://example.com/pinboard/day-b']);
    const xml = parseXml((await aliceXml('postsAll', { tag: 'day' })).body);
    assert.equal(xml.name, 'posts');
    assert.equal(xml.children.length, 3);
    const backwards = await aliceJson('posts/all', { fromdt: '2020-01-01T00:00:00Z', todt: '2019-01-01T00:00:00Z' });
    assert.equal(backwards.status, 400);
    const badDate = await aliceJson('posts/all', { fromdt: 'yesterday' });
    assert.equal(badDate.status, 400);
    assert.match(badDate.body.result_code, /fromdt/);
  });

  test('posts/update answers the latest change, and moves when a post changes', async () => {
    const first = await alice.update!({});
    assert.match(first.update_time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await alice.add!({ url: 'https://example.com/pinboard/one', description: 'One, renamed', tags: 'go k8s', shared: 'no', toread: 'yes' });
    const second = await alice.update!({});
    assert.ok(second.update_time > first.update_time, `${second.update_time} > ${first.update_time}`);
    const xml = parseXml((await aliceXml('postsUpdate')).body);
    assert.deepEqual(xml, { name: 'update', attributes: { time: second.update_time }, text: '', children: [] });
  });

  test('posts/update moves when a post is deleted, and with tags/rename; a private post counts (the owner sees it)', async () => {
    await alice.add!({ url: 'https://example.com/pinboard/doomed', description: 'Doomed', tags: 'doomed', shared: 'no' });
    const added = (await alice.update!({})).update_time as string;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.deepEqual(await alice.delete!('https://example.com/pinboard/doomed'), { result_code: 'done' });
    const deleted = (await alice.update!({})).update_time as string;
    assert.ok(deleted > added, `deletion moved it: ${deleted} > ${added}`);
    assert.equal((await alice.update!({})).update_time, deleted, 'and reading moves nothing');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal((await aliceJson('tags/rename', { old: 'no-such-tag', new: 'other' })).status, 200);
    assert.equal((await alice.update!({})).update_time, deleted, 'a rename that changes no post moves nothing');
  });

  test('posts/add dt: a post brought with an older date still moves posts/update; a future dt is taken as now', async () => {
    const before = (await alice.update!({})).update_time as string;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await alice.add!({ url: 'https://example.com/pinboard/old', description: 'Old', dt: '2001-01-01T00:00:00Z' });
    const after = (await alice.update!({})).update_time as string;
    assert.ok(after > before, `${after} > ${before}`);
    assert.equal((await alice.get!({ url: 'https://example.com/pinboard/old' })).posts[0].time, '2001-01-01T00:00:00Z');
    const startedAt = Date.now();
    await alice.add!({ url: 'https://example.com/pinboard/future', description: 'Future', dt: '2999-01-01T00:00:00Z' });
    const time = Date.parse((await alice.get!({ url: 'https://example.com/pinboard/future' })).posts[0].time);
    assert.ok(time >= startedAt - 1000 && time <= Date.now(), 'taken as now');
    for (const url of ['https://example.com/pinboard/old', 'https://example.com/pinboard/future']) await alice.delete!(url);
  });

  test('tags/get, tags/rename and tags/delete, in both formats', async () => {
    await alice.add!({ url: 'https://example.com/pinboard/tags-1', description: 'T1', tags: 'old shared-tag' });
    await alice.add!({ url: 'https://example.com/pinboard/tags-2', description: 'T2', tags: 'old' });
    const tags = await alice.getTags!({});
    assert.equal(tags.old, '2');
    assert.equal(tags['shared-tag'], '1');
    const xml = parseXml((await aliceXml('tagsGet')).body);
    assert.equal(xml.name, 'tags');
    assert.deepEqual(xml.children.find((tag) => tag.attributes.tag === 'old')?.attributes, { count: '2', tag: 'old' });

    assert.deepEqual(await alice.renameTag!({ old: 'old', new: 'renamed' }), { result: 'done' });
    const renamed = await alice.getTags!({});
    assert.equal(renamed.old, undefined);
    assert.equal(renamed.renamed, '2');

    const deleted = parseXml((await aliceXml('tagsDelete', { tag: 'renamed' })).body);
    assert.deepEqual(deleted, { name: 'result', attributes: {}, text: 'done', children: [] });
    assert.equal((await alice.getTags!({})).renamed, undefined);
    const missing = await aliceJson('tags/rename', { old: 'x' });
    assert.equal(missing.status, 400);
    assert.match(missing.body.result_code, /new is required/);
  });

  test('posts/delete removes the post; deleting it again is "item not found"; no url is "missing url"', async () => {
    const url = 'https://example.com/pinboard/delete-me';
    await alice.add!({ url, description: 'Delete me' });
    assert.deepEqual(await alice.delete!(url), { result_code: 'done' });
    assert.deepEqual((await alice.get!({ url })).posts, []);
    assert.deepEqual(await alice.delete!(url), { result_code: 'item not found' });
    const xml = await aliceXml('postsDelete', { url });
    assert.equal(xml.status, 200);
    assert.deepEqual(parseXml(xml.body).attributes, { code: 'item not found' });
    const noUrl = await aliceJson('posts/add', { description: 'no url' });
    assert.equal(noUrl.status, 400);
    assert.deepEqual(noUrl.body, { result_code: 'missing url' });
    const badUrl = await aliceJson('posts/add', { url: 'ftp://example.com/x', description: 'ftp' });
    assert.equal(badUrl.status, 400);
    assert.match(badUrl.body.result_code, /url/);
    const badFlag = await aliceJson('posts/add', { url: 'https://example.com/flag', description: 'f', shared: 'maybe' });
    assert.equal(badFlag.status, 400);
    assert.match(badFlag.body.result_code, /shared/);
  });

  test('a user never sees or changes another user\'s posts', async () => {
    const bobAll = parseXml((await bobXml('postsAll')).body);
    assert.deepEqual(bobAll.children, []);
    assert.deepEqual(parseXml((await bobXml('postsGet', { url: 'https://example.com/pinboard/one' })).body).children, []);
    assert.deepEqual(parseXml((await bobXml('postsDates')).body).children, []);
    assert.deepEqual(parseXml((await bobXml('tagsGet')).body).children, []);
    const deleted = parseXml((await bobXml('postsDelete', { url: 'https://example.com/pinboard/one' })).body);
    assert.equal(deleted.attributes.code, 'item not found');
    await bobXml('tagsDelete', { tag: 'go' });
    assert.equal((await alice.get!({ url: 'https://example.com/pinboard/one' })).posts[0].tags, 'go k8s');
    // Bob saving the same URL makes his own post, leaving Alice's as it was.
    assert.equal(parseXml((await bobXml('postsAdd', { url: 'https://example.com/pinboard/one', description: 'Bob\'s' })).body).attributes.code, 'done');
    assert.equal((await alice.get!({ url: 'https://example.com/pinboard/one' })).posts[0].description, 'One, renamed');
  });

  test('authentication: auth_token and HTTP Basic with an API token; anything else is a plain 401', async () => {
    const basic = pinboardJs(gateway.url, { username: 'alice', password: aliceToken });
    const viaBasic = await basic('postsRecent', { count: 1 });
    assert.equal(viaBasic.status, 200);
    assert.equal(parseXml(viaBasic.body).attributes.user, 'alice');

    const refusals = [
      await get('posts/recent', {}),
      await get('posts/recent', { auth_token: `alice:${aliceToken}x` }),
      await get('posts/recent', { auth_token: `bob:${aliceToken}` }),
      await get('posts/recent', { auth_token: aliceToken }),
      await get('posts/recent', { auth_token: `alice:${await gateway.signIn('alice')}` }),
      await get('notes/list', {}),
    ];
    for (const refused of refusals) {
      assert.equal(refused.status, 401, refused.text);
      assert.match(String(refused.headers.get('content-type')), /text\/plain/);
      assert.doesNotMatch(refused.text, /alice|token|stack/i);
    }
    const wrongBasic = await pinboardJs(gateway.url, { username: 'alice', password: 'wrong' })('postsRecent');
    assert.equal(wrongBasic.status, 401);
    assert.match(String(wrongBasic.headers['www-authenticate']), /^Basic/);
    // The username is case-insensitive, as everywhere in Delinkcious.
    assert.equal((await get('posts/update', { auth_token: `Alice:${aliceToken}` })).status, 200);
  });

  test('a read-only token reads but cannot change', async () => {
    const readOnly = (await gateway.users.createApiToken('alice', 'reader', 'read')).token;
    const reader = pinboardJs(gateway.url, { username: 'alice', token: readOnly });
    assert.equal((await reader('postsRecent')).status, 200);
    for (const [method, options] of [
      ['postsAdd', { url: 'https://example.com/pinboard/read-only', description: 'no' }],
      ['postsDelete', { url: 'https://example.com/pinboard/one' }],
      ['tagsDelete', { tag: 'go' }],
      ['tagsRename', { old: 'go', new: 'golang' }],
    ] as const) {
      const refused = await reader(method, options);
      assert.equal(refused.status, 403, method);
      assert.match(parseXml(refused.body).attributes.code!, /read-only/);
    }
    assert.equal((await alice.get!({ url: 'https://example.com/pinboard/one' })).posts.length, 1);
  });

  test('user/api_token, user/secret, notes, posts/suggest', async () => {
    assert.deepEqual(await alice.api_token!({}), { result: aliceToken });
    const secret = (await alice.userSecret!({})).result as string;
    assert.match(secret, /^[0-9a-f]{20}$/);
    assert.equal((await alice.userSecret!({})).result, secret);
    assert.notEqual(parseXml((await bobXml('userSecret')).body).text, secret);
    assert.deepEqual(await alice.listNotes!(), { count: 0, notes: [] });
    const note = await aliceJson('notes/abc123');
    assert.equal(note.status, 404);
    assert.deepEqual(note.body, { result_code: 'item not found' });
    const suggest = await alice.suggest!('https://example.com/pinboard/one');
    assert.deepEqual(suggest, [{ popular: [] }, { recommended: ['go', 'k8s'] }]);
    const xml = parseXml((await aliceXml('postsSuggest', { url: 'https://go.dev/k8s' })).body);
    assert.equal(xml.name, 'suggested');
    assert.deepEqual(xml.children.map((child) => [child.name, child.text]).sort(), [['recommended', 'go'], ['recommended', 'k8s']]);
    const unknown = await aliceJson('posts/nonsense');
    assert.equal(unknown.status, 404);
  });
});

describe('Pinboard v1 API logs', () => {
  test('the auth_token in a query string never reaches the request log', async () => {
    const log = recordingLogger();
    const gateway = await startGateway({ env: unlimited, logger: log.logger });
    try {
      await gateway.signIn('erin');
      const token = (await gateway.users.createApiToken('erin', 'app')).token;
      assert.equal((await gateway.call('GET', '/pinboard/v1/posts/update', { query: { auth_token: `erin:${token}` } })).status, 200);
      assert.equal((await gateway.call('GET', '/pinboard/v1/posts/update', { query: { format: 'json', auth_token: `erin:${token}x` } })).status, 401);
      const logged = JSON.stringify(log.lines);
      assert.ok(logged.includes('auth_token=[redacted]'), 'the requests were logged');
      assert.ok(!logged.includes(token), 'no API token in the logs');
    } finally {
      await gateway.close();
    }
  });
});

describe('Pinboard v1 API rate limits', () => {
  let gateway: GatewayHarness;
  before(async () => {
    gateway = await startGateway({ env: { PINBOARD_RATE_LIMIT_PER_MINUTE: '3', PINBOARD_FULL_READS_PER_MINUTE: '1' } });
  });
  after(() => gateway.close());

  test('past the per-user limit: 429 with Retry-After; another user is not affected; full reads have their own, lower limit', async () => {
    await gateway.signIn('carol');
    await gateway.signIn('dave');
    const carol = `carol:${(await gateway.users.createApiToken('carol', 'app')).token}`;
    const dave = `dave:${(await gateway.users.createApiToken('dave', 'app')).token}`;
    const call = (token: string, method = 'posts/update') => gateway.call('GET', `/pinboard/v1/${method}`, { query: { auth_token: token } });
    assert.equal((await call(carol, 'posts/all')).status, 200);
    assert.equal((await call(carol, 'posts/dates')).status, 200, 'posts/dates is one query in link-service, not a full read');
    const secondFull = await call(carol, 'posts/all');
    assert.equal(secondFull.status, 429, 'posts/all has the full-read limit on top');
    assert.ok(Number(secondFull.headers.get('retry-after')) >= 1);
    const limited = await call(carol, 'posts/recent');
    assert.equal(limited.status, 429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, String(retryAfter));
    assert.match(String(limited.headers.get('content-type')), /text\/plain/);
    assert.equal((await call(dave)).status, 200);
  });
});
