/** The GitHub OAuth flow end to end, against a local GitHub stand-in. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GitHubStandIn, silentServer, type StandInUser } from './support/github-stand-in.ts';
import { closedPort, setCookie, startGateway, type Answer, type GatewayHarness } from './support/harness.ts';

const html = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const octocat: StandInUser = { login: 'octocat', name: 'The Octocat', email: 'octocat@github.example' };

describe('GitHub sign-in', () => {
  let github: GitHubStandIn;
  let gateway: GatewayHarness;

  before(async () => {
    github = await GitHubStandIn.start();
    gateway = await startGateway({ env: github.env() });
  });
  after(async () => {
    await gateway.close();
    await github.close();
  });

  /** GET /login as a browser: the state GitHub will hand back and the cookie binding it. */
  async function begin(): Promise<{ state: string; cookie: string; answer: Answer }> {
    const answer = await gateway.call('GET', '/login', { headers: { accept: html } });
    assert.equal(answer.status, 302);
    const location = new URL(answer.headers.get('location')!);
    const state = location.searchParams.get('state')!;
    const stateCookie = setCookie(answer, 'delinkcious_oauth_state');
    assert.ok(stateCookie, 'a state cookie is set');
    return { state, cookie: `delinkcious_oauth_state=${stateCookie.value}`, answer };
  }

  async function callback(query: Record<string, string>, cookie: string | undefined, accept = 'application/json') {
    return gateway.call('GET', '/login/authorized', { query, cookie, headers: { accept } });
  }

  async function signInAs(user: StandInUser, accept = 'application/json'): Promise<Answer> {
    const { state, cookie } = await begin();
    return callback({ code: github.issueCode(user), state }, cookie, accept);
  }

  test('GET /login redirects to GitHub with client_id, redirect_uri, scope and a state bound by a cookie', async () => {
    const { state, answer } = await begin();
    const location = new URL(answer.headers.get('location')!);
    assert.equal(`${location.origin}${location.pathname}`, `${github.url}/login/oauth/authorize`);
    assert.equal(location.searchParams.get('client_id'), github.clientId);
    assert.equal(location.searchParams.get('redirect_uri'), `${gateway.url}/login/authorized`);
    assert.equal(location.searchParams.get('scope'), 'user:email');
    assert.ok(state.length >= 32, 'the state is long and random');
    const cookie = setCookie(answer, 'delinkcious_oauth_state')!;
    assert.match(cookie.attributes, /HttpOnly/i);
    assert.match(cookie.attributes, /SameSite=Lax/i);
    assert.match(cookie.attributes, /Path=\/login/i);
    assert.notEqual(cookie.value, state, 'the cookie holds the state signed');
    assert.notEqual((await begin()).state, state, 'each sign-in gets its own state');
  });

  test('the code is exchanged (form-encoded answer) and a JSON client gets its Delinkcious token', async () => {
    github.tokenEncoding = 'form';
    try {
      const answer = await signInAs(octocat);
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.body.login, 'octocat');
      assert.equal(answer.body.name, 'The Octocat');
      assert.equal(answer.body.email, 'octocat@github.example');
      assert.equal(typeof answer.body.access_token, 'string');
      assert.equal(answer.headers.get('cache-control'), 'no-store');
      assert.equal(setCookie(answer, 'delinkcious_session'), undefined, 'a JSON client gets no session cookie');
      const links = await gateway.call('GET', '/v1/links', { token: answer.body.access_token });
      assert.equal(links.status, 200);

      const exchange = github.exchanges.at(-1)!;
      assert.equal(exchange.params.get('client_id'), github.clientId);
      assert.equal(exchange.params.get('client_secret'), github.clientSecret);
      assert.equal(exchange.params.get('redirect_uri'), `${gateway.url}/login/authorized`);
      assert.ok(github.userAgents.every((agent) => agent.length > 0), 'GitHub requires a User-Agent');
    } finally {
      github.tokenEncoding = 'negotiate';
    }
  });

  test('a JSON answer from the token endpoint works too, and GitHub is asked for JSON', async () => {
    github.tokenEncoding = 'json';
    try {
      const answer = await signInAs({ login: 'json-user', name: 'Jason', email: 'jason@example.com' });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.body.login, 'json-user');
    } finally {
      github.tokenEncoding = 'negotiate';
    }
    const answer = await signInAs({ login: 'negotiated', name: null, email: 'n@example.com' });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.body.name, 'negotiated', 'without a display name, the login stands in');
    assert.match(github.exchanges.at(-1)!.accept ?? '', /application\/json/);
  });

  test('a private email is read from /user/emails: the primary verified one', async () => {
    const answer = await signInAs({
      login: 'private-person',
      name: 'Private Person',
      email: null,
      emails: [
        { email: 'old@example.com', primary: false, verified: true },
        { email: 'main@example.com', primary: true, verified: true },
      ],
    });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.body.email, 'main@example.com');

    const unverified = await signInAs({
      login: 'unverified',
      name: 'U',
      email: null,
      emails: [{ email: 'maybe@example.com', primary: true, verified: false }],
    });
    assert.equal(unverified.status, 200, unverified.text);
    assert.equal(unverified.body.email, '', 'an unverified address is not taken');
  });

  test('signing in again logs the same user in with a new session', async () => {
    const first = await signInAs({ ...octocat, login: 'returning' });
    const second = await signInAs({ ...octocat, login: 'returning', name: 'Renamed' });
    assert.equal(second.status, 200);
    assert.notEqual(second.body.access_token, first.body.access_token);
    assert.equal(second.body.name, 'Renamed', 'name and email are refreshed from GitHub');
  });

  test('a browser gets an HttpOnly session cookie and is sent to the web UI', async () => {
    const answer = await signInAs({ login: 'browser-user', name: 'B', email: 'b@example.com' }, html);
    assert.equal(answer.status, 302, answer.text);
    assert.equal(answer.headers.get('location'), '/');
    const session = setCookie(answer, 'delinkcious_session');
    assert.ok(session?.value, 'session cookie set');
    assert.match(session.attributes, /HttpOnly/i);
    assert.match(session.attributes, /SameSite=Lax/i);
    assert.match(session.attributes, /Path=\//i);
    assert.doesNotMatch(session.attributes, /Secure/i, 'plain http on loopback: not Secure');
    const stateCleared = setCookie(answer, 'delinkcious_oauth_state');
    assert.equal(stateCleared?.value, '', 'the state cookie serves once');

    const links = await gateway.call('GET', '/v1/links', { cookie: `delinkcious_session=${session.value}` });
    assert.equal(links.status, 200, 'the cookie authenticates the browser');
  });

  test('a missing or forged state is refused before GitHub is asked', async () => {
    const { state, cookie } = await begin();
    const exchanges = github.exchanges.length;
    const code = github.issueCode(octocat);

    const noState = await callback({ code }, cookie);
    assert.equal(noState.status, 400);
    assert.match(noState.body.err, /state/);

    const noCookie = await callback({ code, state }, undefined);
    assert.equal(noCookie.status, 400, 'another browser (no cookie) cannot complete this sign-in');
    assert.match(noCookie.body.err, /start again at \/login/);

    const otherState = await callback({ code, state: `${state}x` }, cookie);
    assert.equal(otherState.status, 403);
    assert.ok(otherState.body.err);

    const [name, value] = cookie.split('=') as [string, string];
    const forgedCookie = `${name}=${encodeURIComponent(`attacker-state.${decodeURIComponent(value).split('.').at(-1)}`)}`;
    const forged = await callback({ code, state: 'attacker-state' }, forgedCookie);
    assert.equal(forged.status, 403, 'a cookie with a state of the attacker’s choosing is not genuine');

    const unsigned = await callback({ code, state: 'attacker-state' }, `${name}=attacker-state`);
    assert.equal(unsigned.status, 403);

    assert.equal(github.exchanges.length, exchanges, 'no code was exchanged');
  });

  test('a code GitHub refuses answers 401, and GitHub refusing consent too', async () => {
    const { state, cookie } = await begin();
    const answer = await callback({ code: 'not-a-real-code', state }, cookie);
    assert.equal(answer.status, 401);
    assert.match(answer.body.err, /bad_verification_code/);

    const again = await begin();
    const denied = await callback({ error: 'access_denied', state: again.state }, again.cookie);
    assert.equal(denied.status, 401);
    assert.match(denied.body.err, /access_denied/);
  });

  test('logout ends the session and clears the cookie', async () => {
    const browser = await signInAs({ login: 'leaving', name: 'L', email: 'l@example.com' }, html);
    const cookie = `delinkcious_session=${setCookie(browser, 'delinkcious_session')!.value}`;
    assert.equal((await gateway.call('GET', '/v1/links', { cookie })).status, 200);

    const out = await gateway.call('POST', '/logout', { cookie, headers: { accept: html } });
    assert.equal(out.status, 302);
    assert.equal(out.headers.get('location'), '/');
    const cleared = setCookie(out, 'delinkcious_session');
    assert.equal(cleared?.value, '');
    assert.match(cleared!.attributes, /Expires=Thu, 01 Jan 1970|Max-Age=0/i);
    assert.equal((await gateway.call('GET', '/v1/links', { cookie })).status, 401, 'the session is over at once');

    const api = await signInAs({ login: 'leaving', name: 'L', email: 'l@example.com' });
    const token = api.body.access_token as string;
    const jsonOut = await gateway.call('POST', '/logout', { token });
    assert.equal(jsonOut.status, 200);
    assert.deepEqual(jsonOut.body, { err: '' });
    assert.equal((await gateway.call('GET', '/v1/links', { token })).status, 401);

    const nobody = await gateway.call('GET', '/logout');
    assert.equal(nobody.status, 200, 'logging out without a session is harmless');
  });
});

