/**
 * Who may do what, through the public API: accounts follow GitHub's numeric
 * id, API tokens have scopes and cannot manage tokens, only existing people
 * can be followed (and not without bound), and sessions end only as their
 * owner means (POST, same site; OAuth states used once; no code in the logs).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DefaultSocialGraphManager, MemorySocialGraphStore } from '@delinkcious/social-graph-service';
import { DefaultUserManager, MemoryUserStore } from '@delinkcious/user-service';
import { GitHubStandIn, type StandInUser } from './support/github-stand-in.ts';
import { recordingLogger, setCookie, startGateway, type Answer, type GatewayHarness } from './support/harness.ts';

const secret = 'a-session-secret-shared-by-replicas-0123456789';

describe('accounts keyed by GitHub id, single-use states, no secrets in logs', () => {
  let github: GitHubStandIn;
  const users = new DefaultUserManager({ store: new MemoryUserStore() });
  const log = recordingLogger();
  let replicaA: GatewayHarness;
  let replicaB: GatewayHarness;

  before(async () => {
    github = await GitHubStandIn.start();
    const env = { ...github.env(), SESSION_SECRET: secret, LOG_LEVEL: 'info' };
    // Two replicas behind one load balancer: one user-service, one session secret.
    replicaA = await startGateway({ env, users, logger: log.logger });
    replicaB = await startGateway({ env, users });
  });
  after(async () => {
    await replicaA.close();
    await replicaB.close();
    await github.close();
  });

  async function begin(gateway: GatewayHarness) {
    const answer = await gateway.call('GET', '/login');
    assert.equal(answer.status, 302);
    const state = new URL(answer.headers.get('location')!).searchParams.get('state')!;
    return { state, cookie: `delinkcious_oauth_state=${setCookie(answer, 'delinkcious_oauth_state')!.value}` };
  }

  async function signIn(gateway: GatewayHarness, user: StandInUser, started?: { state: string; cookie: string }): Promise<Answer> {
    const { state, cookie } = started ?? (await begin(gateway));
    return gateway.call('GET', '/login/authorized', {
      query: { code: github.issueCode(user), state },
      cookie,
      headers: { accept: 'application/json' },
    });
  }

  test('a login renamed on GitHub signs in to the same account, under its old username', async () => {
    const first = await signIn(replicaA, { id: 501, login: 'ann', name: 'Ann', email: 'ann@example.com' });
    assert.equal(first.status, 200, first.text);
    assert.equal((await replicaA.call('POST', '/v1/links', { token: first.body.access_token, json: { url: 'https://a.example/', title: 'A' } })).status, 200);

    const renamed = await signIn(replicaA, { id: 501, login: 'ann-renamed', name: 'Ann', email: 'ann@example.com' });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.body.login, 'ann', 'the username is kept: links, follows and feeds name it');
    const links = await replicaA.call('GET', '/v1/links', { token: renamed.body.access_token });
    assert.deepEqual(
      links.body.links.map((link: { Url: string }) => link.Url),
      ['https://a.example/'],
      'the same account, with its links',
    );
  });

  test('someone who takes over a login another GitHub account had gets 409, never that account', async () => {
    const owner = await signIn(replicaA, { id: 601, login: 'bea', name: 'Bea', email: '' });
    assert.equal(owner.status, 200);
    const takeover = await signIn(replicaA, { id: 602, login: 'bea', name: 'Mallory', email: '' });
    assert.equal(takeover.status, 409);
    assert.match(takeover.body.err, /username bea belongs to another GitHub account/);
    assert.equal(takeover.body.access_token, undefined);
    assert.equal((await users.getUser('bea')).name, 'Bea', 'the account is untouched');
  });

  test('an account made before GitHub ids gets its id at its next GitHub sign-in under the same login', async () => {
    await users.register({ username: 'cid', name: 'Cid', email: '' });
    assert.equal((await signIn(replicaA, { id: 701, login: 'cid', name: 'Cid', email: '' })).status, 200);
    assert.equal((await users.getUser('cid')).githubId, 701);
    assert.equal((await signIn(replicaA, { id: 702, login: 'cid', name: 'X', email: '' })).status, 409);
  });

  test('a state serves once, whichever replica the callback reaches: a replay is refused', async () => {
    const started = await begin(replicaA);
    assert.equal((await signIn(replicaA, { id: 801, login: 'dee', name: 'Dee', email: '' }, started)).status, 200);
    const exchanges = github.exchanges.length;
    for (const gateway of [replicaA, replicaB]) {
      const replay = await signIn(gateway, { id: 802, login: 'eve', name: 'Eve', email: '' }, started);
      assert.equal(replay.status, 403);
      assert.match(replay.body.err, /already completed or has expired; start again at \/login/);
    }
    assert.equal(github.exchanges.length, exchanges, 'a replayed callback never reaches GitHub');
    await assert.rejects(users.getUser('eve'));

    // A state begun on one replica completes on another (sign-ins survive the load balancer).
    const elsewhere = await begin(replicaA);
    assert.equal((await signIn(replicaB, { id: 803, login: 'fay', name: 'Fay', email: '' }, elsewhere)).status, 200);
  });

  test('the request log shows no OAuth code or state', async () => {
    const started = await begin(replicaA);
    const code = github.issueCode({ id: 901, login: 'gus', name: 'Gus', email: '' });
    const answer = await replicaA.call('GET', '/login/authorized', {
      query: { code, state: started.state },
      cookie: started.cookie,
      headers: { accept: 'application/json' },
    });
    assert.equal(answer.status, 200);
    const logged = JSON.stringify(log.lines);
    assert.ok(logged.includes('/login/authorized'), 'the request was logged');
    assert.ok(!logged.includes(code), 'no code in the logs');
    assert.ok(!logged.includes(started.state), 'no state in the logs');
  });
});

describe('API token scopes', () => {
  let gateway: GatewayHarness;
  let session: string;

  before(async () => {
    gateway = await startGateway();
    session = await gateway.signIn('hal');
  });
  after(() => gateway.close());

  const createToken = async (fields: Record<string, string>) => {
    const created = await gateway.call('POST', '/v1/tokens', { token: session, json: fields });
    assert.equal(created.status, 200, created.text);
    return created.body as { access_token: string; token: { id: string; scope: string } };
  };

  test('a read token reads; every write with it is 403 "this token is read-only"', async () => {
    const reader = await createToken({ name: 'dashboard', scope: 'read' });
    assert.equal(reader.token.scope, 'read');
    assert.equal((await gateway.call('GET', '/v1/links', { token: reader.access_token })).status, 200);
    assert.equal((await gateway.call('GET', '/v1/following', { token: reader.access_token, bearer: true })).status, 200);
    const writes: Array<[string, string, object]> = [
      ['POST', '/v1/links', { json: { url: 'https://r.example/', title: 'R' } }],
      ['PUT', '/v1/links', { json: { url: 'https://r.example/', title: 'S' } }],
      ['DELETE', '/v1/links', { query: { url: 'https://r.example/' } }],
      ['POST', '/v1/following', { json: { followed: 'hal' } }],
    ];
    for (const [method, path, options] of writes) {
      const answer = await gateway.call(method, path, { token: reader.access_token, ...options });
      assert.deepEqual([answer.status, answer.body], [403, { err: 'this token is read-only' }], `${method} ${path}`);
    }
    assert.deepEqual((await gateway.call('GET', '/v1/links', { token: session })).body.links, [], 'nothing was written');
  });

  test('a token is write unless asked otherwise, and writes', async () => {
    const writer = await createToken({ name: 'cli' });
    assert.equal(writer.token.scope, 'write');
    const saved = await gateway.call('POST', '/v1/links', { token: writer.access_token, json: { url: 'https://w.example/', title: 'W' } });
    assert.equal(saved.status, 200);
  });

  test('no API token, of any scope, lists, creates or revokes tokens: that needs a signed-in session', async () => {
    const writer = await createToken({ name: 'leaked', scope: 'write' });
    const reader = await createToken({ name: 'reader', scope: 'read' });
    for (const token of [writer.access_token, reader.access_token]) {
      for (const [method, path] of [
        ['GET', '/v1/tokens'],
        ['POST', '/v1/tokens'],
        ['DELETE', `/v1/tokens/${reader.token.id}`],
      ] as const) {
        const answer = await gateway.call(method, path, { token, json: method === 'POST' ? { name: 'minted' } : undefined });
        assert.equal(answer.status, 403, `${method} ${path}`);
        // A read token's POST and DELETE are refused as writes first.
        assert.match(answer.body.err, token === reader.access_token && method !== 'GET' ? /read-only/ : /needs a signed-in session/);
      }
    }
    const listed = await gateway.call('GET', '/v1/tokens', { token: session });
    assert.ok(!listed.body.tokens.some((token: { name: string }) => token.name === 'minted'), 'no token was minted');
    assert.ok(listed.body.tokens.some((token: { id: string }) => token.id === reader.token.id), 'none was revoked');
  });

  test('an unknown scope is a 400 naming the field', async () => {
    const answer = await gateway.call('POST', '/v1/tokens', { token: session, json: { name: 'x', scope: 'admin' } });
    assert.equal(answer.status, 400);
    assert.match(answer.body.err, /^scope must be one of read, write/);
  });

  test('/logout with an API token says it signed nothing out, and the token keeps working', async () => {
    const writer = await createToken({ name: 'script' });
    const out = await gateway.call('POST', '/logout', { token: writer.access_token });
    assert.equal(out.status, 400);
    assert.match(out.body.err, /API token, not a session: nothing was signed out/);
    assert.equal((await gateway.call('GET', '/v1/links', { token: writer.access_token })).status, 200);
  });
});

describe('following only people who exist, within a cap, in pages', () => {
  let gateway: GatewayHarness;
  let ida: string;
  const people = ['p01', 'p02', 'p03', 'p04', 'p05'];

  before(async () => {
    const socialGraph = new DefaultSocialGraphManager({ store: new MemorySocialGraphStore(), maxFollowing: 4 });
    gateway = await startGateway({ socialGraph });
    ida = await gateway.signIn('ida');
    for (const person of people) await gateway.signIn(person);
  });
  after(() => gateway.close());

  test('following nobody is 404, a malformed name is 400 naming the field; neither is recorded', async () => {
    const unknown = await gateway.call('POST', '/v1/following', { token: ida, json: { followed: 'nosuchuser' } });
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.err, /nosuchuser/);
    const invalid = await gateway.call('POST', '/v1/following', { token: ida, json: { followed: 'bad name!' } });
    assert.equal(invalid.status, 400);
    assert.match(invalid.body.err, /^followed may only contain/);
    assert.deepEqual((await gateway.call('GET', '/v1/following', { token: ida })).body, { err: '', following: {} });
  });

  test('past the cap a follow is 403; the list pages with limit and start_token, and without limit answers the whole map', async () => {
    for (const person of people.slice(0, 4)) {
      assert.equal((await gateway.call('POST', '/v1/following', { token: ida, json: { followed: person } })).status, 200);
    }
    const over = await gateway.call('POST', '/v1/following', { token: ida, json: { followed: 'p05' } });
    assert.equal(over.status, 403);
    assert.match(over.body.err, /already follow 4 people/);

    const whole = await gateway.call('GET', '/v1/following', { token: ida });
    assert.deepEqual(whole.body, { err: '', following: { p01: true, p02: true, p03: true, p04: true } });
    const first = await gateway.call('GET', '/v1/following', { token: ida, query: { limit: '3' } });
    assert.deepEqual(first.body.following, { p01: true, p02: true, p03: true });
    assert.notEqual(first.body.next_page_token, '');
    const second = await gateway.call('GET', '/v1/following', { token: ida, query: { limit: '3', start_token: first.body.next_page_token } });
    assert.deepEqual(second.body, { err: '', following: { p04: true }, next_page_token: '' });

    const followers = await gateway.call('GET', '/v1/followers', { token: await gateway.signIn('p01'), query: { limit: '10' } });
    assert.deepEqual(followers.body, { err: '', followers: { ida: true }, next_page_token: '' });
    assert.equal((await gateway.call('GET', '/v1/followers', { token: ida, query: { limit: '0' } })).status, 400);
  });
});

describe('session hygiene', () => {
  let gateway: GatewayHarness;

  before(async () => {
    gateway = await startGateway({ env: { DEV_LOGIN: 'true' } });
  });
  after(() => gateway.close());

  const sessionCookie = async (username: string) => `delinkcious_session=${await gateway.signIn(username)}`;
  const signedIn = async (cookie: string) => (await gateway.call('GET', '/v1/session', { cookie })).status === 200;

  test('GET /logout with only a cookie (a cross-site link or image can send one) is 405 and ends nothing', async () => {
    const cookie = await sessionCookie('jan');
    const answer = await gateway.call('GET', '/logout', { cookie, headers: { accept: 'text/html' } });
    assert.equal(answer.status, 405);
    assert.equal(answer.headers.get('allow'), 'POST');
    assert.match(answer.body.err, /POST \/logout/);
    assert.ok(await signedIn(cookie));
  });

  test('GET /logout with a session token in a header still signs out, for the original clients', async () => {
    const token = await gateway.signIn('kim');
    assert.deepEqual((await gateway.call('GET', '/logout', { token })).body, { err: '' });
    assert.equal((await gateway.call('GET', '/v1/session', { token })).status, 401);
  });

  test('POST /logout from another site is refused by Origin, by Sec-Fetch-Site, or by Referer', async () => {
    const cookie = await sessionCookie('lee');
    const crossSite: Array<Record<string, string>> = [
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { referer: 'https://evil.example/page' },
    ];
    for (const headers of crossSite) {
      const answer = await gateway.call('POST', '/logout', { cookie, headers });
      assert.deepEqual([answer.status, answer.body], [403, { err: 'cross-site request refused' }], JSON.stringify(headers));
      assert.ok(await signedIn(cookie), 'still signed in');
    }
    const own = await gateway.call('POST', '/logout', { cookie, headers: { 'sec-fetch-site': 'same-origin', accept: 'application/json' } });
    assert.equal(own.status, 200);
    assert.equal(await signedIn(cookie), false);
  });

  test('a cookie write without Origin is checked by Sec-Fetch-Site and Referer', async () => {
    const cookie = await sessionCookie('mia');
    const link = { url: 'https://m.example/', title: 'M' };
    const crossSite: Array<Record<string, string>> = [{ 'sec-fetch-site': 'cross-site' }, { referer: 'https://evil.example/' }];
    for (const headers of crossSite) {
      const answer = await gateway.call('POST', '/v1/links', { cookie, json: link, headers });
      assert.equal(answer.status, 403, JSON.stringify(headers));
    }
    assert.deepEqual((await gateway.call('GET', '/v1/links', { cookie })).body.links, [], 'nothing was saved');
    const sameSite = await gateway.call('POST', '/v1/links', { cookie, json: link, headers: { referer: `${gateway.url}/links` } });
    assert.equal(sameSite.status, 200);
  });
});
