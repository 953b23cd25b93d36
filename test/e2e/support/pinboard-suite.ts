/**
 * The Pinboard v1 API end to end, in both deployments (embedded, and six
 * processes on PostgreSQL, Redis and NATS): real Pinboard clients
 * (node-pinboard, JSON; pinboard.js, XML) against /pinboard/v1, so that the
 * gateway's adapter, the link client, link-service's HTTP transport and the SQL
 * store carry Pinboard's fields (dt, shared, toread, tags) end to end.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Deployment } from '@delinkcious/testing';
import { nodePinboard, parseXml, pinboardJs } from '../../../services/api-gateway/test/support/pinboard-clients.ts';
import { call } from './http.ts';
import { newRun, userOf } from './news-suite.ts';

export function pinboardSuite(deployment: () => Deployment): void {
  /** A new user and an API token of theirs (made with their session, as the web UI does). */
  const newUser = async (name: string) => {
    const session = await deployment().signIn(name);
    const made = await call(deployment().baseUrl, 'POST', '/v1/tokens', { token: session, json: { name: 'pinboard app' }, timeoutMs: 30_000 });
    assert.equal(made.status, 200, made.text);
    return made.body.access_token as string;
  };

  test('a Pinboard client adds, reads, retags and deletes posts; another user sees none of them', async () => {
    const run = newRun();
    const alice = userOf(run, 'pb-alice');
    const bob = userOf(run, 'pb-bob');
    const aliceToken = await newUser(alice);
    const bobToken = await newUser(bob);
    const json = nodePinboard(deployment().baseUrl, alice, aliceToken);
    const xml = pinboardJs(deployment().baseUrl, { username: alice, token: aliceToken });
    const url = `https://pinboard-${run}.example/post`;
    const beforeAdd = `${new Date(Date.now() - 1000).toISOString().slice(0, 19)}Z`;

    assert.deepEqual(
      await json.add!({ url, description: 'From a Pinboard client', extended: 'notes', tags: ['Pin', 'board'], dt: '2018-07-08T09:10:11Z', shared: 'no', toread: 'yes' }),
      { result_code: 'done' },
    );
    assert.deepEqual(await json.add!({ url, description: 'again', replace: 'no' }), { result_code: 'item already exists' });
    const got = (await json.get!({ url })) as { posts: Array<Record<string, string>> };
    assert.equal(got.posts.length, 1);
    assert.deepEqual(
      { ...got.posts[0], meta: undefined, hash: undefined },
      { href: url, description: 'From a Pinboard client', extended: 'notes', tags: 'pin board', time: '2018-07-08T09:10:11Z', shared: 'no', toread: 'yes', meta: undefined, hash: undefined },
    );

    const recent = parseXml((await xml('postsRecent', { tag: 'pin' })).body);
    assert.deepEqual(recent.children.map((post) => post.attributes.href), [url]);
    assert.deepEqual(await json.dates!({ tag: 'board' }), { user: alice, tag: 'board', dates: { '2018-07-08': '1' } });
    const all = parseXml((await xml('postsAll', { fromdt: '2018-01-01T00:00:00Z', todt: '2018-12-31T00:00:00Z' })).body);
    assert.deepEqual(all.children.map((post) => post.attributes.time), ['2018-07-08T09:10:11Z']);
    const update = (await json.update!({})) as { update_time: string };
    assert.ok(update.update_time >= beforeAdd, `posts/update moved with the add of a post dated earlier: ${update.update_time} < ${beforeAdd}`);

    assert.deepEqual(await json.getTags!({}), { pin: '1', board: '1' });
    assert.deepEqual(await json.renameTag!({ old: 'pin', new: 'pinned' }), { result: 'done' });
    assert.equal(parseXml((await xml('tagsDelete', { tag: 'board' })).body).text, 'done');
    assert.deepEqual(await json.getTags!({}), { pinned: '1' });

    // Bob: nothing of Alice's, and he cannot delete it.
    const bobXml = pinboardJs(deployment().baseUrl, { username: bob, password: bobToken });
    assert.deepEqual(parseXml((await bobXml('postsAll')).body).children, []);
    assert.equal(parseXml((await bobXml('postsDelete', { url })).body).attributes.code, 'item not found');
    const stolen = await call(deployment().baseUrl, 'GET', '/pinboard/v1/posts/all', { query: { auth_token: `${alice}:${bobToken}` } });
    assert.equal(stolen.status, 401);

    // A deletion moves posts/update too (kept by link-service's triggers), a second apart to show in its seconds.
    const beforeDelete = ((await json.update!({})) as { update_time: string }).update_time;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.deepEqual(await json.delete!(url), { result_code: 'done' });
    const afterDelete = ((await json.update!({})) as { update_time: string }).update_time;
    assert.ok(afterDelete > beforeDelete, `posts/update moved with the deletion: ${afterDelete} > ${beforeDelete}`);
    assert.deepEqual(await json.delete!(url), { result_code: 'item not found' });
    assert.deepEqual(await json.all!({}), []);
    assert.deepEqual(await json.dates!({}), { user: alice, tag: '', dates: {} });
  });
}

