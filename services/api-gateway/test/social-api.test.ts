/** /v1/following and /v1/followers over HTTP: the caller is always the follower. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startGateway, type GatewayHarness } from './support/harness.ts';

describe('/v1/following and /v1/followers', () => {
  let gateway: GatewayHarness;
  let alice: string;
  let bob: string;
  let carol: string;

  before(async () => {
    gateway = await startGateway();
    alice = await gateway.signIn('alice');
    bob = await gateway.signIn('bob');
    carol = await gateway.signIn('carol');
  });
  after(() => gateway.close());

  const following = async (token: string) => (await gateway.call('GET', '/v1/following', { token })).body;
  const followers = async (token: string) => (await gateway.call('GET', '/v1/followers', { token })).body;

  test('follow with a JSON body, a form body or the query string; lists answer the original map', async () => {
    assert.deepEqual(await following(alice), { err: '', following: {} });
    const json = await gateway.call('POST', '/v1/following', { token: alice, json: { followed: 'bob' } });
    assert.equal(json.status, 200, json.text);
    assert.deepEqual(json.body, { err: '' });
    assert.equal((await gateway.call('POST', '/v1/following', { token: alice, form: { followed: 'carol' } })).status, 200);
    assert.equal((await gateway.call('POST', '/v1/following', { token: carol, query: { followed: 'bob' } })).status, 200);

    assert.deepEqual(await following(alice), { err: '', following: { bob: true, carol: true } });
    assert.deepEqual(await followers(bob), { err: '', followers: { alice: true, carol: true } });
    assert.deepEqual(await followers(carol), { err: '', followers: { alice: true } });
    assert.equal((await gateway.call('POST', '/v1/following', { token: alice, json: { followed: 'bob' } })).status, 200, 'again is harmless');
  });

  test('unfollow with followed in the query or the body; unfollowing a stranger is 404', async () => {
    const byQuery = await gateway.call('DELETE', '/v1/following', { token: alice, query: { followed: 'carol' } });
    assert.equal(byQuery.status, 200, byQuery.text);
    assert.deepEqual(byQuery.body, { err: '' });
    assert.deepEqual(await following(alice), { err: '', following: { bob: true } });
    const byBody = await gateway.call('DELETE', '/v1/following', { token: carol, json: { followed: 'bob' } });
    assert.equal(byBody.status, 200);
    assert.deepEqual(await followers(bob), { err: '', followers: { alice: true } });
    const again = await gateway.call('DELETE', '/v1/following', { token: carol, json: { followed: 'bob' } });
    assert.equal(again.status, 404);
    assert.ok(again.body.err);
  });

  test('bad input: followed missing, or yourself', async () => {
    const missing = await gateway.call('POST', '/v1/following', { token: alice, json: {} });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.err, 'followed is required');
    assert.equal((await gateway.call('DELETE', '/v1/following', { token: alice })).status, 400);
    const self = await gateway.call('POST', '/v1/following', { token: alice, json: { followed: 'alice' } });
    assert.equal(self.status, 400);
    const nul = await gateway.call('POST', '/v1/following', { token: alice, json: { followed: 'b\u0000ob' } });
    assert.equal(nul.status, 400);
    assert.equal(nul.body.err, 'followed must not contain control characters');
    const notALogin = await gateway.call('DELETE', '/v1/following', { token: alice, query: { followed: 'b_ob' } });
    assert.equal(notALogin.status, 400);
    assert.match(notALogin.body.err, /^followed may only contain letters, digits and single hyphens/);
  });

  test('nobody can be made to follow: POST /v1/followers is 403, and follower in the input is ignored', async () => {
    const refused = await gateway.call('POST', '/v1/followers', { token: bob, json: { follower: 'carol' } });
    assert.equal(refused.status, 403);
    assert.match(refused.body.err, /nobody can be made to follow/);
    assert.deepEqual(await following(carol), { err: '', following: {} });

    const sneaky = await gateway.call('POST', '/v1/following', { token: bob, json: { followed: 'alice', follower: 'carol' } });
    assert.equal(sneaky.status, 200);
    assert.deepEqual(await following(carol), { err: '', following: {} }, "carol's follows are carol's alone");
    assert.deepEqual(await following(bob), { err: '', following: { alice: true } });
    const sneakyUnfollow = await gateway.call('DELETE', '/v1/following', { token: bob, query: { followed: 'bob', follower: 'alice' } });
    assert.equal(sneakyUnfollow.status, 404, 'bob unfollowing himself, not alice unfollowing bob');
    assert.deepEqual(await following(alice), { err: '', following: { bob: true } });
  });
});
