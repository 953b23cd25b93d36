/**
 * Quick save and link health in headless Chromium (issue 17), against the
 * whole system started as one process (embedded), a GitHub stand-in, a local
 * site (the SSRF guard lifted for 127.0.0.1) and a local stand-in of the
 * Wayback Machine's availability API: /save pre-filled and saving, signed out
 * (through GitHub, and through the local sign-in, back to the same /save),
 * an already-saved URL opened for editing, a share with the URL only in its
 * text, the bookmarklet run on a page of the local site, the installable
 * app's manifest, icons and service worker, and a dead link's reason, date
 * and archived copy with "Check now".
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startEmbedded, type Deployment } from '@delinkcious/testing';
import { withGitHub, type GitHub } from '../e2e/support/github.ts';
import { call, waitFor } from '../e2e/support/http.ts';
import { chromiumSkip, desktopContext, launchChromium, screenshots, watchedPage } from './support/chromium.ts';

const skip = chromiumSkip();

interface WireLink {
  Url: string;
  Title: string;
  Description: string;
  Status: string;
  Tags: Record<string, boolean> | null;
  CheckedAt?: string | null;
  HttpStatus?: number;
  CheckError?: string;
  InvalidSince?: string | null;
  ArchiveUrl?: string;
}

describe('quick save and link health in Chromium', { skip }, () => {
  let deployment: (Deployment & { github: GitHub }) | undefined;
  let site: Server;
  let siteUrl = '';
  let wayback: Server;
  let waybackUrl = '';
  const waybackAsked: string[] = [];
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  let token = '';
  const problems: string[] = [];
  const tooWide: string[] = [];
  const shoot = async (target: Page, name: string) => {
    tooWide.push(...(await screenshots(target, name)));
  };
  const base = () => deployment!.baseUrl;
  /** The links screen, loaded afresh (a goto that only changes the hash would keep the list already shown). */
  const openLinks = async () => {
    await page.goto(`${base()}/#/links`);
    await page.reload();
  };
  const saveUrl = (query: Record<string, string>) => `${base()}/save?${new URLSearchParams(query).toString()}`;
  const linkOf = async (url: string): Promise<WireLink | undefined> => {
    const answer = await call(base(), 'GET', '/v1/links', { token, query: { url_regex: `^${url.replace(/[.?*+^$()[\]{}|\\]/g, '\\$&')}$` } });
    assert.equal(answer.status, 200, answer.text);
    return (answer.body.links as WireLink[]).find((link) => link.Url === url);
  };

  before(
    async () => {
      site = createServer((request, response) => {
        const path = request.url ?? '/';
        if (path.startsWith('/gone')) return void response.writeHead(404, { 'content-type': 'text/html' }).end('<title>gone</title>');
        const titles: Record<string, string> = { '/article': 'A local article', '/bookmarked': 'Bookmarked page', '/shared': 'Shared page', '/untitled': 'The page’s own title' };
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><title>${titles[path] ?? 'test site'}</title><p>Hello from ${path}</p>`);
      });
      await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
      siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
      wayback = createServer((request, response) => {
        const asked = new URL(request.url ?? '/', 'http://wayback').searchParams.get('url') ?? '';
        waybackAsked.push(asked);
        const closest = { available: true, url: `http://web.archive.example/web/20250303000000/${asked}`, timestamp: '20250303000000', status: '200' };
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: asked, archived_snapshots: { closest } }));
      });
      await new Promise<void>((resolve) => wayback.listen(0, '127.0.0.1', resolve));
      waybackUrl = `http://127.0.0.1:${(wayback.address() as AddressInfo).port}/wayback/available`;
      deployment = await withGitHub((githubEnv) =>
        startEmbedded({ extraEnv: { ...githubEnv, LINK_CHECKER_ALLOW_PRIVATE_NETWORKS: 'true', WAYBACK_API_URL: waybackUrl } }),
      );
      browser = await launchChromium();
      context = await desktopContext(browser);
      page = await watchedPage(context, problems);
    },
    { timeout: 150_000 },
  );

  after(
    async () => {
      await browser?.close();
      await deployment?.stop();
      site?.close();
      wayback?.close();
    },
    { timeout: 60_000 },
  );

  test('signed out, /save signs in with GitHub first and comes back to the same /save, pre-filled; saving says so', async () => {
    const opened = saveUrl({ url: `${siteUrl}/article`, title: 'A local article', description: 'Chosen words & more' });
    await page.goto(opened);
    await page.getByRole('heading', { name: 'Sign in to Delinkcious' }).waitFor();
    await page.getByText('Sign in to save this link').first().waitFor();
    deployment!.github.user = { login: 'qs-alice', name: 'Alice', email: 'alice@example.com' };
    await page.getByRole('link', { name: 'Sign in with GitHub' }).click();
    await page.getByRole('heading', { name: 'Save a link' }).waitFor();
    assert.equal(page.url(), opened, 'back at the very same /save');
    assert.equal(await page.getByLabel('URL').inputValue(), `${siteUrl}/article`);
    assert.equal(await page.getByLabel('Title (optional)').inputValue(), 'A local article');
    assert.equal(await page.getByLabel('Description (optional)').inputValue(), 'Chosen words & more');
    token = await deployment!.signIn('qs-alice');
    await page.getByLabel('Tags (optional)').fill('reading Local');
    await shoot(page, 'quick-save');
    await page.getByRole('button', { name: 'Save link' }).click();
    await page.getByRole('heading', { name: 'Saved' }).waitFor();
    assert.match(await page.locator('.saved-line').innerText(), /Saved: A local article/);
    assert.equal(await page.getByRole('link', { name: 'Open your links' }).getAttribute('href'), '/#/links');
    await shoot(page, 'quick-save-saved');
    const saved = await linkOf(`${siteUrl}/article`);
    assert.ok(saved, 'the link is saved');
    assert.equal(saved.Title, 'A local article');
    assert.equal(saved.Description, 'Chosen words & more');
    assert.deepEqual(Object.keys(saved.Tags ?? {}).sort(), ['local', 'reading']);
  });

  test('a URL already saved opens that link for editing', async () => {
    await page.goto(saveUrl({ url: `${siteUrl}/article`, title: 'Another title from the page' }));
    await page.getByRole('heading', { name: 'Edit your saved link' }).waitFor();
    await page.getByText('You already saved this link').waitFor();
    assert.equal(await page.getByLabel('Title (optional)').inputValue(), 'A local article', 'what you wrote, not the page’s');
    assert.equal(await page.getByLabel('Tags (optional)').inputValue(), 'local reading');
    await page.getByLabel('Tags (optional)').fill('local reading again');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'Saved changes' }).waitFor();
    assert.deepEqual(Object.keys((await linkOf(`${siteUrl}/article`))?.Tags ?? {}).sort(), ['again', 'local', 'reading']);
  });

  test('/save on its own: a URL typed in that you already have turns the form into editing it', async () => {
    await page.goto(`${base()}/save`);
    await page.getByRole('heading', { name: 'Save a link' }).waitFor();
    assert.equal(await page.getByLabel('URL').inputValue(), '');
    await page.getByLabel('URL').fill(`${siteUrl}/article`);
    await page.getByRole('button', { name: 'Save link' }).click();
    await page.getByRole('heading', { name: 'Edit your saved link' }).waitFor();
    assert.equal(await page.getByLabel('Title (optional)').inputValue(), 'A local article');
  });

  test('without a title: saved all the same, and the page’s own title arrives', async () => {
    const url = `${siteUrl}/untitled`;
    await page.goto(saveUrl({ url }));
    await page.getByRole('heading', { name: 'Save a link' }).waitFor();
    assert.equal(await page.getByLabel('Title (optional)').inputValue(), '');
    await page.getByRole('button', { name: 'Save link' }).click();
    await page.getByRole('heading', { name: 'Saved' }).waitFor();
    assert.match(await page.locator('.saved-line').innerText(), new RegExp(`Saved: ${url.replace(/[.?]/g, '\\$&')}`), 'the URL stands in for the title');
    await waitFor(async () => (await linkOf(url))?.Title === 'The page’s own title', { timeoutMs: 30_000, what: 'the page’s title filled in by the check' });
  });

  test('a share with the URL only in its text (as Android sends it) saves that URL', async () => {
    await page.goto(saveUrl({ title: 'Shared page', description: `Worth a read: ${siteUrl}/shared` }));
    await page.getByRole('heading', { name: 'Save a link' }).waitFor();
    assert.equal(await page.getByLabel('URL').inputValue(), `${siteUrl}/shared`);
    assert.equal(await page.getByLabel('Title (optional)').inputValue(), 'Shared page');
    assert.equal(await page.getByLabel('Description (optional)').inputValue(), 'Worth a read:');
    await page.getByRole('button', { name: 'Save link' }).click();
    await page.getByRole('heading', { name: 'Saved' }).waitFor();
    assert.equal((await linkOf(`${siteUrl}/shared`))?.Title, 'Shared page');
  });

  test('a URL that is not http(s) is refused on the URL field, shown as text, never run', async () => {
    await page.goto(saveUrl({ url: 'javascript:alert(document.cookie)', title: '<img src=x onerror=alert(1)>' }));
    await page.getByRole('heading', { name: 'Save a link' }).waitFor();
    assert.equal(await page.getByLabel('Title (optional)').inputValue(), '<img src=x onerror=alert(1)>');
    await page.getByRole('button', { name: 'Save link' }).click();
    const error = page.locator('[data-field="url"] .field-error');
    await error.waitFor();
    assert.match(await error.innerText(), /url must be an http or https URL/);
    assert.equal(await page.locator('img').count(), 0);
  });

  test('the bookmarklet (from Settings) opens /save with the page’s URL and title in a popup, which closes itself after saving', async () => {
    await page.goto(`${base()}/#/settings`);
    const bookmarklet = page.getByRole('link', { name: 'Save to Delinkcious' });
    await bookmarklet.waitFor();
    const href = (await bookmarklet.getAttribute('href'))!;
    assert.match(href, /^javascript:/);
    await shoot(page, 'settings-quick-save');

    const article = await context.newPage();
    await article.goto(`${siteUrl}/bookmarked`);
    // (Page scripts as text: this suite's TypeScript has no DOM types.)
    await article.evaluate(`(() => {
      const range = document.createRange();
      range.selectNodeContents(document.querySelector('p'));
      getSelection().addRange(range);
    })()`);
    const popupOpened = context.waitForEvent('page');
    // What the browser does with a bookmarked javascript: URL: runs it, percent-decoded, on the page shown.
    await article.evaluate(decodeURIComponent(href.slice('javascript:'.length)));
    const popup = await popupOpened;
    popup.on('pageerror', (error) => problems.push(`popup: ${error.message}`));
    await popup.waitForLoadState();
    const opened = new URL(popup.url());
    assert.equal(`${opened.origin}${opened.pathname}`, `${base()}/save`);
    assert.equal(opened.searchParams.get('url'), `${siteUrl}/bookmarked`);
    assert.equal(opened.searchParams.get('title'), 'Bookmarked page');
    assert.equal(opened.searchParams.get('description'), 'Hello from /bookmarked');
    assert.equal(opened.searchParams.get('popup'), '1');
    await popup.getByRole('heading', { name: 'Save a link' }).waitFor();
    assert.equal(await popup.getByLabel('Title (optional)').inputValue(), 'Bookmarked page');
    const closed = popup.waitForEvent('close', { timeout: 10_000 });
    await popup.getByRole('button', { name: 'Save link' }).click();
    await popup.getByRole('heading', { name: 'Saved' }).waitFor();
    await closed;
    assert.equal((await linkOf(`${siteUrl}/bookmarked`))?.Description, 'Hello from /bookmarked');
    await article.close();
  });

  test('the local sign-in also comes back to /save', async () => {
    const other = await desktopContext(browser!);
    try {
      const visitor = await watchedPage(other, problems);
      const opened = saveUrl({ url: `${siteUrl}/article`, title: 'From Bob' });
      await visitor.goto(opened);
      await visitor.getByRole('textbox', { name: 'Username' }).fill('qs-bob');
      await visitor.getByRole('textbox', { name: 'Username' }).press('Enter');
      await visitor.getByRole('heading', { name: 'Save a link' }).waitFor();
      assert.equal(visitor.url(), opened);
      assert.equal(await visitor.getByLabel('Title (optional)').inputValue(), 'From Bob', 'Bob has not saved it: a new link for him');
    } finally {
      await other.close();
    }
  });

  test('the app is installable: a manifest with a share target and icons that load, and a service worker', async () => {
    await page.goto(`${base()}/`);
    await page.getByRole('heading', { name: 'Your links' }).waitFor();
    const manifest = (await page.evaluate(`(async () => {
      const answer = await fetch(document.querySelector('link[rel="manifest"]').href);
      return { type: answer.headers.get('content-type'), body: await answer.json() };
    })()`)) as { type: string; body: { display: string; share_target: { action: string; params: Record<string, string> }; icons: Array<{ src: string; sizes: string }> } };
    assert.match(manifest.type, /^application\/manifest\+json/);
    assert.equal(manifest.body.display, 'standalone');
    assert.equal(manifest.body.share_target.action, '/save');
    assert.deepEqual(manifest.body.share_target.params, { title: 'title', text: 'description', url: 'url' });
    for (const icon of manifest.body.icons.filter((candidate) => candidate.sizes !== 'any')) {
      const size = await page.evaluate(`new Promise((resolve, reject) => {
        const image = new Image();
        image.onload = () => resolve(image.naturalWidth + 'x' + image.naturalHeight);
        image.onerror = () => reject(new Error('the icon did not load'));
        image.src = ${JSON.stringify(icon.src)};
      })`);
      assert.equal(size, icon.sizes);
    }
    const scope = await page.evaluate('navigator.serviceWorker.ready.then((registration) => registration.scope)');
    assert.equal(scope, `${base()}/`);
    // The worker never answers the API: a link list still comes from the service, not a cache.
    const cached = (await page.evaluate(`(async () => {
      const urls = [];
      for (const name of await caches.keys()) for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
      return urls;
    })()`)) as string[];
    assert.ok(cached.includes('/'), `the shell is kept: ${cached.join(', ')}`);
    assert.ok(!cached.some((path) => path.startsWith('/v1') || path.startsWith('/login')), `no API answer kept: ${cached.join(', ')}`);
  });

  test('a dead link says why and since when, offers the archived copy, and can be checked again', async () => {
    const url = `${siteUrl}/gone/page`;
    const added = await call(base(), 'POST', '/v1/links', { token, json: { url, title: 'A page that is gone' } });
    assert.equal(added.status, 200, added.text);
    await waitFor(async () => Boolean((await linkOf(url))?.ArchiveUrl), { timeoutMs: 45_000, what: 'the dead link’s archived copy' });
    assert.ok(waybackAsked.includes(url), 'the availability stand-in was asked about the link');

    await openLinks();
    const card = page.locator(`.link-card[data-url="${url}"]`);
    await card.waitFor();
    const health = card.locator('.link-health');
    await health.waitFor();
    assert.equal(await health.getAttribute('data-health'), 'failing');
    assert.match(await health.locator('.health-text').innerText(), /^404 Not Found since \S/);
    const archived = card.getByRole('link', { name: `Archived copy of A page that is gone` });
    assert.equal(await archived.getAttribute('href'), `http://web.archive.example/web/20250303000000/${url}`);
    assert.equal(await archived.getAttribute('rel'), 'noopener noreferrer');
    await shoot(page, 'link-health');

    // A valid link says when it was checked.
    const article = page.locator(`.link-card[data-url="${siteUrl}/article"] .link-health`);
    assert.match(await article.innerText(), /checked (just now|\d+ min ago)/);

    await card.getByRole('button', { name: 'Check A page that is gone now' }).click();
    // Answered (the same reason) or, checked too often, a polite word: never a failure.
    // (Waited for from here: the page's CSP allows no string to be evaluated in it.)
    await waitFor(async () => (await card.locator('.check-now[aria-disabled]').count()) === 0, { timeoutMs: 15_000, what: 'the check to be answered' });
    const note = card.locator('.health-note');
    if (await note.isVisible()) assert.equal(await note.getAttribute('data-kind'), 'wait', await note.innerText());
    else assert.match(await card.locator('.link-health .health-text').innerText(), /^404 Not Found since /);
  });

  test('health lines for every kind of last check, and a 429 on "Check now" said politely (the API stood in by the browser)', async () => {
    const now = Date.now();
    const year = new Date(now).getUTCFullYear();
    const hoursAgo = (hours: number) => new Date(now - hours * 3_600_000).toISOString();
    const link = (fields: Partial<WireLink> & { Url: string }) => ({
      Title: '',
      Description: '',
      Status: 'valid',
      Tags: {},
      CreatedAt: hoursAgo(100),
      UpdatedAt: hoursAgo(100),
      CheckedAt: null,
      HttpStatus: 0,
      CheckError: '',
      InvalidSince: null,
      ArchiveUrl: '',
      ...fields,
    });
    const slow = link({ Url: 'https://slow.example/', Title: 'Slow site', Status: 'invalid', CheckError: 'timeout', CheckedAt: hoursAgo(2), InvalidSince: `${year}-03-03T10:00:00Z`, ArchiveUrl: 'https://web.archive.org/web/2025/https://slow.example/' });
    const page500 = link({ Url: 'https://old.example/', Status: 'invalid', HttpStatus: 500, CheckedAt: hoursAgo(30), InvalidSince: '2024-11-05T08:00:00Z', ArchiveUrl: 'javascript:alert(1)' });
    const fine = link({ Url: 'https://fine.example/', Title: 'Fine site', CheckedAt: hoursAgo(2) });
    const unchecked = link({ Url: 'https://new.example/', Title: 'New site', Status: 'pending' });
    let slowNow = slow;
    let recheck: { status: number; body: unknown } = { status: 429, body: { err: 'too many requests; try again in 1 minute' } };
    await page.route(
      (url) => url.pathname === '/v1/links',
      // The list answers what the server holds now: the page polls it while a link is pending.
      (route) => (route.request().method() === 'GET' ? route.fulfill({ json: { err: '', links: [slowNow, page500, fine, unchecked], next_page_token: '' } }) : route.fallback()),
    );
    await page.route('**/v1/links/recheck', (route) => route.fulfill({ status: recheck.status, json: recheck.body, headers: recheck.status === 429 ? { 'retry-after': '60' } : {} }));
    try {
      await openLinks();
      const line = (url: string) => page.locator(`.link-card[data-url="${url}"] .link-health`);
      await line(slow.Url).waitFor();
      assert.equal(await line(slow.Url).locator('.health-text').innerText(), 'timeout since 3 Mar · checked 2 h ago');
      assert.equal(await line(slow.Url).getByRole('link', { name: 'Archived copy of Slow site' }).getAttribute('href'), slow.ArchiveUrl);
      assert.equal(await line(page500.Url).locator('.health-text').innerText(), 'HTTP 500 since 5 Nov 2024 · checked 30 h ago');
      assert.equal(await line(page500.Url).locator('.archive-link').count(), 0, 'only an http(s) archive URL is a link');
      assert.equal(await page.locator(`.link-card[data-url="${page500.Url}"] .link-title`).innerText(), page500.Url, 'no title: the URL stands in');
      assert.equal(await line(fine.Url).locator('.health-text').innerText(), 'checked 2 h ago');
      assert.equal(await line(fine.Url).getAttribute('data-health'), 'ok');
      assert.equal(await line(unchecked.Url).locator('.health-text').innerText(), 'not checked yet');

      await line(slow.Url).getByRole('button', { name: 'Check Slow site now' }).click();
      const note = line(slow.Url).locator('.health-note');
      await note.waitFor();
      assert.equal(await note.innerText(), 'Checked often enough for now: too many requests; try again in 1 minute.');
      assert.equal(await note.getAttribute('data-kind'), 'wait');
      await shoot(page, 'link-health-kinds');

      slowNow = { ...slow, Status: 'valid', CheckError: '', InvalidSince: null, HttpStatus: 200, CheckedAt: new Date().toISOString() };
      recheck = { status: 200, body: { err: '', link: slowNow } };
      await line(slow.Url).getByRole('button', { name: 'Check Slow site now' }).click();
      await page.locator(`.link-card[data-url="${slow.Url}"] .link-health[data-health="ok"]`).waitFor();
      assert.equal(await line(slow.Url).locator('.health-text').innerText(), 'checked just now');
      assert.equal(await page.locator(`.link-card[data-url="${slow.Url}"] .badge[data-status]`).getAttribute('data-status'), 'valid', 'the card follows');
    } finally {
      await page.unrouteAll({ behavior: 'ignoreErrors' });
    }
  });

  test('the Broken links tab lists only the failing links', async () => {
    await openLinks();
    // The full list shows the broken link too: a working one leaving it tells the filtered list is in.
    const working = page.locator(`.link-card[data-url="${siteUrl}/article"]`);
    await working.waitFor();
    await page.getByRole('link', { name: 'Broken links' }).click();
    await working.waitFor({ state: 'detached' });
    await page.locator(`.link-card[data-url="${siteUrl}/gone/page"]`).waitFor();
    assert.deepEqual(await page.locator('.link-card').evaluateAll((cards) => cards.map((card) => card.getAttribute('data-url'))), [`${siteUrl}/gone/page`]);
    assert.equal(await page.getByRole('link', { name: 'Broken links' }).getAttribute('aria-current'), 'page');
  });

  test('no script errors, nothing too wide at 360px', () => {
    assert.deepEqual(problems, []);
    assert.deepEqual(tooWide, []);
  });
});
