#!/usr/bin/env node
/**
 * Builds the web UI: web/src/main.ts (and the CSS it imports) bundled by
 * esbuild into web/dist/app.<hash>.js and app.<hash>.css, the icon as
 * icon.<hash>.svg, and web/dist/index.html naming them. The gateway serves
 * index.html uncached and the hashed files as immutable. Run by `npm start`
 * and `npm test` (prestart, pretest); `node web/build.mjs` on its own. Skipped when
 * web/dist/.inputs.json shows none of the files it was built from changed since.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = fileURLToPath(new URL('.', import.meta.url));
const distDir = join(webDir, 'dist');
/** The files the last build read, with their mtime and size: unchanged, the build is skipped. */
const inputsFile = join(distDir, '.inputs.json');
const stamp = (path) => {
  const { mtimeMs, size } = statSync(path);
  return [path, mtimeMs, size];
};

function upToDate() {
  try {
    const { inputs } = JSON.parse(readFileSync(inputsFile, 'utf8'));
    return existsSync(join(distDir, 'index.html')) && inputs.every(([path, mtimeMs, size]) => {
      const [, m, s] = stamp(path);
      return m === mtimeMs && s === size;
    });
  } catch {
    return false;
  }
}

if (upToDate()) {
  console.log('web UI up to date: web/dist/index.html');
  process.exit(0);
}

const { build } = await import('esbuild');
const result = await build({
  entryPoints: { app: join(webDir, 'src/main.ts') },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022', 'chrome109', 'firefox115', 'safari16'],
  minify: true,
  legalComments: 'none',
  charset: 'utf8',
  outdir: distDir,
  entryNames: '[name].[hash]',
  write: false,
  metafile: true,
  logLevel: 'warning',
});

const written = new Set();
mkdirSync(distDir, { recursive: true });
const names = { js: '', css: '' };
for (const file of result.outputFiles) {
  const name = basename(file.path);
  if (name.endsWith('.js')) names.js = name;
  else if (name.endsWith('.css')) names.css = name;
  writeFileSync(file.path, file.contents);
  written.add(name);
}
if (!names.js || !names.css) throw new Error(`esbuild wrote no ${names.js ? 'CSS' : 'JavaScript'} for web/src/main.ts`);

const icon = readFileSync(join(webDir, 'src/icon.svg'));
const iconName = `icon.${createHash('sha256').update(icon).digest('base64url').slice(0, 10)}.svg`;
writeFileSync(join(distDir, iconName), icon);
written.add(iconName);

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="description" content="Delinkcious: save links, tag them, follow people.">
<title>Delinkcious</title>
<link rel="icon" href="/${iconName}" type="image/svg+xml">
<link rel="stylesheet" href="/${names.css}">
<script type="module" src="/${names.js}"></script>
</head>
<body>
<div id="app"><p class="boot">Loading Delinkcious…</p></div>
<noscript><p>The Delinkcious web UI needs JavaScript. The API is described at <a href="/docs">/docs</a>.</p></noscript>
</body>
</html>
`;
// index.html last, by rename: a gateway serving meanwhile never sends a half-written page or one naming missing files.
const temporary = join(distDir, `.index.${process.pid}.html`);
writeFileSync(temporary, html);
renameSync(temporary, join(distDir, 'index.html'));
written.add('index.html');

for (const name of readdirSync(distDir)) {
  if (!written.has(name) && !name.startsWith('.index.')) rmSync(join(distDir, name), { recursive: true, force: true });
}
const inputs = [...Object.keys(result.metafile.inputs).map((path) => resolve(path)), join(webDir, 'src/icon.svg'), fileURLToPath(import.meta.url)];
writeFileSync(inputsFile, `${JSON.stringify({ inputs: inputs.map(stamp) })}\n`);
console.log(`web UI built: web/dist/index.html, ${names.js}, ${names.css}`);
