/**
 * The system's Chromium (Debian's package, /usr/bin/chromium) driven by
 * playwright-core; never a downloaded browser. Missing, the browser tests are
 * skipped with a line that says so, unless DELINKCIOUS_REQUIRE_SERVICES=1
 * (CI, where .ci/run installs it), where they fail.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const args = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** false when Chromium is there; else why the tests are skipped (or a throw, when it is required). */
export function chromiumSkip(): string | false {
  if (existsSync(chromiumPath)) return false;
  const problem = `${chromiumPath} is missing (apt-get install chromium)`;
  if (process.env.DELINKCIOUS_REQUIRE_SERVICES === '1') throw new Error(`DELINKCIOUS_REQUIRE_SERVICES=1 but ${problem}`);
  const skip = `skipped: ${problem}`;
  console.log(`# ${skip}`);
  return skip;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args, headless: true, timeout: 60_000 });
}

export const desktop = { width: 1280, height: 800 };
export const phone = { width: 390, height: 844 };

/** Desktop size, British English, UTC, no motion: the same screenshots on every run. */
export function desktopContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: desktop, locale: 'en-GB', timezoneId: 'UTC', reducedMotion: 'reduce' });
}

/**
 * A new page whose script errors and console errors are pushed to `problems`,
 * for the suite to assert empty at its end. A 4xx the UI asked for and shows
 * (a bad URL, say) is logged by Chromium as "Failed to load resource": not a problem.
 */
export async function watchedPage(context: BrowserContext, problems: string[]): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console: ${message.text()}`);
  });
  return page;
}

/** Signs `username` in with the local sign-in (DEV_LOGIN) and waits for their links. */
export async function signInLocally(page: Page, baseUrl: string, username: string): Promise<void> {
  await page.goto(baseUrl);
  const field = page.getByRole('textbox', { name: 'Username' });
  await field.fill(username);
  await field.press('Enter');
  await page.getByRole('heading', { name: 'Your links' }).waitFor();
}

/** test-output/screenshots at the repository root (git-ignored). */
export const screenshotDir = join(new URL('../../..', import.meta.url).pathname, 'test-output', 'screenshots');

/** The narrowest phone the UI is made for. */
export const narrowest = { width: 360, height: 740 };

/**
 * The page as it is, at desktop and at phone width: <name>-desktop.png and
 * <name>-phone.png (the whole page, or only the screen with a dialog open).
 * Also checks that at 360px nothing sticks out sideways; answers what does.
 */
export async function screenshots(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string[]> {
  mkdirSync(screenshotDir, { recursive: true });
  const before = page.viewportSize() ?? desktop;
  for (const [size, viewport] of [
    ['desktop', desktop],
    ['phone', phone],
  ] as const) {
    await page.setViewportSize(viewport);
    // Let the layout (and the toast's transition) settle.
    await page.waitForTimeout(250);
    await page.screenshot({ path: join(screenshotDir, `${name}-${size}.png`), fullPage: options.fullPage ?? true, animations: 'disabled' });
  }
  await page.setViewportSize(narrowest);
  await page.waitForTimeout(100);
  const overflowing = (await page.evaluate(`(() => {
    const width = document.documentElement.clientWidth;
    const wide = document.documentElement.scrollWidth > width ? ['the page is ' + document.documentElement.scrollWidth + 'px wide'] : [];
    for (const element of document.querySelectorAll('main *, header *, dialog *')) {
      const box = element.getBoundingClientRect();
      if (box.width > 0 && box.right > width + 1 && !element.closest('nav')) wide.push(element.tagName.toLowerCase() + '.' + element.className + ' ends at ' + Math.round(box.right) + 'px');
    }
    return wide;
  })()`)) as string[];
  await page.setViewportSize(before);
  return overflowing.map((problem) => `${name} at 360px: ${problem}`);
}
