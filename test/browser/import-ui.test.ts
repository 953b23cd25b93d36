/**
 * The import and export screen (#/import, issue 15) in headless Chromium,
 * against the whole system as one process: a Netscape file picked, imported
 * private with a tag, the progress bar followed to the end, the counts and the
 * skipped entries with their reasons; what it claims is checked against the
 * API; an unreadable file explained on the file field; the export buttons'
 * links. Screenshots go to test-output/screenshots/.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startEmbedded, type Deployment } from '@delinkcious/testing';
import { call } from '../e2e/support/http.ts';
import { chromiumSkip, desktopContext, launchChromium, screenshots, signInLocally, watchedPage } from './support/chromium.ts';

const skip = chromiumSkip();
const dir = mkdtempSync(join(tmpdir(), 'delinkcious-import-ui-'));

const bookmarks = join(dir, 'bookmarks.html');
writeFileSync(
  bookmarks,
  `<!DOCTYPE NETSCAPE-Bookmark-file-1>
<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">
<TITLE>Bookmarks</TITLE>
<H1>Bookmarks Menu</H1>
<DL><p>
  <DT><H3>Recipes</H3>
  <DL><p>
    <DT><A HREF="https://food.example/bread" ADD_DATE="1600000000">Bread</A>
    <DD>Sourdough, slowly
    <DT><A HREF="https://food.example/soup" ADD_DATE="1600000100">Soup</A>
  </DL><p>
  <DT><A HREF="place:sort=8&maxResults=10">Recent Tags</A>
  <DT><A HREF="mailto:cook@food.example">Write to the cook</A>
</DL>
`,
);
const junk = join(dir, 'notes.txt');
writeFileSync(junk, 'these are not bookmarks');

describe('the import and export screen in Chromium', { skip }, () => {
  let deployment: Deployment | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  let token = '';
  const problems: string[] = [];
  const tooWide: string[] = [];

  before(
    async () => {
      deployment = await startEmbedded();
      browser = await launchChromium();
      context = await desktopContext(browser);
      page = await watchedPage(context, problems);
      token = await deployment.signIn('imp-alice');
      await signInLocally(page, deployment.baseUrl, 'imp-alice');
      await page.getByRole('link', { name: 'Import', exact: true }).click();
      await page.getByRole('heading', { name: 'Import and export' }).waitFor();
    },
    { timeout: 150_000 },
  );

  after(
    async () => {
      await browser?.close();
      await deployment?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    { timeout: 60_000 },
  );

  test('a Netscape file imported private with a tag: progress, counts, skipped entries with reasons', async () => {
    await page.getByLabel('File').setInputFiles(bookmarks);
    await page.getByLabel('Import every link as private').check();
    await page.getByLabel('Add tags').fill('kitchen');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const progress = page.locator('.import-progress progress');
    await progress.waitFor();
    await page.locator('.import-counts').waitFor({ timeout: 30_000 });
    assert.equal(await progress.getAttribute('value'), await progress.getAttribute('max'), 'the bar is full');
    assert.match(await page.locator('[data-count="imported"]').innerText(), /^2 new links/);
    assert.match(await page.locator('[data-count="skipped"]').innerText(), /^2 not imported/);
    const reasons = await page.locator('.import-skipped li').allInnerTexts();
    assert.equal(reasons.length, 2);
    assert.ok(reasons.some((line) => line.startsWith('mailto:cook@food.example: ') && /mailto/.test(line)), reasons.join('\n'));
    assert.ok(reasons.some((line) => line.startsWith('place:') && /place/.test(line)), reasons.join('\n'));
    tooWide.push(...(await screenshots(page, 'import-done')));
    // After a reload, the screen shows the tab's last import again.
    await page.reload();
    await page.locator('.import-counts').waitFor({ timeout: 30_000 });
    assert.match(await page.locator('[data-count="imported"]').innerText(), /^2 new links/);

    const answer = await call(deployment!.baseUrl, 'GET', '/v1/links', { token, query: { limit: '100' } });
    const links = answer.body.links as Array<{ Url: string; Private: boolean; Tags: Record<string, boolean>; Description: string }>;
    assert.deepEqual(links.map((link) => link.Url).sort(), ['https://food.example/bread', 'https://food.example/soup']);
    assert.ok(links.every((link) => link.Private), 'imported private');
    assert.ok(links.every((link) => link.Tags.kitchen && link.Tags.recipes), 'the option tag and the folder');
    assert.equal(links.find((link) => link.Url.endsWith('bread'))!.Description, 'Sourdough, slowly');
  });

  test('a file of no known format is explained on the file field', async () => {
    await page.getByLabel('File').setInputFiles(junk);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const error = page.locator('.import-form .field-error:not([hidden]), .import-form .form-error:not([hidden])');
    await error.first().waitFor();
    assert.ok((await error.first().innerText()).length > 10, 'the API’s message');
  });

  test('the export buttons link to every format', async () => {
    const hrefs = await page.locator('.export-list a').evaluateAll((links) => links.map((link) => link.getAttribute('href')));
    assert.deepEqual(hrefs, ['/v1/export?format=netscape', '/v1/export?format=json', '/v1/export?format=csv']);
  });

  test('no script error, nothing wider than a 360px phone', () => {
    assert.deepEqual(problems, []);
    assert.deepEqual(tooWide, []);
  });
});
