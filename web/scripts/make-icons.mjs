#!/usr/bin/env node
/**
 * Draws web/src/icon.svg as the PNG icons the web app manifest names
 * (web/src/icons/icon-192.png, icon-512.png), with the system's Chromium
 * (as the browser tests use it). Run again after changing icon.svg:
 * `node web/scripts/make-icons.mjs`; the PNGs are committed, so a build
 * never needs a browser.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const src = fileURLToPath(new URL('../src/', import.meta.url));
const svg = readFileSync(`${src}icon.svg`, 'utf8');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  for (const size of [192, 512]) {
    const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
    const sized = svg.replace('<svg ', `<svg width="${size}" height="${size}" `);
    await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${sized}</body></html>`);
    writeFileSync(`${src}icons/icon-${size}.png`, await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } }));
    await page.close();
  }
} finally {
  await browser.close();
}
console.log('web/src/icons/icon-192.png and icon-512.png written');
