/**
 * Quick save (issue 17) as the gateway serves it: /save is the web UI's page,
 * the installable app's manifest and service worker with their types, and the
 * way back after signing in (`next`), which only ever leads to a path on this
 * site — through GitHub and through the local sign-in.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { safeReturnPath } from '../src/auth/return-path.ts';
import { defaultWebDir } from '../src/web.ts';
import { GitHubStandIn, type StandInUser } from './support/github-stand-in.ts';
import { setCookie, startGateway, type GatewayHarness } from './support/harness.ts';

const html = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const builtUi = existsSync(join(defaultWebDir, 'manifest.webmanifest')) ? false : 'the web UI is not built (node web/build.mjs)';
const savePath = '/save?url=https%3A%2F%2Fexample.com%2Fa%3Fb%3D1&title=A%20%22quoted%22%20%3Ctitle%3E';
const offSite = [
  '//evil.example/x',
  '/\\evil.example',
  '/\\/evil.example',
  'https://evil.example/',
  'http:/evil.example',
  'javascript:alert(1)',
  'evil.example',
  '/\tevil',
  `/${'a'.repeat(3001)}`,
];

describe('safeReturnPath', () => {
  test('keeps a path on this site, with its query and hash', () => {
    assert.equal(safeReturnPath('/'), '/');
    assert.equal(safeReturnPath(savePath), savePath);
    assert.equal(safeReturnPath('/#/u/bob?tag=go'), '/#/u/bob?tag=go');
  });
  test('refuses anything that could leave the site', () => {
    for (const value of [...offSite, '', undefined, 42, '/\u0000x', '/x\u007f']) assert.equal(safeReturnPath(value), undefined, JSON.stringify(value));
  });
});

describe('the quick-save page and the installable app', { skip: builtUi }, () => {
  let gateway: GatewayHarness;
  before(async () => {
    gateway = await startGateway();
  });
  after(() => gateway.close());

  test('/save is the web UI (any query), revalidated, under the strict CSP', async () => {
    const index = readFileSync(join(defaultWebDir, 'index.html'), 'utf8');
    const page = await gateway.call('GET', savePath, { headers: { accept: html } });
    assert.equal(page.status, 200);
    assert.equal(page.text, index);
    assert.match(page.headers.get('content-type')!, /^text\/html/);
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    assert.match(page.headers.get('content-security-policy')!, /script-src 'self'/);
    assert.match(index, /<link rel="manifest" href="\/manifest\.webmanifest">/);
  });

  test('the manifest is served as application/manifest+json, with a share target to /save and icons that exist', async () => {
    const answer = await gateway.call('GET', '/manifest.webmanifest');
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type')!, /^application\/manifest\+json/);
    assert.equal(answer.headers.get('cache-control'), 'no-cache');
    const manifest = JSON.parse(answer.text) as {
      name: string;
      start_url: string;
      display: string;
      icons: Array<{ src: string; sizes: string; type: string }>;
      share_target: { action: string; method: string; params: Record<string, string> };
    };
    assert.equal(manifest.name, 'Delinkcious');
    assert.equal(manifest.start_url, '/');
    assert.equal(manifest.display, 'standalone');
    assert.deepEqual(manifest.share_target, { action: '/save', method: 'GET', params: { title: 'title', text: 'description', url: 'url' } });
    const sizes = new Set<string>();
    for (const icon of manifest.icons) {
      const file = await gateway.call('GET', icon.src);
      assert.equal(file.status, 200, icon.src);
      assert.equal(file.headers.get('content-type'), icon.type, icon.src);
      assert.match(file.headers.get('cache-control')!, /immutable/);
      if (icon.type === 'image/png') {
        // The PNG's own header says its size: width and height at bytes 16 and 20.
        const bytes = Buffer.from(await (await fetch(new URL(icon.src, gateway.url))).arrayBuffer());
        assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG');
        assert.equal(`${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}`, icon.sizes);
      }
      sizes.add(icon.sizes);
    }
    assert.ok(sizes.has('192x192') && sizes.has('512x512') && sizes.has('any'), [...sizes].join());
  });

  test('the service worker is served from the root, revalidated, and never lists an API path', async () => {
    const answer = await gateway.call('GET', '/sw.js');
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type')!, /^text\/javascript/);
    assert.equal(answer.headers.get('cache-control'), 'no-cache');
    assert.match(answer.text, /\/manifest\.webmanifest/);
    assert.doesNotMatch(answer.text, /"\/v1|"\/login|"\/feeds/);
    const again = await gateway.call('GET', '/sw.js', { headers: { 'if-none-match': answer.headers.get('etag')! } });
    assert.equal(again.status, 304);
  });
});

describe('coming back after signing in (next)', () => {
  let github: GitHubStandIn;
  let gateway: GatewayHarness;
  const octocat: StandInUser = { login: 'octocat', name: 'The Octocat', email: 'octocat@github.example' };

  before(async () => {
    github = await GitHubStandIn.start();
    gateway = await startGateway({ env: { ...github.env(), DEV_LOGIN: 'true' } });
  });
  after(async () => {
    await gateway.close();
    await github.close();
  });

  async function signInThroughGitHub(next: string | undefined, returnCookie?: string) {
    const begin = await gateway.call('GET', '/login', { query: next === undefined ? {} : { next }, headers: { accept: html } });
    assert.equal(begin.status, 302, begin.text);
    const state = new URL(begin.headers.get('location')!).searchParams.get('state')!;
    const cookies = [`delinkcious_oauth_state=${setCookie(begin, 'delinkcious_oauth_state')!.value}`];
    const kept = setCookie(begin, 'delinkcious_return');
    if (returnCookie !== undefined) cookies.push(`delinkcious_return=${returnCookie}`);
    else if (kept) cookies.push(`delinkcious_return=${kept.value}`);
    const back = await gateway.call('GET', '/login/authorized', { query: { code: github.issueCode(octocat), state }, cookie: cookies.join('; '), headers: { accept: html } });
    return { begin, kept, back };
  }

  test('through GitHub: /login?next= keeps the path in a short-lived cookie, and the callback goes there', async () => {
    const { kept, back } = await signInThroughGitHub(savePath);
    assert.ok(kept, 'the return path is kept');
    assert.match(kept.attributes, /Path=\/login/i);
    assert.match(kept.attributes, /HttpOnly/i);
    assert.match(kept.attributes, /Max-Age=600/i);
    assert.equal(back.status, 302, back.text);
    assert.equal(back.headers.get('location'), savePath);
    assert.ok(setCookie(back, 'delinkcious_session')?.value, 'signed in');
    assert.match(setCookie(back, 'delinkcious_return')?.attributes ?? '', /Expires=Thu, 01 Jan 1970/i, 'the return path serves once');
  });

  test('without next, and with a cookie that names another site, the callback goes to /', async () => {
    assert.equal((await signInThroughGitHub(undefined)).back.headers.get('location'), '/');
    const forged = await signInThroughGitHub(undefined, encodeURIComponent('//evil.example/'));
    assert.equal(forged.back.status, 302);
    assert.equal(forged.back.headers.get('location'), '/');
  });

  test('a sign-in started without next forgets the path of an abandoned one', async () => {
    const begin = await gateway.call('GET', '/login', { headers: { accept: html }, cookie: `delinkcious_return=${encodeURIComponent('/save?url=x')}` });
    assert.equal(begin.status, 302);
    assert.match(setCookie(begin, 'delinkcious_return')?.attributes ?? '', /Expires=Thu, 01 Jan 1970/i);
  });

  test('a next that is not a path on this site is a 400 naming it, before anything is kept', async () => {
    for (const next of offSite) {
      const answer = await gateway.call('GET', '/login', { query: { next }, headers: { accept: 'application/json' } });
      assert.equal(answer.status, 400, next);
      assert.match(answer.body.err, /^next /, next);
      assert.equal(setCookie(answer, 'delinkcious_return'), undefined);
      const dev = await gateway.call('POST', '/login/dev', { form: { username: 'dev-user', next }, headers: { accept: html, origin: gateway.url } });
      assert.equal(dev.status, 400, next);
      assert.equal(setCookie(dev, 'delinkcious_session'), undefined, 'no session for a refused sign-in');
    }
  });

  test('the local sign-in: the form carries next (escaped) and the sign-in goes there', async () => {
    const form = await gateway.call('GET', '/login/dev', { query: { next: savePath }, headers: { accept: html } });
    assert.equal(form.status, 200);
    assert.match(form.text, /<input type="hidden" name="next" value="\/save\?url=https%3A%2F%2Fexample\.com%2Fa%3Fb%3D1&amp;title=A%20%22quoted%22%20%3Ctitle%3E">/);
    const answer = await gateway.call('POST', '/login/dev', { form: { username: 'dev-user', next: savePath }, headers: { accept: html, origin: gateway.url } });
    assert.equal(answer.status, 302, answer.text);
    assert.equal(answer.headers.get('location'), savePath);
    assert.ok(setCookie(answer, 'delinkcious_session')?.value);
  });
});

describe('with only the local sign-in, /login?next= passes next on to its form', () => {
  let gateway: GatewayHarness;
  before(async () => {
    gateway = await startGateway({ env: { DEV_LOGIN: 'true' } });
  });
  after(() => gateway.close());

  test('redirects to /login/dev?next=…', async () => {
    const answer = await gateway.call('GET', '/login', { query: { next: '/save?url=https://x.example/' }, headers: { accept: html } });
    assert.equal(answer.status, 302);
    assert.equal(answer.headers.get('location'), `/login/dev?next=${encodeURIComponent('/save?url=https://x.example/')}`);
  });
});
