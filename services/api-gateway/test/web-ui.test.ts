/**
 * The web UI as the gateway serves it: index.html at / (revalidated), the
 * hashed assets (immutable), a clear 503 page when the UI is not built, and the
 * two small endpoints the UI starts from, GET /login/options and GET /v1/session.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '@delinkcious/kit';
import { readApiGatewayConfig } from '../src/config.ts';
import { createGateway } from '../src/gateway.ts';
import { defaultWebDir } from '../src/web.ts';
import { memoryManagers } from './support/harness.ts';

const logger = createLogger('api-gateway-test');
logger.level = 'silent';

async function gateway(env: Record<string, string>, webDir: string): Promise<{ server: FastifyInstance; signIn: (name: string) => Promise<string> }> {
  const managers = memoryManagers();
  const config = readApiGatewayConfig({ DELINKCIOUS_MUTUAL_AUTH: 'false', ...env });
  const server = await createGateway({ config, ...managers, logger, webDir });
  await server.ready();
  return {
    server,
    async signIn(username) {
      await managers.users.register({ username, name: `${username} Example`, email: `${username}@example.com` });
      return (await managers.users.login(username)).token;
    },
  };
}

describe('the web UI, built', () => {
  let dir: string;
  let server: FastifyInstance;
  const html = '<!doctype html><title>Delinkcious</title><script type="module" src="/app.ABCDEFGH.js"></script>';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'delinkcious-web-'));
    writeFileSync(join(dir, 'index.html'), html);
    writeFileSync(join(dir, 'app.ABCDEFGH.js'), 'console.log("hi")');
    writeFileSync(join(dir, 'app.IJKLMNOP.css'), 'body{}');
    writeFileSync(join(dir, 'icon.abc_DEF-12.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(dir, 'notes.txt'), 'not an asset');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'app.ABCDEFGH.js'), 'nested');
    ({ server } = await gateway({}, dir));
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('/ answers index.html, revalidated each time, under the strict CSP', async () => {
    const page = await server.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
    assert.equal(page.statusCode, 200);
    assert.equal(page.body, html);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.equal(page.headers['cache-control'], 'no-cache');
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /style-src 'self'/);
    assert.match(csp, /img-src 'self' data:/);
    const etag = page.headers.etag;
    assert.ok(etag, 'an ETag to revalidate with');
    const again = await server.inject({ method: 'GET', url: '/', headers: { 'if-none-match': String(etag) } });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');
  });

  test('hashed assets are served with their type and cached as immutable', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/app.ABCDEFGH.js', /^text\/javascript/],
      ['/app.IJKLMNOP.css', /^text\/css/],
      ['/icon.abc_DEF-12.svg', /^image\/svg\+xml/],
    ];
    for (const [url, type] of cases) {
      const asset = await server.inject({ method: 'GET', url });
      assert.equal(asset.statusCode, 200, url);
      assert.match(String(asset.headers['content-type']), type, url);
      assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable', url);
    }
    const head = await server.inject({ method: 'HEAD', url: '/app.ABCDEFGH.js' });
    assert.equal(head.statusCode, 200);
  });

  test('nothing else is served from the directory, and unknown paths keep the usual 404', async () => {
    for (const url of ['/notes.txt', '/app.MISSING1.js', '/sub/app.ABCDEFGH.js', '/..%2Fapp.ABCDEFGH.js', '/%2e%2e%2fpackage.json', '/index.html', '/app.short.js']) {
      const answer = await server.inject({ method: 'GET', url });
      assert.equal(answer.statusCode, 404, url);
      assert.match(answer.json().err, /no route for GET/, url);
    }
  });

  test('the API is untouched: /v1 stays JSON and uncached, /healthz answers', async () => {
    const links = await server.inject({ method: 'GET', url: '/v1/links' });
    assert.equal(links.statusCode, 401);
    assert.equal(links.headers['cache-control'], 'no-store');
    assert.equal((await server.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  });
});

describe('the web UI, not built', () => {
  let parent: string;
  let server: FastifyInstance;

  before(async () => {
    parent = mkdtempSync(join(tmpdir(), 'delinkcious-web-'));
    ({ server } = await gateway({}, join(parent, 'dist-never-built')));
  });
  after(async () => {
    await server.close();
    rmSync(parent, { recursive: true, force: true });
  });

  test('/ answers a clear 503 page, not a crash, and the gateway keeps serving', async () => {
    const page = await server.inject({ method: 'GET', url: '/', headers: { accept: 'text/html,application/xhtml+xml' } });
    assert.equal(page.statusCode, 503);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(page.body, /web UI is not built/);
    assert.match(page.body, /node web\/build\.mjs/);
    assert.equal(page.headers['cache-control'], 'no-store');
    const json = await server.inject({ method: 'GET', url: '/', headers: { accept: 'application/json' } });
    assert.equal(json.statusCode, 503);
    assert.match(json.json().err, /not built/);
    assert.equal((await server.inject({ method: 'GET', url: '/app.ABCDEFGH.js' })).statusCode, 404);
    assert.equal((await server.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  });
});

test('by default the gateway serves the repository’s web/dist', () => {
  assert.match(defaultWebDir.replaceAll('\\', '/'), /\/web\/dist\/?$/);
  assert.ok(!defaultWebDir.includes('services'), defaultWebDir);
});

describe('what the web UI starts from', () => {
  const noWeb = join(tmpdir(), 'delinkcious-no-web-ui');

  test('GET /login/options says which sign-ins this gateway offers', async () => {
    const settings: Array<[Record<string, string>, { github: boolean; dev_login: boolean }]> = [
      [{}, { github: false, dev_login: false }],
      [{ DEV_LOGIN: 'true' }, { github: false, dev_login: true }],
      [{ GITHUB_CLIENT_ID: 'id', GITHUB_CLIENT_SECRET: 'secret' }, { github: true, dev_login: false }],
      [{ GITHUB_CLIENT_ID: 'id', GITHUB_CLIENT_SECRET: 'secret', DEV_LOGIN: 'true' }, { github: true, dev_login: true }],
    ];
    for (const [env, expected] of settings) {
      const { server } = await gateway(env, noWeb);
      try {
        const answer = await server.inject({ method: 'GET', url: '/login/options' });
        assert.equal(answer.statusCode, 200);
        assert.deepEqual(answer.json(), { err: '', ...expected }, JSON.stringify(env));
        assert.equal(answer.headers['cache-control'], 'no-store');
      } finally {
        await server.close();
      }
    }
  });

  test('GET /v1/session names the signed-in user, by header or cookie, and is 401 otherwise', async () => {
    const { server, signIn } = await gateway({}, noWeb);
    try {
      const token = await signIn('ui-user');
      for (const headers of [{ 'access-token': token }, { authorization: `Bearer ${token}` }, { cookie: `delinkcious_session=${token}` }]) {
        const answer = await server.inject({ method: 'GET', url: '/v1/session', headers });
        assert.equal(answer.statusCode, 200, JSON.stringify(headers));
        assert.deepEqual(answer.json(), { err: '', username: 'ui-user', name: 'ui-user Example', email: 'ui-user@example.com' });
        assert.equal(answer.headers['cache-control'], 'no-store');
      }
      const nobody = await server.inject({ method: 'GET', url: '/v1/session' });
      assert.equal(nobody.statusCode, 401);
      assert.deepEqual(nobody.json(), { err: 'Access Denied!' });
      const forged = await server.inject({ method: 'GET', url: '/v1/session', headers: { cookie: 'delinkcious_session=forged' } });
      assert.equal(forged.statusCode, 401);
    } finally {
      await server.close();
    }
  });

  test('both are described in /openapi.json; the UI files are not', async () => {
    const { server } = await gateway({}, noWeb);
    try {
      const paths = Object.keys((await server.inject({ method: 'GET', url: '/openapi.json' })).json().paths);
      assert.ok(paths.includes('/login/options'));
      assert.ok(paths.includes('/v1/session'));
      assert.ok(!paths.includes('/') && !paths.includes('/{asset}'), paths.join(' '));
    } finally {
      await server.close();
    }
  });
});
