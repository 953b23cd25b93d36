/** Who may call /v1: tokens in headers or the session cookie, the validation cache, revocation, API tokens. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Credential, UserManager } from '@delinkcious/object-model';
import { memoryManagers, sleep, startGateway, type GatewayHarness } from './support/harness.ts';

const protectedRoutes: Array<[string, string]> = [
  ['GET', '/v1/links'],
  ['POST', '/v1/links'],
  ['PUT', '/v1/links'],
  ['DELETE', '/v1/links'],
  ['GET', '/v1/following'],
  ['POST', '/v1/following'],
  ['DELETE', '/v1/following'],
  ['GET', '/v1/followers'],
  ['POST', '/v1/followers'],
  ['GET', '/v1/tokens'],
  ['POST', '/v1/tokens'],
  ['DELETE', '/v1/tokens/some-id'],
];

/** The user manager, counting the validations that reach it. */
function counting(users: UserManager): UserManager & { validations: number } {
  const counted = Object.create(users) as UserManager & { validations: number };
  counted.validations = 0;
  counted.validate = async (token: string): Promise<Credential> => {
    counted.validations++;
    return users.validate(token);
  };
  return counted;
}

describe('authentication', () => {
  let gateway: GatewayHarness;
  let users: ReturnType<typeof counting>;
  let alice: string;
  const ttlMs = 400;

  before(async () => {
    users = counting(memoryManagers().users);
    gateway = await startGateway({ users, env: { TOKEN_CACHE_TTL: `${ttlMs}ms` } });
    alice = await gateway.signIn('alice');
  });
  after(() => gateway.close());

  test('every /v1 route answers 401 Access Denied! without a token, or with a wrong one', async () => {
    for (const [method, path] of protectedRoutes) {
      for (const token of [undefined, 'not-a-token']) {
        const json = method === 'GET' ? undefined : { url: 'https://example.com', title: 't', followed: 'bob' };
        const answer = await gateway.call(method, path, { token, json });
        assert.equal(answer.status, 401, `${method} ${path} with ${token ?? 'no token'}`);
        assert.deepEqual(answer.body, { err: 'Access Denied!' });
      }
    }
    const basic = await gateway.call('GET', '/v1/links', { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } });
    assert.equal(basic.status, 401);
    const badCookie = await gateway.call('GET', '/v1/links', { cookie: 'delinkcious_session=nope' });
    assert.equal(badCookie.status, 401);
  });

  test('a token is accepted as Access-Token, as Authorization: Bearer, or as the session cookie', async () => {
    assert.equal((await gateway.call('GET', '/v1/links', { token: alice })).status, 200);
    assert.equal((await gateway.call('GET', '/v1/links', { token: alice, bearer: true })).status, 200);
    assert.equal((await gateway.call('GET', '/v1/links', { cookie: `other=1; delinkcious_session=${alice}` })).status, 200);
    const wrongHeader = await gateway.call('GET', '/v1/links', { token: 'wrong', cookie: `delinkcious_session=${alice}` });
    assert.equal(wrongHeader.status, 401, 'a header token that fails does not fall back to the cookie');
  });

  test('validations are cached: a burst of requests asks user-service once', async () => {
    // A TTL no burst outlasts: with this suite's short one, requests still arriving after it (20 of them
    // sharing one event loop with this test, on a busy machine) would rightly be validated again.
    const burstUsers = counting(memoryManagers().users);
    const burstGateway = await startGateway({ users: burstUsers, env: { TOKEN_CACHE_TTL: '1m' } });
    try {
      const token = await burstGateway.signIn('bursty');
      const answers = await Promise.all(Array.from({ length: 20 }, () => burstGateway.call('GET', '/v1/following', { token })));
      assert.deepEqual(new Set(answers.map((answer) => answer.status)), new Set([200]));
      assert.equal(burstUsers.validations, 1);
    } finally {
      await burstGateway.close();
    }
  });

  test('a session ended behind the gateway stops working within the cache TTL', async () => {
    const token = await gateway.signIn('ending');
    assert.equal((await gateway.call('GET', '/v1/links', { token })).status, 200);
    await gateway.users.logout(token); // as another gateway replica would
    await sleep(ttlMs + 100);
    assert.equal((await gateway.call('GET', '/v1/links', { token })).status, 401);
  });

  test('a cookie-authenticated change from another site is refused', async () => {
    const cookie = `delinkcious_session=${alice}`;
    const json = { url: 'https://example.com/csrf', title: 'csrf' };
    const crossSite = await gateway.call('POST', '/v1/links', { cookie, json, headers: { origin: 'https://evil.example' } });
    assert.equal(crossSite.status, 403);
    assert.match(crossSite.body.err, /cross-site/);
    const sameSite = await gateway.call('POST', '/v1/links', { cookie, json, headers: { origin: gateway.url } });
    assert.equal(sameSite.status, 200, sameSite.text);
    const headerToken = await gateway.call('GET', '/v1/links', { token: alice, headers: { origin: 'https://other.example' } });
    assert.equal(headerToken.status, 200, 'a token in a header is no ambient credential');
  });
});

