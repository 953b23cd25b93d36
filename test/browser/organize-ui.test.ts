/**
 * The links screen of issue 16 in headless Chromium: a search in the query
 * language (and its 400 explained under the box), the tag sidebar (counts,
 * filter, combine, rename), select mode with bulk actions, the read-later
 * toggle and the Unread view, the sort menu, the keyboard shortcuts, the
 * compact density remembered across a reload, and an over-long pasted URL
 * refused with an error instead of cut. What the screen claims is checked
 * against the API. Against the whole system as one process; screenshots go
 * to test-output/screenshots/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { limits } from '@delinkcious/object-model';
import { startEmbedded, type Deployment } from '@delinkcious/testing';
import { call, waitFor } from '../e2e/support/http.ts';
import { chromiumSkip, desktopContext, launchChromium, screenshots, signInLocally, watchedPage } from './support/chromium.ts';

const skip = chromiumSkip();

interface WireLink {
  Url: string;
  Title: string;
  Tags: Record<string, boolean> | null;
  Unread?: boolean;
  Private?: boolean;
}

/** Titles chosen so that newest, oldest and title order all differ. */
const seed = [
  { url: 'https://pg.example/indexing', title: 'PostgreSQL indexing guide', tags: 'db reading' },
  { url: 'https://node.example/streams', title: 'Node.js API (streams)', tags: 'js' },
  { url: 'https://rust.example/book', title: 'The Rust book', tags: 'rust reading' },
  { url: 'https://docs.go.dev/effective', title: 'Effective Go', tags: 'go' },
];

