/** The local sign-in of embedded mode (DEV_LOGIN=true). */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setCookie, startGateway, type GatewayHarness } from './support/harness.ts';

describe('local sign-in (DEV_LOGIN)', () => {
  let gateway: GatewayHarness;

  before(async () => {
    gateway = await startGateway({ env: { DEV_LOGIN: 'true' } });
  });
  after(() => gateway.close());

  test('GET /login/dev shows a form that passes the CSP (no script, no inline style)', async () => {
    const page = await gateway.call('GET', '/login/dev', { headers: { accept: 'text/html' } });
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type')!, /text\/html/);
    assert.match(page.text, /<form method="post" action="\/login\/dev">/);
    assert.match(page.text, /name="username"/);
    assert.doesNotMatch(page.text, /<script|style=/);
  });

  test('a browser posting the form gets a session cookie and goes to the web UI', async () => {
    const answer = await gateway.call('POST', '/login/dev', {
      form: { username: 'local-user' },
      headers: { accept: 'text/html', origin: gateway.url },
    });
    assert.equal(answer.status, 302, answer.text);
    assert.equal(answer.headers.get('location'), '/');
    const session = setCookie(answer, 'delinkcious_session')!;
    assert.match(session.attributes, /HttpOnly/i);
    const links = await gateway.call('GET', '/v1/links', { cookie: `delinkcious_session=${session.value}` });
    assert.equal(links.status, 200);
  });

  test('a JSON client gets the same answer as from the OAuth callback', async () => {
    const answer = await gateway.call('POST', '/login/dev', { json: { username: 'Script-User' } });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.body.login, 'Script-User');
    assert.equal(answer.body.name, 'Script-User');
    assert.equal(answer.body.email, '');
    assert.equal((await gateway.call('GET', '/v1/following', { token: answer.body.access_token })).status, 200);
  });

  test('the username must be like a GitHub login', async () => {
    for (const username of ['', '-leading', 'trailing-', 'double--hyphen', 'under_score', 'sp ace', 'a'.repeat(40), 'ünïcode', 'nul\u0000']) {
      const answer = await gateway.call('POST', '/login/dev', { json: { username } });
      assert.equal(answer.status, 400, `username ${JSON.stringify(username)}`);
      assert.match(answer.body.err, /username/);
    }
    assert.equal((await gateway.call('POST', '/login/dev', { json: { username: 'a'.repeat(39) } })).status, 200);
  });

  test('a sign-in posted from another site is refused', async () => {
    const answer = await gateway.call('POST', '/login/dev', {
      form: { username: 'victim' },
      headers: { accept: 'text/html', origin: 'https://evil.example' },
    });
    assert.equal(answer.status, 403);
  });
});

test('without DEV_LOGIN there is no local sign-in', async () => {
  const gateway = await startGateway();
  try {
    assert.equal((await gateway.call('GET', '/login/dev')).status, 404);
    const answer = await gateway.call('POST', '/login/dev', { json: { username: 'someone' } });
    assert.equal(answer.status, 404);
    assert.match(answer.body.err, /DEV_LOGIN/);
  } finally {
    await gateway.close();
  }
});
