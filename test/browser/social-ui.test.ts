/**
 * The social screens of the web UI in headless Chromium (issue 20): the
 * privacy switch and lock badge, the default privacy from Settings applied to
 * the add form, the popular page of what the people you follow saved, and
 * "Save to mine" from the popular list and from the news. Against the whole
 * system as one process; other people act through the API. Screenshots go to
 * test-output/screenshots/ as in web-ui.test.ts.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startEmbedded, type Deployment } from '@delinkcious/testing';
import { call, waitFor } from '../e2e/support/http.ts';
import { chromiumSkip, desktopContext, launchChromium, screenshots, signInLocally, watchedPage } from './support/chromium.ts';

const skip = chromiumSkip();

interface WireLink {
  Url: string;
  Title: string;
  Description: string;
  Tags: Record<string, boolean> | null;
  Private?: boolean;
}

describe('the social screens of the web UI in Chromium', { skip }, () => {
  let deployment: Deployment | undefined;
  let site: Server;
  let siteUrl = '';
  let browser: Browser | undefined;
  let page: Page;
  let alice = '';
  let bob = '';
  let carol = '';
  const problems: string[] = [];
  const tooWide: string[] = [];
  const shoot = async (name: string, options: { fullPage?: boolean } = {}) => {
    tooWide.push(...(await screenshots(page, name, options)));
  };
  const card = (url: string) => page.locator(`.link-card[data-url="${url}"]`);
  const addDialog = () => page.getByRole('dialog', { name: 'Add a link' });
  const privacySwitch = () => addDialog().getByRole('switch', { name: /^Private/ });

  /** Someone's own links, as the API answers them to that person. */
  async function linksOf(token: string): Promise<WireLink[]> {
    const answer = await call(deployment!.baseUrl, 'GET', '/v1/links', { token, query: { limit: '100' } });
    assert.equal(answer.status, 200, answer.text);
    return answer.body.links as WireLink[];
  }

  async function save(token: string, link: { url: string; title: string; description?: string; tags?: string; private?: boolean }): Promise<void> {
    const answer = await call(deployment!.baseUrl, 'POST', '/v1/links', { token, json: link });
    assert.equal(answer.status, 200, answer.text);
  }

  async function follow(token: string, followed: string): Promise<void> {
    const answer = await call(deployment!.baseUrl, 'POST', '/v1/following', { token, json: { followed } });
    assert.equal(answer.status, 200, answer.text);
  }

  before(
    async () => {
      site = createServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html' }).end('<title>test site</title>');
      });
      await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
      siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
      deployment = await startEmbedded({ extraEnv: { LINK_CHECKER_ALLOW_PRIVATE_NETWORKS: 'true' } });
      browser = await launchChromium();
      page = await watchedPage(await desktopContext(browser), problems);
      [bob, carol] = await Promise.all([deployment.signIn('soc-bob'), deployment.signIn('soc-carol')]);
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

  test('sign in with the local sign-in; Popular and Settings are in the navigation', async () => {
    await signInLocally(page, deployment!.baseUrl, 'soc-alice');
    const nav = page.getByRole('navigation', { name: 'Main' });
    assert.deepEqual(await nav.getByRole('link').allInnerTexts(), ['Links', 'News', 'Popular', 'People', 'Import', 'API tokens', 'Settings']);
    alice = await deployment!.signIn('soc-alice');
  });

  test('the privacy switch saves a private link, shown with a lock badge; the edit form turns it public', async () => {
    const secret = `${siteUrl}/secret`;
    await page.getByRole('button', { name: 'Add link' }).click();
    await addDialog().waitFor();
    assert.equal(await privacySwitch().isChecked(), false, 'public by default, as the settings say');
    await addDialog().getByLabel('URL').fill(secret);
    await addDialog().getByLabel('Title').fill('My secret page');
    await privacySwitch().check();
    await shoot('add-private-link', { fullPage: false });
    await addDialog().getByRole('button', { name: 'Save link' }).click();
    await addDialog().waitFor({ state: 'detached' });
    const badge = card(secret).locator('.badge-private');
    await badge.waitFor();
    assert.match(await badge.innerText(), /private/i);
    assert.equal((await linksOf(alice)).find((link) => link.Url === secret)?.Private, true, 'saved private');
    await shoot('links-private');

    await card(secret).getByRole('button', { name: 'Edit My secret page' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit link' });
    const editSwitch = edit.getByRole('switch', { name: /^Private/ });
    assert.equal(await editSwitch.isChecked(), true, 'the edit form shows it private');
    await editSwitch.uncheck();
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.waitFor({ state: 'detached' });
    await badge.waitFor({ state: 'detached' });
    assert.equal((await linksOf(alice)).find((link) => link.Url === secret)?.Private, false, 'public now');
  });

  test('the default privacy from Settings is where the add form’s switch starts', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    const setting = page.getByRole('switch', { name: 'Make new links private' });
    assert.equal(await setting.isChecked(), false);
    await setting.check();
    await page.getByRole('status').filter({ hasText: 'New links are now private' }).waitFor();
    const saved = await call(deployment!.baseUrl, 'GET', '/v1/settings', { token: alice });
    assert.equal(saved.body.default_private, true, 'saved with PUT /v1/settings');
    await shoot('settings');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Links' }).click();
    await page.getByRole('button', { name: 'Add link' }).click();
    assert.equal(await privacySwitch().isChecked(), true, 'starts private, as just set');
    const draft = `${siteUrl}/draft`;
    await addDialog().getByLabel('URL').fill(draft);
    await addDialog().getByLabel('Title').fill('A draft');
    await addDialog().getByRole('button', { name: 'Save link' }).click();
    await card(draft).locator('.badge-private').waitFor();
    assert.equal((await linksOf(alice)).find((link) => link.Url === draft)?.Private, true);

    // Changed elsewhere (another tab, the API): a new page load reads it again.
    assert.equal((await call(deployment!.baseUrl, 'PUT', '/v1/settings', { token: alice, json: { default_private: false } })).status, 200);
    await page.reload();
    await page.getByRole('button', { name: 'Add link' }).click();
    assert.equal(await privacySwitch().isChecked(), false, 'public again after the default changed');
    await page.keyboard.press('Escape');
    await addDialog().waitFor({ state: 'detached' });
  });

  test('Settings shows a new news-feed URL once, to copy; a newer one retires it', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Make a feed URL' }).click();
    const urlField = page.getByRole('textbox', { name: 'Your feed URL' });
    await urlField.waitFor();
    const first = await urlField.inputValue();
    assert.match(first, new RegExp(`^${deployment!.baseUrl}/feeds/news/[^/]+$`));
    const feed = await fetch(first);
    assert.equal(feed.status, 200);
    assert.match(feed.headers.get('content-type') ?? '', /atom/);
    await shoot('settings-feed');

    await page.getByRole('button', { name: 'New feed URL' }).click();
    const confirm = page.getByRole('dialog', { name: 'New feed URL' });
    await confirm.getByRole('button', { name: 'Make a new one' }).click();
    await confirm.waitFor({ state: 'detached' });
    await waitFor(() => urlField.inputValue(), { what: 'a new feed URL', until: (value) => value !== first, intervalMs: 100 });
    assert.equal((await fetch(first)).status, 404, 'the old URL stops working');
    assert.equal((await fetch(await urlField.inputValue())).status, 200);

    await page.reload();
    await page.getByText(/You made a feed URL/).waitFor();
    assert.equal(await urlField.count(), 0, 'the URL is not shown again');
  });

  test('Popular lists what the people you follow saved, with who saved it; private saves never show', async () => {
    const shared = `${siteUrl}/shared`;
    const hidden = `${siteUrl}/hidden`;
    await follow(alice, 'soc-bob');
    await follow(alice, 'soc-carol');
    await save(bob, { url: shared, title: 'Bob’s take on it', description: 'Worth a read.', tags: 'reading,web' });
    await save(carol, { url: shared, title: 'Carol’s take on it' });
    await save(bob, { url: `${siteUrl}/solo`, title: 'Only Bob' });
    await save(bob, { url: hidden, title: 'Bob’s private page', private: true });
    await save(carol, { url: hidden, title: 'Carol’s private page', private: true });

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Popular' }).click();
    await page.getByRole('heading', { name: 'Popular', level: 1 }).waitFor();
    const entries = page.locator('.popular-item');
    await waitFor(() => entries.count(), { what: 'two popular links', until: (n) => n === 2, intervalMs: 200 });
    assert.deepEqual(await entries.evaluateAll((items) => items.map((item) => item.getAttribute('data-url'))), [shared, `${siteUrl}/solo`], 'most savers first');
    const top = page.locator(`.popular-item[data-url="${shared}"]`);
    assert.match(await top.locator('.popular-count').innerText(), /Saved by 2 people you follow/);
    assert.deepEqual(await top.locator('.popular-savers a').allInnerTexts(), ['soc-bob', 'soc-carol']);
    assert.equal(await top.getByRole('link', { name: 'soc-bob' }).getAttribute('href'), '#/u/soc-bob', 'to the profile page');
    assert.equal(await page.locator(`[data-url="${hidden}"]`).count(), 0, 'private saves are not popular');
    assert.doesNotMatch(await page.locator('main').innerText(), /private page/);
    await shoot('popular');

    // Another period: kept in the address.
    await page.getByRole('combobox', { name: 'Saved in' }).selectOption('90');
    await page.waitForURL(/#\/popular\?days=90$/);
    await waitFor(() => entries.count(), { what: 'the 90-day list', until: (n) => n === 2, intervalMs: 200 });
    assert.equal(await page.getByRole('combobox', { name: 'Saved in' }).inputValue(), '90');
  });

  test('Save to mine from Popular: the form starts with the saver’s title, description and tags, editable', async () => {
    const shared = `${siteUrl}/shared`;
    await page.locator(`.popular-item[data-url="${shared}"]`).getByRole('button', { name: /^Save .* to my links$/ }).click();
    await addDialog().waitFor();
    assert.equal(await addDialog().getByLabel('URL').inputValue(), shared);
    assert.equal(await addDialog().getByLabel('Description (optional)').inputValue(), 'Worth a read.', 'soc-bob’s description, the first saver');
    assert.equal(await addDialog().getByLabel('Tags (optional)').inputValue(), 'reading web');
    assert.equal(await privacySwitch().isChecked(), false, 'the default, public');
    await addDialog().getByLabel('Title').fill('My copy of it');
    await shoot('save-to-mine', { fullPage: false });
    await addDialog().getByRole('button', { name: 'Save link' }).click();
    await addDialog().waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'Saved “My copy of it” to your links.' }).waitFor();

    const mine = (await linksOf(alice)).find((link) => link.Url === shared);
    assert.ok(mine, 'a link of my own');
    assert.equal(mine.Title, 'My copy of it');
    assert.equal(mine.Description, 'Worth a read.');
    assert.deepEqual(Object.keys(mine.Tags ?? {}).sort(), ['reading', 'web']);
    assert.equal(mine.Private, false);
    const bobs = (await linksOf(bob)).find((link) => link.Url === shared);
    assert.equal(bobs?.Title, 'Bob’s take on it', 'the original is untouched');
  });

  test('Save to mine from the news copies the link’s description and tags', async () => {
    const fresh = `${siteUrl}/fresh`;
    await save(bob, { url: fresh, title: 'Fresh from Bob', description: 'Just out.', tags: 'new' });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'News' }).click();
    await page.getByRole('heading', { name: 'News', level: 1 }).waitFor();
    const item = page.locator('.news-item', { hasText: 'Fresh from Bob' });
    // The feed is built from events, a moment after the save.
    await waitFor(
      async () => {
        const count = await item.count();
        if (count === 0) {
          await page.getByRole('button', { name: 'Refresh' }).click();
          await page.waitForTimeout(400);
        }
        return count;
      },
      { what: 'bob’s new link in the news', until: (n) => n === 1, timeoutMs: 45_000, intervalMs: 300 },
    );
    assert.equal(await item.getByRole('link', { name: 'soc-bob' }).getAttribute('href'), '#/u/soc-bob');
    assert.equal(await page.locator('.news-item', { hasText: 'private page' }).count(), 0, 'private saves are not news');
    await shoot('news-save-to-mine');
    await item.getByRole('button', { name: 'Save Fresh from Bob to my links' }).click();
    await addDialog().waitFor();
    assert.equal(await addDialog().getByLabel('URL').inputValue(), fresh);
    assert.equal(await addDialog().getByLabel('Title').inputValue(), 'Fresh from Bob');
    assert.equal(await addDialog().getByLabel('Description (optional)').inputValue(), 'Just out.');
    assert.equal(await addDialog().getByLabel('Tags (optional)').inputValue(), 'new');
    await addDialog().getByLabel('Tags (optional)').fill('new mine');
    await addDialog().getByRole('button', { name: 'Save link' }).click();
    await addDialog().waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'Saved “Fresh from Bob” to your links.' }).waitFor();
    const mine = (await linksOf(alice)).find((link) => link.Url === fresh);
    assert.deepEqual(Object.keys(mine?.Tags ?? {}).sort(), ['mine', 'new']);
    assert.equal(mine?.Description, 'Just out.');

    // Saving it again says so by the URL field.
    await item.getByRole('button', { name: 'Save Fresh from Bob to my links' }).click();
    await addDialog().getByRole('button', { name: 'Save link' }).click();
    await addDialog().locator('[data-field="url"] .field-error', { hasText: 'you already saved' }).waitFor();
    await page.keyboard.press('Escape');
  });

  test('no script error, nothing wider than a 360px phone', () => {
    assert.deepEqual(problems, []);
    assert.deepEqual(tooWide, []);
  });
});
