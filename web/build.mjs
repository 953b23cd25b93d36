#!/usr/bin/env node
/**
 * Builds the web UI: web/src/main.ts (and the CSS it imports) bundled by
 * esbuild into web/dist/app.<hash>.js and app.<hash>.css, the icon as
 * icon.<hash>.svg, and web/dist/index.html naming them. The gateway serves
 * index.html uncached and the hashed files as immutable. For the installable
 * app: the PNG icons (web/src/icons, drawn by web/scripts/make-icons.mjs) as
 * icon-192.<hash>.png and icon-512.<hash>.png, manifest.webmanifest (with the
 * share_target that sends a phone's shares to /save) and sw.js, the service
 * worker (web/src/service-worker.ts) holding the list of those files. Run by `npm start`
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

/** A file of web/src under a content-hashed name in web/dist: its name. */
const hashedCopy = (source, stem, extension) => {
  const body = readFileSync(join(webDir, 'src', source));
  const name = `${stem}.${createHash('sha256').update(body).digest('base64url').slice(0, 10)}.${extension}`;
  writeFileSync(join(distDir, name), body);
  written.add(name);
  return name;
};
const pngIcons = [192, 512].map((size) => ({ size, name: hashedCopy(`icons/icon-${size}.png`, `icon-${size}`, 'png') }));
const manifest = {
  id: '/',
  name: 'Delinkcious',
  short_name: 'Delinkcious',
  description: 'Save links, tag them, follow people.',
  start_url: '/',
  scope: '/',
  display: 'standalone',
  background_color: '#f5f7fa',
  theme_color: '#1f5fbf',
  icons: [
    { src: `/${iconName}`, sizes: 'any', type: 'image/svg+xml' },
    ...pngIcons.map(({ size, name }) => ({ src: `/${name}`, sizes: `${size}x${size}`, type: 'image/png', purpose: 'any' })),
  ],
  // A phone's share sheet opens /save; the shared text comes as description (/save finds a URL in it when url is empty).
  share_target: { action: '/save', method: 'GET', params: { title: 'title', text: 'description', url: 'url' } },
};
writeFileSync(join(distDir, 'manifest.webmanifest'), `${JSON.stringify(manifest, null, 2)}\n`);
written.add('manifest.webmanifest');

const shell = ['/', `/${names.js}`, `/${names.css}`, `/${iconName}`, ...pngIcons.map(({ name }) => `/${name}`), '/manifest.webmanifest'];
const workerBuild = await build({
  entryPoints: [join(webDir, 'src/service-worker.ts')],
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['es2022', 'chrome109', 'firefox115', 'safari16'],
  minify: true,
  legalComments: 'none',
  write: false,
  metafile: true,
  logLevel: 'warning',
  // A new build is a new worker (its bytes change), which replaces the old shell.
  define: { SHELL: JSON.stringify(shell), BUILD: JSON.stringify(createHash('sha256').update(shell.join('\n')).digest('base64url').slice(0, 10)) },
});
writeFileSync(join(distDir, 'sw.js'), workerBuild.outputFiles[0].contents);
written.add('sw.js');

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="description" content="Delinkcious: save links, tag them, follow people.">
<title>Delinkcious</title>
<link rel="icon" href="/${iconName}" type="image/svg+xml">
<link rel="apple-touch-icon" href="/${pngIcons[0].name}">
<link rel="manifest" href="/manifest.webmanifest">
<meta name="theme-color" content="#1f5fbf">
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
const inputs = [
  // "<define:SHELL>" and the like are esbuild's own, not files.
  ...new Set([...Object.keys(result.metafile.inputs), ...Object.keys(workerBuild.metafile.inputs)].filter((path) => !path.startsWith('<')).map((path) => resolve(path))),
  join(webDir, 'src/icon.svg'),
  ...[192, 512].map((size) => join(webDir, `src/icons/icon-${size}.png`)),
  fileURLToPath(import.meta.url),
];
writeFileSync(inputsFile, `${JSON.stringify({ inputs: inputs.map(stamp) })}\n`);
console.log(`web UI built: web/dist/index.html, ${names.js}, ${names.css}`);
