/**
 * Profiles and people search in the web UI, in headless Chromium (issue 20):
 * finding someone on the People screen, their profile page (#/u/{username})
 * with its counts, follow button, Atom feed link (and `<link rel="alternate">`
 * in the head), public links only, paged and filtered by tag; reaching it from
 * a news item; an unknown username; and the news-feed URL of Settings, read by
 * a feed parser. Against the whole system as one process; other people act
 * through the API. Screenshots go to test-output/screenshots/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseFeed } from '@rowanmanning/feed-parser';
import type { Browser, Page } from 'playwright-core';
import { startEmbedded, type Deployment } from '@delinkcious/testing';
import { call, waitFor } from '../e2e/support/http.ts';
import { chromiumSkip, desktopContext, launchChromium, screenshots, signInLocally, watchedPage } from './support/chromium.ts';

const skip = chromiumSkip();

describe('profiles and people search in the web UI in Chromium', { skip }, () => {
  let deployment: Deployment | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let bob = '';
  const problems: string[] = [];
  const tooWide: string[] = [];
  const shoot = async (name: string) => {
    tooWide.push(...(await screenshots(page, name)));
  };
  const api = (method: string, path: string, token: string, json?: unknown) => call(deployment!.baseUrl, method, path, { token, ...(json !== undefined && { json }) });
  const count = (name: string) => page.locator(`.profile-counts [data-count="${name}"]`);

  before(
    async () => {
      deployment = await startEmbedded();
      browser = await launchChromium();
      page = await watchedPage(await desktopContext(browser), problems);
      bob = await deployment.signIn('prof-bob');
      // 22 public links (more than a page of 20), the first two tagged, and a private one.
      for (let i = 0; i < 22; i++) {
        const answer = await api('POST', '/v1/links', bob, { url: `https://bob.example/${i}`, title: `Bob's page ${i}`, tags: i < 2 ? 'rust' : '', private: false });
        assert.equal(answer.status, 200, answer.text);
      }
      assert.equal((await api('POST', '/v1/links', bob, { url: 'https://bob.example/secret', title: 'Secret', private: true })).status, 200);
    },
    { timeout: 150_000 },
  );

  after(
    async () => {
      await browser?.close();
      await deployment?.stop();
    },
    { timeout: 60_000 },
  );

  test('People: find someone by the start of their username, and open their profile', async () => {
    await signInLocally(page, deployment!.baseUrl, 'prof-alice');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'People' }).click();
    const search = page.getByRole('search');
    await search.getByRole('searchbox', { name: 'Username or name starts with' }).fill('PROF-B');
    await search.getByRole('button', { name: 'Search' }).click();
    const found = page.getByRole('list', { name: 'People found' });
    await found.getByRole('link', { name: 'prof-bob' }).waitFor();
    assert.deepEqual(await found.getByRole('link').allInnerTexts(), ['prof-bob']);
    await shoot('people-search');
    await found.getByRole('link', { name: 'prof-bob' }).click();
    await page.getByRole('heading', { name: 'prof-bob', level: 1 }).waitFor();
    assert.match(page.url(), /#\/u\/prof-bob$/);
  });

  test('a profile: counts, the feed link in the page and its head, public links only, paged and by tag', async () => {
    await waitFor(() => count('public-links').innerText(), { what: 'the counts', until: (text) => text === '22' });
    assert.equal(await count('followers').innerText(), '0');
    assert.equal(await count('following').innerText(), '0');
    const alternate = page.locator('head link[rel="alternate"][type="application/atom+xml"]');
    assert.equal(await alternate.getAttribute('href'), '/feeds/prof-bob');
    assert.equal(await page.getByRole('link', { name: 'Atom feed of their links' }).getAttribute('href'), '/feeds/prof-bob');
    const links = page.getByRole('list', { name: 'Public links of prof-bob' }).locator('.link-card');
    await waitFor(() => links.count(), { what: 'the first page', until: (n) => n === 20 });
    await shoot('profile');
    await page.getByRole('button', { name: 'More links' }).click();
    await waitFor(() => links.count(), { what: 'the second page', until: (n) => n === 22 });
    assert.equal(await page.getByRole('button', { name: 'More links' }).isHidden(), true, 'no third page');
    assert.equal(await page.locator('.link-card[data-url="https://bob.example/secret"]').count(), 0, 'never the private link');

    await page.getByRole('link', { name: "Show prof-bob's links tagged rust" }).first().click();
    await waitFor(() => links.count(), { what: 'the rust links', until: (n) => n === 2 });
    assert.match(page.url(), /#\/u\/prof-bob\?tag=rust$/);
    await page.getByRole('link', { name: 'Show all their links' }).click();
    await waitFor(() => links.count(), { what: 'all links again', until: (n) => n === 20 });

    // The feed it points at is a feed, holding the same public links.
    const feed = parseFeed((await call(deployment!.baseUrl, 'GET', '/feeds/prof-bob')).text);
    assert.equal(feed.items.length, 22);
    assert.ok(feed.items.every((item) => item.url !== 'https://bob.example/secret'));
  });

  test('Follow and Unfollow from the profile, counted at once; a news item leads back to the profile', async () => {
    const alice = await deployment!.signIn('prof-alice');
    await page.getByRole('button', { name: 'Follow prof-bob' }).click();
    await page.getByRole('button', { name: 'Unfollow prof-bob' }).waitFor();
    await waitFor(() => count('followers').innerText(), { what: 'the new follower count', until: (text) => text === '1' });
    assert.deepEqual((await api('GET', '/v1/following', alice)).body.following, { 'prof-bob': true });

    assert.equal((await api('POST', '/v1/links', bob, { url: 'https://bob.example/news', title: 'Fresh from Bob', private: false })).status, 200);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'News' }).click();
    const author = page.locator('.news-item', { hasText: 'Fresh from Bob' }).getByRole('link', { name: 'prof-bob' });
    await waitFor(
      async () => {
        await page.reload();
        return author.count();
      },
      { what: 'bob’s link in the news', until: (n) => n > 0, timeoutMs: 30_000, intervalMs: 500 },
    );
    await author.click();
    await page.getByRole('heading', { name: 'prof-bob', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Unfollow prof-bob' }).click();
    await page.getByRole('button', { name: 'Follow prof-bob' }).waitFor();
    await waitFor(() => count('followers').innerText(), { what: 'the follower count', until: (text) => text === '0' });
    assert.equal(await page.locator('head link[rel="alternate"]').count(), 1, 'one alternate link, not one per visit');
  });

  test('an unknown username says so; leaving a profile takes its feed link out of the head', async () => {
    await page.goto(`${deployment!.baseUrl}/#/u/nobody-here`);
    await page.getByRole('alert').filter({ hasText: 'Nobody here has the username nobody-here' }).waitFor();
    await shoot('profile-unknown');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Links' }).click();
    await page.getByRole('heading', { name: 'Your links' }).waitFor();
    assert.equal(await page.locator('head link[rel="alternate"]').count(), 0);
  });

  test('Settings: the news-feed URL, made once, is an Atom feed of your news', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    await page.getByRole('button', { name: /feed URL/ }).click();
    const confirm = page.getByRole('dialog', { name: 'New feed URL' });
    if (await confirm.isVisible().catch(() => false)) await confirm.getByRole('button', { name: 'Make a new one' }).click();
    const field = page.getByRole('textbox', { name: 'Your feed URL' });
    await field.waitFor();
    const url = await field.inputValue();
    assert.match(url, /\/feeds\/news\/\S+$/);
    const answer = await call(deployment!.baseUrl, 'GET', new URL(url).pathname);
    assert.equal(answer.status, 200, answer.text);
    const news = parseFeed(answer.text);
    assert.ok(news.items.some((item) => item.url === 'https://bob.example/news' && item.authors[0]?.name === 'prof-bob'));
  });

  test('no errors in the page, nothing wider than the screen', () => {
    assert.deepEqual(problems, []);
    assert.deepEqual(tooWide, []);
  });
});