describe('/v1/tokens', () => {
  let gateway: GatewayHarness;
  let alice: string;
  let bob: string;

  before(async () => {
    gateway = await startGateway({ env: { TOKEN_CACHE_TTL: '300ms' } });
    alice = await gateway.signIn('alice');
    bob = await gateway.signIn('bob');
  });
  after(() => gateway.close());

  test('create answers the secret once; list shows names and dates only', async () => {
    const created = await gateway.call('POST', '/v1/tokens', { token: alice, json: { name: 'laptop cli' } });
    assert.equal(created.status, 200, created.text);
    assert.equal(created.body.err, '');
    assert.equal(typeof created.body.access_token, 'string');
    assert.equal(created.body.token.name, 'laptop cli');
    assert.equal(created.headers.get('cache-control'), 'no-store');
    const unnamed = await gateway.call('POST', '/v1/tokens', { token: alice, form: {} });
    assert.equal(unnamed.status, 200);
    assert.equal(unnamed.body.token.name, 'api token');

    const listed = await gateway.call('GET', '/v1/tokens', { token: alice });
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.tokens.map((token: { name: string }) => token.name).sort(), ['api token', 'laptop cli']);
    assert.ok(!listed.text.includes(created.body.access_token), 'no secret in the list');
    const first = listed.body.tokens[0];
    assert.deepEqual(Object.keys(first).sort(), ['created_at', 'id', 'last_used_at', 'name', 'scope']);
    assert.deepEqual((await gateway.call('GET', '/v1/tokens', { token: bob })).body, { err: '', tokens: [] });

    const viaToken = await gateway.call('GET', '/v1/links', { token: created.body.access_token, bearer: true });
    assert.equal(viaToken.status, 200, 'an API token authenticates');
  });

  test('revoking a token through the gateway stops it at once; only the owner can revoke', async () => {
    const created = await gateway.call('POST', '/v1/tokens', { token: alice, json: { name: 'short-lived' } });
    const secret = created.body.access_token as string;
    assert.equal((await gateway.call('GET', '/v1/links', { token: secret })).status, 200);

    const byBob = await gateway.call('DELETE', `/v1/tokens/${created.body.token.id}`, { token: bob });
    assert.equal(byBob.status, 404, "bob cannot revoke alice's token");
    assert.equal((await gateway.call('GET', '/v1/links', { token: secret })).status, 200);

    const revoked = await gateway.call('DELETE', `/v1/tokens/${created.body.token.id}`, { token: alice });
    assert.equal(revoked.status, 200);
    assert.deepEqual(revoked.body, { err: '' });
    assert.equal((await gateway.call('GET', '/v1/links', { token: secret })).status, 401, 'no waiting for the cache');
    assert.equal((await gateway.call('DELETE', `/v1/tokens/${created.body.token.id}`, { token: alice })).status, 404);
  });

  test('a token revoked behind the gateway stops working within the cache TTL', async () => {
    const created = await gateway.call('POST', '/v1/tokens', { token: alice, json: { name: 'elsewhere' } });
    const secret = created.body.access_token as string;
    assert.equal((await gateway.call('GET', '/v1/links', { token: secret })).status, 200);
    await gateway.users.revokeApiToken('alice', created.body.token.id); // as another replica would
    await sleep(400);
    assert.equal((await gateway.call('GET', '/v1/links', { token: secret })).status, 401);
  });
});