describe('the links screen (search, tags, bulk, read later, shortcuts, density) in Chromium', { skip }, () => {
  let deployment: Deployment | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  let token = '';
  const problems: string[] = [];
  const tooWide: string[] = [];
  const shoot = async (name: string) => {
    tooWide.push(...(await screenshots(page, name)));
  };
  const shownUrls = () => page.locator('.link-card').evaluateAll((cards) => cards.map((card) => card.getAttribute('data-url')));
  const shownTitles = () => page.locator('.link-card .link-title').allInnerTexts();
  const card = (url: string) => page.locator(`.link-card[data-url="${url}"]`);
  const summary = () => page.locator('.summary').innerText();
  const search = () => page.getByRole('searchbox', { name: 'Search' });
  const sidebarTag = (tag: string) => page.locator(`.tag-sidebar li[data-tag="${tag}"] .tag-filter`);
  async function links(query: Record<string, string> = {}): Promise<WireLink[]> {
    const answer = await call(deployment!.baseUrl, 'GET', '/v1/links', { token, query: { limit: '100', ...query } });
    assert.equal(answer.status, 200, answer.text);
    return answer.body.links as WireLink[];
  }
  async function shows(urls: string[], what: string): Promise<void> {
    await waitFor(shownUrls, { what, until: (shown) => JSON.stringify(shown) === JSON.stringify(urls), intervalMs: 150 });
  }
  async function runSearch(q: string): Promise<void> {
    await search().fill(q);
    await search().press('Enter');
  }

  before(
    async () => {
      deployment = await startEmbedded();
      browser = await launchChromium();
      context = await desktopContext(browser);
      page = await watchedPage(context, problems);
      token = await deployment.signIn('org-alice');
      // Oldest first, so the first is the oldest.
      for (const link of seed) {
        const answer = await call(deployment.baseUrl, 'POST', '/v1/links', { token, json: link });
        assert.equal(answer.status, 200, answer.text);
      }
      await signInLocally(page, deployment.baseUrl, 'org-alice');
      await page.locator('.link-card').nth(seed.length - 1).waitFor();
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

  test('search with the query language; the address keeps it; a malformed query is explained under the box', async () => {
    await runSearch('postgres');
    await shows(['https://pg.example/indexing'], 'one word, any case, a word form');
    assert.match(new URL(page.url()).hash, /^#\/links\?q=postgres$/);
    assert.match(await summary(), /1 link matching “postgres”/);

    // Results as one types: the last word matches the start of a longer one, no Enter needed.
    await search().fill('');
    await search().pressSequentially('rust bo', { delay: 20 });
    await shows(['https://rust.example/book'], 'type-ahead');
    await page.waitForURL(/q=rust\+bo$/);

    await runSearch('#reading -rust');
    await shows(['https://pg.example/indexing'], 'a tag and an excluded word');
    await runSearch('site:go.dev');
    await shows(['https://docs.go.dev/effective'], 'a host and its subdomains');
    await runSearch('"Node.js API ("');
    await shows(['https://node.example/streams'], 'a phrase with the characters that broke the regex filter');
    await shoot('links-search');

    await runSearch('rust OR golang');
    await shows(['https://rust.example/book'], 'OR');

    await runSearch('after:2024-13-45');
    const error = page.locator('.search-box [data-field="q"] .field-error');
    await error.waitFor();
    assert.ok((await error.innerText()).length > 10, 'the API’s message, naming the problem');
    assert.equal(await search().getAttribute('aria-invalid'), 'true');
    assert.equal(await search().getAttribute('aria-describedby'), await error.getAttribute('id'));
    assert.equal(await page.locator('.link-card').count(), 0);
    await shoot('links-search-error');

    // Back: the previous search, and its links, again.
    await page.goBack();
    await shows(['https://rust.example/book'], 'Back');
    assert.equal(await search().inputValue(), 'rust OR golang');
    assert.equal(await error.isVisible(), false, 'the error went with its query');

    await page.getByRole('button', { name: 'Search syntax' }).click();
    const help = page.getByRole('region', { name: 'Search syntax' });
    await help.waitFor();
    assert.match(await help.innerText(), /site:example\.org/);
    assert.equal(await page.getByRole('button', { name: 'Search syntax' }).getAttribute('aria-expanded'), 'true');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });
    await runSearch('');
    await shows(seed.map((link) => link.url).reverse(), 'everything again');
  });

  test('the tag sidebar: counts, a filter, two combined (links with both), rename, delete', async () => {
    await sidebarTag('reading').waitFor();
    // Read as "reading, 2 links".
    assert.match(await sidebarTag('reading').innerText(), /^reading\W+2\W+links$/);
    assert.match(await sidebarTag('go').innerText(), /^go\W+1\W+link$/);

    await sidebarTag('reading').click();
    await shows(['https://rust.example/book', 'https://pg.example/indexing'], 'tagged reading');
    assert.equal(await sidebarTag('reading').getAttribute('aria-pressed'), 'true');
    assert.match(await summary(), /^2 links tagged “reading”\.$/);

    await sidebarTag('db').click();
    await shows(['https://pg.example/indexing'], 'tagged reading and db');
    assert.match(await summary(), /^1 link tagged “reading” and “db”\.$/);
    assert.match(new URL(page.url()).hash, /tag=reading&tag=db/);
    // What the label claims is what the API does.
    assert.deepEqual((await links({ tag: 'reading,db' })).map((link) => link.Url), ['https://pg.example/indexing']);
    await shoot('links-tags');

    await page.getByRole('button', { name: 'Manage tags' }).click();
    await page.getByRole('button', { name: 'Rename tag db' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rename tag “db”' });
    await dialog.getByLabel('New name').fill('Databases');
    await dialog.getByRole('button', { name: 'Rename' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.waitForURL(/tag=reading&tag=databases/);
    await shows(['https://pg.example/indexing'], 'the filter follows the rename');
    await sidebarTag('databases').waitFor();
    assert.equal(await page.locator('.tag-sidebar li[data-tag="db"]').count(), 0);
    assert.deepEqual(Object.keys((await links({ tag: 'databases' }))[0]?.Tags ?? {}).sort(), ['databases', 'reading']);

    // Delete: the tag goes from every link, the links stay.
    await page.getByRole('button', { name: 'Delete tag js' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete tag' });
    assert.match(await confirm.innerText(), /Remove the tag “js” from 1 link\? The links stay\./);
    await confirm.getByRole('button', { name: 'Delete tag' }).click();
    await confirm.waitFor({ state: 'detached' });
    await page.locator('.tag-sidebar li[data-tag="js"]').waitFor({ state: 'detached' });
    const node = (await links()).find((link) => link.Url === 'https://node.example/streams');
    assert.deepEqual(Object.keys(node?.Tags ?? {}), [], 'the link stays, untagged');
    await page.getByRole('button', { name: 'Manage tags' }).click();
    await page.getByRole('button', { name: 'Clear filter' }).first().click();
    await shows(seed.map((link) => link.url).reverse(), 'the filter cleared');
  });

  test('read later: the toggle on a link, the Unread view', async () => {
    const rust = card('https://rust.example/book');
    await rust.getByRole('button', { name: 'Read later: The Rust book' }).click();
    await rust.locator('.badge-unread').waitFor();
    assert.equal(await card('https://rust.example/book').getByRole('button', { name: 'Read later: The Rust book' }).getAttribute('aria-pressed'), 'true');
    assert.equal((await links()).find((link) => link.Url === 'https://rust.example/book')?.Unread, true);

    await page.getByRole('link', { name: 'Unread' }).click();
    await shows(['https://rust.example/book'], 'the Unread view');
    assert.equal(await page.getByRole('link', { name: 'Unread' }).getAttribute('aria-current'), 'page');
    assert.match(await summary(), /^1 unread link\.$/);
    await shoot('links-unread');
    // A search in the Unread view: is:unread holds in each OR branch, not only the last.
    await runSearch('rust OR effective');
    await waitFor(summary, { what: 'the search in the Unread view', until: (text) => text === '1 unread link matching “rust OR effective”.', intervalMs: 150 });
    await shows(['https://rust.example/book'], 'unread links matching rust or effective');
    // Its errors point at what was typed, not at the query sent.
    await runSearch('OR rust');
    await page.locator('.search-box [data-field="q"] .field-error', { hasText: 'q: OR needs a term before it at character 1' }).waitFor();
    await runSearch('');
    await page.getByRole('link', { name: 'All links' }).click();
    await shows(seed.map((link) => link.url).reverse(), 'all links');
  });

  test('select mode: add a tag to two links, mark them read; then everything a filtered view matches', async () => {
    await page.getByRole('button', { name: 'Select', exact: true }).click();
    const bar = page.getByRole('region', { name: 'Selected links' });
    await bar.waitFor();
    await page.getByRole('checkbox', { name: 'Select The Rust book' }).check();
    await page.getByRole('checkbox', { name: 'Select Effective Go' }).check();
    assert.match(await bar.locator('.bulk-count').innerText(), /2 links selected/);
    await shoot('links-select');

    await bar.getByRole('button', { name: 'Add tags…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add tags to 2 links' });
    await dialog.getByLabel('Tags').fill('later');
    await dialog.getByRole('button', { name: 'Add tags' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'Tagged 2 links.' }).waitFor();
    await card('https://docs.go.dev/effective').locator('.tag', { hasText: 'later' }).waitFor();
    assert.deepEqual(
      (await links({ tag: 'later' })).map((link) => link.Url).sort(),
      ['https://docs.go.dev/effective', 'https://rust.example/book'],
    );
    assert.equal(await page.getByRole('checkbox', { name: 'Select The Rust book' }).isChecked(), true, 'still selected after the reload');

    // One more unread first, so that "mark read" changes something on both.
    assert.equal((await call(deployment!.baseUrl, 'PUT', '/v1/links', { token, json: { url: 'https://docs.go.dev/effective', unread: true } })).status, 200);
    await bar.getByRole('button', { name: 'Mark read' }).click();
    await page.getByRole('status').filter({ hasText: 'Marked read 2 links.' }).waitFor();
    assert.deepEqual((await links()).filter((link) => link.Unread).map((link) => link.Url), []);
    await card('https://rust.example/book').locator('.badge-unread').waitFor({ state: 'detached' });

    // Everything a filtered view matches, on every page: the query, not the URLs, after a confirmation.
    await sidebarTag('later').click();
    await shows(['https://docs.go.dev/effective', 'https://rust.example/book'], 'tagged later');
    await bar.getByRole('radio', { name: 'all links tagged “later”, on every page' }).check();
    assert.match(await bar.locator('.bulk-count').innerText(), /^All links tagged “later”$/);
    await bar.getByRole('button', { name: 'Make private' }).click();
    const confirm = page.getByRole('dialog', { name: 'Change every matching link' });
    assert.match(await confirm.innerText(), /Make private all links tagged “later”, on every page\?/);
    await confirm.getByRole('button', { name: 'Make private' }).click();
    await page.getByRole('status').filter({ hasText: 'Made private 2 links.' }).waitFor();
    assert.deepEqual((await links()).filter((link) => link.Private).map((link) => link.Url).sort(), ['https://docs.go.dev/effective', 'https://rust.example/book']);
    await page.getByRole('button', { name: 'Clear filter' }).first().click();
    await waitFor(() => bar.locator('.bulk-scope').isVisible(), { what: 'no “all matching” without a filter', until: (visible) => !visible, intervalMs: 150 });

    await bar.getByRole('button', { name: 'Done' }).click();
    await bar.waitFor({ state: 'hidden' });
    assert.equal(await page.getByRole('checkbox', { name: 'Select The Rust book' }).isVisible(), false);
  });

  test('the sort menu', async () => {
    const sort = page.getByRole('combobox', { name: 'Sort' });
    await sort.selectOption('title');
    await page.waitForURL(/sort=title/);
    await waitFor(shownTitles, { what: 'by title', until: (titles) => titles.join('|') === 'Effective Go|Node.js API (streams)|PostgreSQL indexing guide|The Rust book', intervalMs: 150 });
    await sort.selectOption('oldest');
    await shows(seed.map((link) => link.url), 'oldest first');
    await sort.selectOption('newest');
    await shows(seed.map((link) => link.url).reverse(), 'newest first');
  });

  test('keyboard shortcuts: / n j k e x ?, and none while typing', async () => {
    // A fresh screen: no current link yet.
    await page.goto(`${deployment!.baseUrl}/#/links`);
    await page.reload();
    await page.locator('.link-card').nth(seed.length - 1).waitFor();
    await page.locator('h1').click();
    await page.keyboard.press('/');
    assert.equal(await page.evaluate('document.activeElement.name'), 'q', '/ focuses the search');
    await page.keyboard.type('jk');
    assert.equal(await search().inputValue(), 'jk', 'typed into the box, not taken as shortcuts');
    await search().fill('');
    await page.locator('h1').click();

    const newest = [...seed].reverse();
    await page.keyboard.press('j');
    assert.equal(await page.evaluate('document.activeElement.textContent'), newest[0]!.title);
    await page.keyboard.press('j');
    assert.equal(await page.evaluate('document.activeElement.textContent'), newest[1]!.title);
    await page.keyboard.press('k');
    assert.equal(await page.evaluate('document.activeElement.textContent'), newest[0]!.title);
    assert.equal(await card(newest[0]!.url).getAttribute('class'), 'link-card is-current');

    await page.keyboard.press('e');
    const edit = page.getByRole('dialog', { name: 'Edit link' });
    await edit.waitFor();
    assert.equal(await edit.getByLabel('Title').inputValue(), newest[0]!.title);
    await page.keyboard.press('Escape');
    await edit.waitFor({ state: 'detached' });

    await page.keyboard.press('x');
    await page.getByRole('region', { name: 'Selected links' }).waitFor();
    assert.equal(await page.getByRole('checkbox', { name: `Select ${newest[0]!.title}` }).isChecked(), true);
    await page.getByRole('button', { name: 'Done' }).click();

    await page.locator('h1').click();
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    assert.match(await help.innerText(), /Next link/);
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });

    await page.keyboard.press('n');
    const add = page.getByRole('dialog', { name: 'Add a link' });
    await add.waitFor();
    await page.keyboard.press('Escape');
    await add.waitFor({ state: 'detached' });
  });

  test('the compact list shows many more links a screen, and is remembered across a reload', async (t) => {
    const cardHeight = await card(seed[0]!.url).evaluate((element) => element.getBoundingClientRect().height);
    await page.getByRole('button', { name: 'Compact' }).click();
    assert.equal(await page.getByRole('button', { name: 'Compact' }).getAttribute('aria-pressed'), 'true');
    const rowHeight = await card(seed[0]!.url).evaluate((element) => element.getBoundingClientRect().height);
    assert.ok(rowHeight * 2.5 <= cardHeight, `a compact row (${rowHeight}px) is far lower than a card (${cardHeight}px)`);
    t.diagnostic(`a card ${Math.round(cardHeight)}px high, a compact row ${Math.round(rowHeight)}px: ${(cardHeight / rowHeight).toFixed(1)}× the links a screen`);
    await shoot('links-compact');

    await page.reload();
    await page.locator('.link-card').nth(seed.length - 1).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Compact' }).getAttribute('aria-pressed'), 'true');
    assert.equal(await page.locator('.link-list.compact').count(), 1);
    await page.getByRole('button', { name: 'Cards' }).click();
    await page.reload();
    await page.locator('.link-card').nth(seed.length - 1).waitFor();
    assert.equal(await page.locator('.link-list.compact').count(), 0);
  });

  test('a pasted URL longer than the API takes is refused with an error, not cut', async () => {
    const long = `https://long.example/${'a'.repeat(2120 - 'https://long.example/'.length)}`;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: deployment!.baseUrl });
    await page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(long)})`);
    await page.getByRole('button', { name: 'Add link' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a link' });
    await dialog.getByLabel('URL').focus();
    await page.keyboard.press('Control+V');
    const error = dialog.locator('[data-field="url"] .field-error');
    await error.waitFor();
    assert.equal((await dialog.getByLabel('URL').inputValue()).length, 2120, 'nothing cut');
    assert.match(await error.innerText(), new RegExp(`url is longer than ${limits.urlLength.toLocaleString('en')} characters \\(it has 2,120\\)`));
    await dialog.getByLabel('Title').fill('Too long');
    await dialog.getByRole('button', { name: 'Save link' }).click();
    await error.waitFor();
    assert.equal(await dialog.getByLabel('URL').getAttribute('aria-invalid'), 'true');
    await shoot('add-link-too-long');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal((await links()).length, seed.length, 'nothing saved');
  });

  test('a new link saved to read later from the add form', async () => {
    await page.getByRole('button', { name: 'Add link' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a link' });
    await dialog.getByLabel('URL').fill('https://later.example/essay');
    await dialog.getByLabel('Title').fill('An essay for later');
    await dialog.getByRole('switch', { name: /Read later/ }).check();
    await dialog.getByRole('button', { name: 'Save link' }).click();
    await dialog.waitFor({ state: 'detached' });
    await card('https://later.example/essay').locator('.badge-unread').waitFor();
    assert.equal((await links()).find((link) => link.Url === 'https://later.example/essay')?.Unread, true);
  });

  test('no script error, nothing wider than a 360px phone', () => {
    assert.deepEqual(problems, []);
    assert.deepEqual(tooWide, []);
  });
});