describe('GitHub sign-in configuration and failures', () => {
  test('without OAuth credentials or DEV_LOGIN, /login answers 503 with a clear message', async () => {
    const gateway = await startGateway();
    try {
      for (const path of ['/login', '/login/authorized?code=x&state=y']) {
        const answer = await gateway.call('GET', path);
        assert.equal(answer.status, 503);
        assert.match(answer.body.err, /^sign-in is not configured/);
      }
      assert.equal((await gateway.call('GET', '/login/dev')).status, 404);
    } finally {
      await gateway.close();
    }
  });

  test('with DEV_LOGIN only, /login leads to the local sign-in', async () => {
    const gateway = await startGateway({ env: { DEV_LOGIN: 'true' } });
    try {
      const answer = await gateway.call('GET', '/login');
      assert.equal(answer.status, 302);
      assert.equal(answer.headers.get('location'), '/login/dev');
    } finally {
      await gateway.close();
    }
  });

  test('PUBLIC_URL sets the redirect_uri, and an https one makes cookies Secure', async () => {
    const github = await GitHubStandIn.start();
    const gateway = await startGateway({ env: { ...github.env(), PUBLIC_URL: 'https://links.example.com/' } });
    try {
      const answer = await gateway.call('GET', '/login');
      const location = new URL(answer.headers.get('location')!);
      assert.equal(location.searchParams.get('redirect_uri'), 'https://links.example.com/login/authorized');
      assert.match(setCookie(answer, 'delinkcious_oauth_state')!.attributes, /Secure/i);
    } finally {
      await gateway.close();
      await github.close();
    }
  });

  test('GitHub unreachable or hanging answers 503, within the timeout', async () => {
    const hanging = await silentServer();
    const port = await closedPort();
    for (const base of [`http://127.0.0.1:${port}`, hanging.url]) {
      const gateway = await startGateway({
        env: {
          GITHUB_CLIENT_ID: 'id',
          GITHUB_CLIENT_SECRET: 'secret',
          GITHUB_OAUTH_URL: base,
          GITHUB_API_URL: base,
          GITHUB_TIMEOUT: '300ms',
        },
      });
      try {
        const begun = await gateway.call('GET', '/login');
        const state = new URL(begun.headers.get('location')!).searchParams.get('state')!;
        const cookie = `delinkcious_oauth_state=${setCookie(begun, 'delinkcious_oauth_state')!.value}`;
        const answer = await gateway.call('GET', '/login/authorized', { query: { code: 'c', state }, cookie });
        assert.equal(answer.status, 503, answer.text);
        assert.match(answer.body.err, /GitHub is unavailable/);
        assert.ok(answer.ms < 2000, `answered in ${Math.round(answer.ms)} ms`);
      } finally {
        await gateway.close();
      }
    }
    await hanging.close();
  });
});
