/** The internal HTTP API over a real socket: routes, statuses, `{"err"}` bodies and mutual auth. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startUserServer, type RunningServer } from './support/user-server.ts';

type Json = Record<string, unknown>;

describe('user-service HTTP transport', () => {
  let server: RunningServer;

  before(async () => {
    server = await startUserServer();
  });
  after(async () => server?.close());

  async function call(method: string, path: string, body?: unknown, callerToken: string | null = server.callerToken) {
    const headers: Record<string, string> = {};
    if (callerToken !== null) headers['delinkcious-caller-token'] = callerToken;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(new URL(path, server.url), {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Json };
  }

  const register = (username: string) => call('POST', '/register', { username, name: `${username} name`, email: `${username}@example.com` });
  const login = async (username: string) => (await call('POST', '/login', { username })).body.session as string;

  const routes: Array<[string, string, unknown]> = [
    ['POST', '/register', { username: 'mallory', name: '', email: '' }],
    ['POST', '/login', { username: 'mallory' }],
    ['POST', '/logout', { token: 'x' }],
    ['POST', '/validate', { token: 'x' }],
    ['POST', '/users/mallory/tokens', { name: 'x' }],
    ['GET', '/users/mallory/tokens', undefined],
    ['DELETE', '/users/mallory/tokens/some-id', undefined],
  ];

  test('every route answers 401 without a caller token, or with a wrong one, and does nothing', async () => {
    for (const [method, path, body] of routes) {
      assert.deepEqual(await call(method, path, body, null), { status: 401, body: { err: 'missing caller token' } }, `${method} ${path}`);
      assert.deepEqual(await call(method, path, body, 'not-a-caller-token-at-all'), { status: 401, body: { err: 'unknown caller token' } });
    }
    assert.equal(await server.store.getUser('mallory'), null, 'the refused register changed nothing');
    assert.equal((await call('GET', '/healthz', undefined, null)).status, 200, 'probes stay open');
  });

  test('POST /register answers the user, and updates it on a later call', async () => {
    assert.deepEqual(await register('alice'), {
      status: 200,
      body: { err: '', user: { username: 'alice', name: 'alice name', email: 'alice@example.com' } },
    });
    assert.deepEqual((await call('POST', '/register', { username: 'alice', name: 'Alice', email: '' })).body, {
      err: '',
      user: { username: 'alice', name: 'Alice', email: '' },
    });
  });

  test('POST /register refuses bad input with 400 and a message naming the field', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ name: 'x' }, /^username is required$/],
      [{ username: 'bad_name' }, /^username may only contain/],
      [{ username: 'ok', email: 'nope' }, /^email /],
      [{ username: 'ok', name: 5 }, /^name must be text$/],
      [[1, 2], /^request body must be a JSON object$/],
      ['{"username":', /^request body is not valid JSON$/],
    ];
    for (const [body, message] of cases) {
      const { status, body: answer } = await call('POST', '/register', body);
      assert.equal(status, 400, JSON.stringify(body));
      assert.match(String(answer.err), message);
      assert.deepEqual(Object.keys(answer), ['err']);
    }
  });

  test('a NUL in any text field is a 400 naming the field, never a database error', async () => {
    await register('ivan');
    const cases: Array<[string, string, unknown, RegExp]> = [
      ['POST', '/register', { username: 'iv\u0000an' }, /^username must not contain control characters$/],
      ['POST', '/register', { username: 'ivan', name: 'Iv\u0000an' }, /^name must not contain control characters$/],
      ['POST', '/register', { username: 'ivan', email: 'ivan\u0000@example.com' }, /^email must not contain control characters$/],
      ['POST', '/register', { username: 'ivan', name: 'Iv\ud800an' }, /^name must be well-formed Unicode/],
      ['POST', '/login', { username: 'iv\u0000an' }, /^username must not contain control characters$/],
      ['POST', '/users/ivan/tokens', { name: 'laptop\u0000' }, /^name must not contain control characters$/],
      ['POST', '/users/iv%00an/tokens', { name: 'laptop' }, /^username must not contain control characters$/],
      ['GET', '/users/iv%00an/tokens', undefined, /^username must not contain control characters$/],
      ['DELETE', '/users/ivan/tokens/a%00b', undefined, /^id must not contain control characters$/],
    ];
    for (const [method, path, body, message] of cases) {
      const answer = await call(method, path, body);
      assert.equal(answer.status, 400, `${method} ${path} ${JSON.stringify(body)}`);
      assert.match(String(answer.body.err), message);
    }
  });

  test('POST /login answers a session and its expiry; an unknown user is 404', async () => {
    await register('bob');
    const { status, body } = await call('POST', '/login', { username: 'bob' });
    assert.equal(status, 200);
    assert.equal(body.err, '');
    assert.match(String(body.session), /^[A-Za-z0-9_-]{43}$/);
    assert.equal(body.username, 'bob');
    const expires = Date.parse(String(body.expires_at));
    assert.ok(Math.abs(expires - (Date.now() + 30 * 24 * 3600_000)) < 60_000, 'the default TTL is 30 days');
    assert.deepEqual(await call('POST', '/login', { username: 'nobody' }), { status: 404, body: { err: 'no user nobody; register first' } });
    assert.equal((await call('POST', '/login', {})).status, 400);
  });

  test('POST /validate answers the user of a session, its kind and scope; an invalid one is 401 Access Denied!', async () => {
    await register('carol');
    const session = await login('carol');
    assert.deepEqual(await call('POST', '/validate', { token: session }), {
      status: 200,
      body: { err: '', user: { username: 'carol', name: 'carol name', email: 'carol@example.com' }, kind: 'session', scope: 'write' },
    });
    for (const body of [{ token: 'wrong' }, { token: '' }, {}]) {
      assert.deepEqual(await call('POST', '/validate', body), { status: 401, body: { err: 'Access Denied!' } });
    }
  });

  test('POST /logout ends the session and answers {"err":""}, even for an unknown one', async () => {
    await register('dave');
    const session = await login('dave');
    assert.deepEqual(await call('POST', '/logout', { token: session }), { status: 200, body: { err: '' } });
    assert.equal((await call('POST', '/validate', { token: session })).status, 401);
    assert.deepEqual(await call('POST', '/logout', { token: session }), { status: 200, body: { err: '' } });
  });

  test('API tokens: create, list, validate, revoke', async () => {
    await register('erin');
    const created = await call('POST', '/users/erin/tokens', { name: 'ci' });
    assert.equal(created.status, 200);
    assert.equal(created.body.err, '');
    const token = String(created.body.token);
    assert.match(token, /^dlk_/);
    const info = created.body.info as Json;
    assert.deepEqual(Object.keys(info).sort(), ['created_at', 'id', 'last_used_at', 'name', 'scope']);
    assert.equal(info.scope, 'write', 'a token is read-write unless asked otherwise');
    assert.equal(info.name, 'ci');
    assert.equal(info.last_used_at, null);
    assert.ok(!Number.isNaN(Date.parse(String(info.created_at))));

    assert.deepEqual(await call('POST', '/validate', { token }), {
      status: 200,
      body: { err: '', user: { username: 'erin', name: 'erin name', email: 'erin@example.com' }, kind: 'api_token', scope: 'write' },
    });
    const listed = await call('GET', '/users/erin/tokens');
    assert.equal(listed.status, 200);
    assert.equal(listed.body.err, '');
    const tokens = listed.body.tokens as Json[];
    assert.equal(tokens.length, 1);
    assert.equal(tokens[0]?.id, info.id);
    assert.equal(typeof tokens[0]?.last_used_at, 'string', 'validate recorded the use');
    assert.ok(!JSON.stringify(listed.body).includes(token.slice(4)), 'the secret is shown only once');

    assert.deepEqual(await call('DELETE', `/users/erin/tokens/${String(info.id)}`), { status: 200, body: { err: '' } });
    assert.deepEqual(await call('POST', '/validate', { token }), { status: 401, body: { err: 'Access Denied!' } });
    assert.deepEqual((await call('GET', '/users/erin/tokens')).body, { err: '', tokens: [] });
  });

  test('API tokens are isolated between users: revoking another\'s is 404', async () => {
    await register('frank');
    await register('grace');
    const { body } = await call('POST', '/users/frank/tokens', { name: 'mine' });
    const id = String((body.info as Json).id);
    const refused = await call('DELETE', `/users/grace/tokens/${id}`);
    assert.equal(refused.status, 404);
    assert.match(String(refused.body.err), /no API token with id/);
    assert.equal((await call('POST', '/validate', { token: body.token })).status, 200, 'frank\'s token still works');
    assert.deepEqual((await call('GET', '/users/grace/tokens')).body, { err: '', tokens: [] });
    assert.equal((await call('DELETE', '/users/frank/tokens/unknown')).status, 404);
  });

  test('API token routes refuse bad input', async () => {
    await register('heidi');
    const cases: Array<[string, string, unknown, number, RegExp]> = [
      ['POST', '/users/heidi/tokens', {}, 400, /^name is required/],
      ['POST', '/users/heidi/tokens', { name: 'n'.repeat(101) }, 400, /^name is longer than 100/],
      ['POST', '/users/nobody/tokens', { name: 'x' }, 404, /^no user nobody$/],
      ['POST', '/users/bad_name/tokens', { name: 'x' }, 400, /^username /],
      ['GET', '/users//tokens', undefined, 400, /^username is required$/],
      ['DELETE', '/users/heidi/tokens/', undefined, 400, /^id is required$/],
    ];
    for (const [method, path, body, status, message] of cases) {
      const answer = await call(method, path, body);
      assert.equal(answer.status, status, `${method} ${path}`);
      assert.match(String(answer.body.err), message);
    }
  });
});
