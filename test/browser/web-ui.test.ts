/**
 * The web UI in headless Chromium, against the whole system started as one
 * process (embedded), signing in through a GitHub stand-in and checking links
 * on a site served here (the SSRF guard is lifted for 127.0.0.1). One person's
 * session runs through the screens in order; screenshots of each, at desktop
 * and phone widths, go to test-output/screenshots/.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startEmbedded, type Deployment } from '@delinkcious/testing';
import { withGitHub, type GitHub } from '../e2e/support/github.ts';
import { call, waitFor } from '../e2e/support/http.ts';
import { chromiumSkip, desktop, desktopContext, launchChromium, screenshots, watchedPage } from './support/chromium.ts';

const skip = chromiumSkip();

describe('the web UI in Chromium', { skip }, () => {
  let deployment: (Deployment & { github: GitHub }) | undefined;
  let site: Server;
  let siteUrl = '';
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  /** The API token of the person using the browser, for setting up and checking through the API. */
  let aliceToken = '';
  const problems: string[] = [];
  const foreignRequests: string[] = [];
  const tooWide: string[] = [];
  const shoot = async (name: string, options: { fullPage?: boolean } = {}) => {
    tooWide.push(...(await screenshots(page, name, options)));
  };

  const article = () => `${siteUrl}/article`;
  const gone = () => `${siteUrl}/gone`;
  const card = (url: string) => page.locator(`.link-card[data-url="${url}"]`);
  const view = (hash: string) => page.goto(`${deployment!.baseUrl}/${hash}`);

  before(
    async () => {
      site = createServer((request, response) => {
        response.writeHead(request.url?.startsWith('/gone') ? 404 : 200, { 'content-type': 'text/html' }).end('<title>test site</title>');
      });
      await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
      siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
      deployment = await withGitHub((githubEnv) => startEmbedded({ extraEnv: { ...githubEnv, LINK_CHECKER_ALLOW_PRIVATE_NETWORKS: 'true' } }));
      browser = await launchChromium();
      context = await desktopContext(browser);
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: deployment.baseUrl });
      page = await watchedPage(context, problems);
      const allowed = [new URL(deployment.baseUrl).origin, new URL(deployment.github.oauthUrl).origin];
      page.on('request', (request) => {
        const url = new URL(request.url());
        if (!['http:', 'https:'].includes(url.protocol)) return;
        if (!allowed.includes(url.origin)) foreignRequests.push(request.url());
      });
    },
    { timeout: 150_000 },
  );

  after(
    async () => {
      await browser?.close();
      await deployment?.stop();
      site?.close();
    },
    { timeout: 60_000 },
  );

  test('signing in with GitHub (the stand-in) leads to your links', async () => {
    await view('');
    await page.getByRole('heading', { name: 'Sign in to Delinkcious' }).waitFor();
    assert.ok(await page.getByRole('link', { name: 'Sign in with GitHub' }).isVisible());
    assert.ok(await page.getByRole('textbox', { name: 'Username' }).isVisible(), 'the local sign-in too, with DEV_LOGIN');
    await shoot('sign-in');
    await assertSkipLinkFirst();

    deployment!.github.user = { login: 'ui-alice', name: 'Alice Example', email: 'alice@example.com' };
    await page.getByRole('link', { name: 'Sign in with GitHub' }).click();
    await page.getByRole('heading', { name: 'Your links' }).waitFor();
    assert.equal(new URL(page.url()).origin, deployment!.baseUrl);
    assert.match(await page.locator('.who').innerText(), /ui-alice/);
    assert.equal(deployment!.github.authorizations.length, 1, 'went through GitHub’s authorize page');
    await page.getByText('You have no links yet.').waitFor();
    // The same person, for the API calls this test makes on the side.
    aliceToken = await deployment!.signIn('ui-alice');
  });

  test('add links; their badges go from pending to valid or invalid', async () => {
    await page.getByRole('button', { name: 'Add link' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a link' });
    await dialog.waitFor();
    await dialog.getByLabel('URL').fill(article());
    await dialog.getByLabel('Title').fill('A local article');
    await dialog.getByLabel('Description (optional)').fill('Served by the test, checked by the link checker.');
    await dialog.getByLabel('Tags (optional)').fill('Reading, local');
    await shoot('add-link', { fullPage: false });
    await dialog.getByLabel('Tags (optional)').press('Enter'); // a form submits on Enter
    await dialog.waitFor({ state: 'detached' });
    await card(article()).waitFor();
    assert.deepEqual(await card(article()).locator('.tag').allInnerTexts(), ['local', 'reading']);

    await page.getByRole('button', { name: 'Add link' }).click();
    await dialog.getByLabel('URL').fill(gone());
    await dialog.getByLabel('Title').fill('A page that is gone');
    await dialog.getByLabel('Tags (optional)').fill('broken');
    await dialog.getByRole('button', { name: 'Save link' }).click();
    await card(gone()).waitFor();

    assert.deepEqual(await page.locator('.link-card .link-url').allInnerTexts(), [gone(), article()], 'newest first');
    await card(article()).locator('.badge[data-status="valid"]').waitFor({ timeout: 30_000 });
    await card(gone()).locator('.badge[data-status="invalid"]').waitFor({ timeout: 30_000 });
    assert.match(await card(article()).locator('.badge').innerText(), /valid/i);
    await shoot('links');
  });

  test('a bad URL is refused, and the error shows next to the URL field; Escape closes the dialog', async () => {
    await page.getByRole('button', { name: 'Add link' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a link' });
    await dialog.getByLabel('URL').fill('ftp://example.com/file.txt');
    await dialog.getByLabel('Title').fill('Not for the web');
    await dialog.getByRole('button', { name: 'Save link' }).click();
    const url = dialog.getByLabel('URL');
    const error = dialog.locator('[data-field="url"] .field-error');
    await error.waitFor();
    assert.match(await error.innerText(), /url must be an http or https URL/);
    assert.equal(await url.getAttribute('aria-invalid'), 'true');
    assert.ok((await url.getAttribute('aria-describedby'))?.includes((await error.getAttribute('id'))!), 'the error describes the field');
    assert.equal(await page.evaluate('document.activeElement.name'), 'url', 'the focus is on the field at fault');
    assert.equal(await dialog.locator('[data-field="title"] .field-error').isVisible(), false, 'only the URL is blamed');
    await shoot('add-link-error', { fullPage: false });

    // A duplicate is also the URL's fault.
    await url.fill(article());
    await dialog.getByRole('button', { name: 'Save link' }).click();
    await dialog.locator('[data-field="url"] .field-error', { hasText: 'you already saved' }).waitFor();

    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await page.locator('.link-card').count(), 2, 'nothing was added');
  });

  test('edit a link’s title, description, URL and tags', async () => {
    await card(article()).getByRole('button', { name: 'Edit A local article' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit link' });
    await dialog.waitFor();
    assert.equal(await dialog.getByLabel('URL').inputValue(), article());
    assert.equal(await dialog.getByLabel('Tags (optional)').inputValue(), 'local reading');
    await dialog.getByLabel('Title').fill('The local article');
    await dialog.getByLabel('Tags (optional)').fill('reading favourite');
    await shoot('edit-link', { fullPage: false });
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'detached' });
    await card(article()).getByRole('link', { name: 'The local article' }).waitFor();
    assert.deepEqual(await card(article()).locator('.tag').allInnerTexts(), ['favourite', 'reading']);

    const saved = await call(deployment!.baseUrl, 'GET', '/v1/links', { token: aliceToken, query: { tag: 'favourite' } });
    assert.deepEqual(saved.body.links.map((link: { Url: string }) => link.Url), [article()]);
    assert.deepEqual(Object.keys(saved.body.links[0].Tags).sort(), ['favourite', 'reading']);

    // A new URL: checked again, pending first, then valid.
    await card(article()).getByRole('button', { name: 'Edit The local article' }).click();
    await dialog.getByLabel('URL').fill(`${siteUrl}/article-moved`);
    await dialog.getByLabel('URL').press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await card(`${siteUrl}/article-moved`).locator('.badge[data-status="valid"]').waitFor({ timeout: 30_000 });
    await card(`${siteUrl}/article-moved`).getByRole('button', { name: 'Edit The local article' }).click();
    await dialog.getByLabel('URL').fill(article());
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await card(article()).locator('.badge[data-status="valid"]').waitFor({ timeout: 30_000 });
  });

  test('filter by tag and by search; a malformed search is explained under the box', async () => {
    await card(article()).getByRole('button', { name: 'Show links tagged favourite' }).click();
    await page.waitForURL(/#\/links\?tag=favourite$/);
    await cards(1);
    assert.equal(await page.getByRole('searchbox', { name: 'Search' }).inputValue(), '');
    assert.equal(await page.locator('.tag-sidebar li[data-tag="favourite"] .tag-filter').getAttribute('aria-pressed'), 'true');
    assert.match(await page.locator('.summary').innerText(), /1 link tagged “favourite”/);
    await shoot('links-filtered');

    await page.getByRole('button', { name: 'Clear filter' }).first().click();
    await cards(2);

    // The query language (issue 16); the regex filters stay in the API only.
    const search = page.getByRole('searchbox', { name: 'Search' });
    await search.fill(`site:127.0.0.1 gone`);
    await search.press('Enter');
    await page.waitForURL(/q=site%3A127\.0\.0\.1\+gone/);
    await cards(1);
    assert.equal(await page.locator('.link-card').getAttribute('data-url'), gone());

    await search.fill('LOCAL');
    await search.press('Enter');
    await onlyCard(article());

    await search.fill('"unclosed');
    await search.press('Enter');
    const error = page.locator('.search-box [data-field="q"] .field-error');
    await error.waitFor();
    assert.match(await error.innerText(), /unclosed quote at character 1/);
    assert.equal(await search.getAttribute('aria-invalid'), 'true');

    // Back to the previous search with the browser's Back button.
    await page.goBack();
    await onlyCard(article());
    assert.equal(await search.inputValue(), 'LOCAL');
    await view('#/links');
    await cards(2);
  });

  test('delete a link after confirming', async () => {
    await card(gone()).getByRole('button', { name: 'Delete A page that is gone' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete link' });
    await dialog.waitFor();
    await shoot('delete-link', { fullPage: false });
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await dialog.waitFor({ state: 'detached' });
    await card(gone()).waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'Deleted “A page that is gone”' }).waitFor();
    const left = await call(deployment!.baseUrl, 'GET', '/v1/links', { token: aliceToken });
    assert.deepEqual(left.body.links.map((link: { Url: string }) => link.Url), [article()]);
  });

  test('pages of links: “More links” carries on with next_page_token', async () => {
    for (let i = 1; i <= 21; i++) {
      const added = await call(deployment!.baseUrl, 'POST', '/v1/links', { token: aliceToken, json: { url: `${siteUrl}/bulk/${i}`, title: `Bulk ${i}`, tags: 'bulk' } });
      assert.equal(added.status, 200, added.text);
    }
    await page.reload(); // the list was loaded before these links were added
    await cards(20);
    await page.getByRole('button', { name: 'More links' }).click();
    await cards(22);
    assert.equal(await page.getByRole('button', { name: 'More links' }).isVisible(), false, 'the last page');
    const order = await page.locator('.link-card .link-title').allInnerTexts();
    assert.equal(order[0], 'Bulk 21');
    assert.equal(order.at(-1), 'The local article');
    for (let i = 1; i <= 21; i++) {
      assert.equal((await call(deployment!.baseUrl, 'DELETE', '/v1/links', { token: aliceToken, query: { url: `${siteUrl}/bulk/${i}` } })).status, 200);
    }
  });

  test('follow someone, see who follows you, and read their news', async () => {
    const bob = await deployment!.signIn('ui-bob');
    assert.equal((await call(deployment!.baseUrl, 'POST', '/v1/following', { token: bob, json: { followed: 'ui-alice' } })).status, 200);

    await page.getByRole('link', { name: 'People' }).click();
    await page.getByRole('heading', { name: 'People', level: 1 }).waitFor();
    const followers = page.getByRole('list', { name: /Followers/ });
    await followers.getByText('ui-bob').waitFor();

    const username = page.getByRole('textbox', { name: 'Username' });
    await username.fill('ui-alice');
    await username.press('Enter');
    await page.locator('[data-field="followed"] .field-error', { hasText: 'cannot follow themselves' }).waitFor();

    await username.fill('ui-bob');
    await username.press('Enter');
    const following = page.getByRole('list', { name: /Following/ });
    await following.getByText('ui-bob').waitFor();
    assert.match(await page.getByRole('heading', { name: /Following/ }).innerText(), /Following \(1\)/);
    await followers.getByText('you follow them').waitFor();
    await shoot('following');

    const bobsPick = `${siteUrl}/bobs-pick`;
    assert.equal((await call(deployment!.baseUrl, 'POST', '/v1/links', { token: bob, json: { url: bobsPick, title: 'Bob’s pick', tags: 'news' } })).status, 200);

    const changed = await call(deployment!.baseUrl, 'PUT', '/v1/links', { token: bob, json: { url: bobsPick, title: 'Bob’s best pick' } });
    assert.equal(changed.status, 200, changed.text);

    await page.getByRole('link', { name: 'News' }).click();
    await page.getByRole('heading', { name: 'News', level: 1 }).waitFor();
    // The feed is built from events, a moment after the change: refresh until both show.
    const items = page.locator('.news-item', { hasText: 'ui-bob' }).filter({ hasText: /pick/ });
    const shown = await waitFor(
      async () => {
        if ((await items.count()) < 2) {
          await page.getByRole('button', { name: 'Refresh' }).click();
          await page.waitForTimeout(500);
        }
        return items.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-event')));
      },
      { what: 'bob’s link and its change in the news', until: (events) => events.length === 2, timeoutMs: 45_000, intervalMs: 500 },
    );
    assert.deepEqual(shown, ['LINK_UPDATED', 'LINK_ADDED'], 'bob’s new link and its change are in the news, newest first');
    await shoot('news');

    // Unfollow from the list.
    await page.getByRole('link', { name: 'People' }).click();
    await page.getByRole('button', { name: 'Unfollow ui-bob' }).click();
    await page.getByText('You follow nobody yet.').waitFor();
    assert.deepEqual((await call(deployment!.baseUrl, 'GET', '/v1/following', { token: aliceToken })).body.following, {});
  });

  test('create an API token: its secret shown once, copied, working; then revoke it', async () => {
    await page.getByRole('link', { name: 'API tokens' }).click();
    await page.getByRole('heading', { name: 'API tokens', level: 1 }).waitFor();
    const name = page.getByRole('textbox', { name: 'What is it for?' });
    await name.fill('ci script');
    await name.press('Enter');
    const secretField = page.getByRole('textbox', { name: 'The new token' });
    await secretField.waitFor();
    const secret = await secretField.inputValue();
    assert.ok(secret.length >= 20, 'a real secret');
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    // The mark beside the button, and the announcement in the status toast (which also says "copied").
    await page.getByText('Copied', { exact: true }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Token copied to the clipboard.' }).waitFor();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), secret);
    await page.locator('.token', { hasText: 'ci script' }).waitFor();
    await shoot('tokens');

    assert.equal((await call(deployment!.baseUrl, 'GET', '/v1/links', { token: secret })).status, 200, 'the secret works');
    await page.getByRole('button', { name: 'Done' }).click();
    assert.equal(await secretField.count(), 0, 'the secret is not shown again');

    await page.getByRole('button', { name: 'Revoke ci script' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke token' });
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('You have no API tokens.').waitFor();
    assert.equal((await call(deployment!.baseUrl, 'GET', '/v1/links', { token: secret })).status, 401, 'revoked');
  });

  test('a read-only API token: picked on the token screen, shown as such, refused writes', async () => {
    await page.getByRole('textbox', { name: 'What is it for?' }).fill('dashboard');
    await page.getByRole('combobox', { name: 'What may it do?' }).selectOption('read');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secretField = page.getByRole('textbox', { name: 'The new token' });
    await secretField.waitFor();
    const secret = await secretField.inputValue();
    await page.locator('.token', { hasText: 'dashboard' }).getByText('Read only').waitFor();
    assert.equal((await call(deployment!.baseUrl, 'GET', '/v1/links', { token: secret })).status, 200, 'it reads');
    const write = await call(deployment!.baseUrl, 'POST', '/v1/links', { token: secret, json: { url: `${siteUrl}/read-only`, title: 'R' } });
    assert.deepEqual([write.status, write.body], [403, { err: 'this token is read-only' }]);
    await page.getByRole('button', { name: 'Done' }).click();
  });

  test('the local sign-in form, in a second browser: its error by the field, then in', async () => {
    const other = await browser!.newContext({ viewport: desktop });
    try {
      const second = await other.newPage();
      await second.goto(deployment!.baseUrl);
      const username = second.getByRole('textbox', { name: 'Username' });
      await username.fill('under_score');
      await username.press('Enter');
      const error = second.locator('[data-field="username"] .field-error');
      await error.waitFor();
      assert.match(await error.innerText(), /^username may only contain letters, digits and single hyphens/);
      await username.fill('ui-carol');
      await username.press('Enter');
      await second.getByRole('heading', { name: 'Your links' }).waitFor();
      assert.match(await second.locator('.who').innerText(), /ui-carol/);
      await second.getByText('You have no links yet.').waitFor();
    } finally {
      await other.close();
    }
  });

  test('keyboard: the skip link, focus on a new screen, Escape closes dialogs', async () => {
    await view('#/links');
    await page.reload();
    await page.getByRole('heading', { name: 'Your links' }).waitFor();
    await assertSkipLinkFirst();
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate('document.activeElement.id'), 'main');

    await page.getByRole('link', { name: 'News' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/news$/);
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'News', 'the new screen’s heading has the focus');

    await view('#/links');
    await page.getByRole('button', { name: 'Add link' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Add a link' });
    await dialog.waitFor();
    assert.equal(await page.evaluate('document.activeElement.name'), 'url', 'the first field has the focus');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate('document.activeElement.textContent'), '+ Add link', 'the focus is back on the button that opened it');
  });

  test('sign out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Delinkcious' }).waitFor();
    await page.getByText('You are signed out.').first().waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to Delinkcious' }).waitFor();
    assert.equal(await page.evaluate('fetch("/v1/session").then((answer) => answer.status)'), 401);
  });

  test('no script error, no CSP violation, no request to another site, nothing wider than a 360px phone', () => {
    assert.deepEqual(problems, []);
    assert.deepEqual(foreignRequests, []);
    assert.deepEqual(tooWide, []);
  });

  /** Waits until the list shows `count` links. */
  async function cards(count: number): Promise<void> {
    await waitFor(() => page.locator('.link-card').count(), { what: `${count} links shown`, until: (n) => n === count, intervalMs: 200 });
  }

  /** Waits until the list shows this one link only. */
  async function onlyCard(url: string): Promise<void> {
    await waitFor(() => page.locator('.link-card .link-url').allInnerTexts(), {
      what: `${url} as the only link shown`,
      until: (urls) => urls.length === 1 && urls[0] === url,
      intervalMs: 200,
    });
  }

  async function assertSkipLinkFirst(): Promise<void> {
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Skip to content');
    assert.ok(await page.getByRole('link', { name: 'Skip to content' }).isVisible(), 'visible once focused');
  }
});
