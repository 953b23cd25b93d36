/**
 * Bundles the `delinkcious` command for the container image (deploy/docker/Dockerfile):
 *
 *   node --import tsx cli/src/bundle.ts <out-dir> [<app-root>]
 *
 * writes <out-dir>/delinkcious.mjs (every workspace package, @delinkcious/*,
 * compiled into one ES module; third-party packages stay imports, resolved from
 * node_modules at run time) and <out-dir>/app/, the files the sources read at run
 * time, in the repository's layout: everything in the workspaces that is not
 * TypeScript, a test or a build output (migrations), proto/, and the built web
 * UI, web/dist (run `npm run build:web` first).
 *
 * A source that finds a file relative to itself (`new URL('../migrations',
 * import.meta.url)`) would, once bundled, look next to the bundle instead; so each
 * `import.meta.url` (and `.dirname`, `.filename`) in a workspace source is replaced
 * by where that source sits under <app-root>, the directory that holds app/ at run
 * time (/app in the image; <out-dir>/app by default).
 *
 * Why a bundle and not tsx at run time: the root package.json lists tsx (and
 * typescript) as development dependencies, so `npm ci --omit=dev` leaves them
 * out; the bundle needs neither, starts without compiling, and ships no sources.
 * esbuild, a development dependency, is there in the build stage.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const entry = join(repoRoot, 'cli/src/main.ts');
/**
 * Trace export's preload (cli/src/telemetry-preload.ts), a bundle of its own that
 * the image runs with `node --import` before the command: the command's bundle
 * imports pg, ioredis, gRPC and node:http at its top, and their instrumentation
 * must be in place first.
 */
const preloadEntry = join(repoRoot, 'cli/src/telemetry-preload.ts');

/** Folders whose files the sources read at run time, beside the workspaces'. */
const assetRoots = ['proto', 'web/dist'];
const skippedDirs = new Set(['node_modules', 'test', 'dist', '.delinkcious']);
const sourceFile = /\.(?:[cm]?ts|tsx)$/;

export interface BundleResult {
  bundle: string;
  /** <out-dir>/telemetry-preload.mjs, for `node --import`. */
  preload: string;
  appDir: string;
  /** The third-party packages the bundle imports, by package name. */
  externals: string[];
}

function workspaceDirs(): string[] {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] };
  return manifest.workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const parent = pattern.slice(0, -2);
    return readdirSync(join(repoRoot, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `${parent}/${entry.name}`);
  });
}

const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Workspace packages are bundled; every other bare import stays an import. */
function externalsPlugin(externals: Set<string>): Plugin {
  return {
    name: 'delinkcious-externals',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('@delinkcious/')) return undefined;
        if (builtins.has(args.path)) return { path: args.path, external: true };
        externals.add(packageName(args.path));
        return { path: args.path, external: true };
      });
    },
  };
}

/** Each workspace source learns where it sits under appRoot, as if it were not bundled. */
function importMetaPlugin(appRoot: string): Plugin {
  return {
    name: 'delinkcious-import-meta',
    setup(build) {
      build.onLoad({ filter: sourceFile }, (args) => {
        const path = relative(repoRoot, args.path);
        if (path.startsWith('..') || path.split(sep).includes('node_modules')) return undefined;
        const runtimePath = join(appRoot, path);
        const contents = readFileSync(args.path, 'utf8')
          .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(runtimePath).href))
          .replaceAll('import.meta.dirname', JSON.stringify(dirname(runtimePath)))
          .replaceAll('import.meta.filename', JSON.stringify(runtimePath));
        return { contents, loader: 'ts' };
      });
    },
  };
}

function copyAssets(from: string, to: string): void {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (skippedDirs.has(entry.name)) continue;
    const source = join(from, entry.name);
    if (entry.isDirectory()) copyAssets(source, join(to, entry.name));
    else if (entry.isFile() && !sourceFile.test(entry.name) && !entry.name.endsWith('.tsbuildinfo')) {
      mkdirSync(to, { recursive: true });
      cpSync(source, join(to, entry.name));
    }
  }
}

export async function bundle(outDir: string, appRoot = join(resolve(outDir), 'app')): Promise<BundleResult> {
  const out = resolve(outDir);
  const appDir = join(out, 'app');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(appDir, { recursive: true });

  const externals = new Set<string>();
  const bundlePath = join(out, 'delinkcious.mjs');
  const preloadPath = join(out, 'telemetry-preload.mjs');
  for (const [entryPoint, outfile] of [
    [entry, bundlePath],
    [preloadEntry, preloadPath],
  ]) {
    await build({
      entryPoints: [entryPoint!],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: 'linked',
      legalComments: 'none',
      logLevel: 'warning',
      plugins: [externalsPlugin(externals), importMetaPlugin(resolve(appRoot))],
    });
  }

  for (const dir of [...workspaceDirs(), ...assetRoots]) {
    const source = join(repoRoot, dir);
    if (statSync(source, { throwIfNoEntry: false })?.isDirectory()) copyAssets(source, join(appDir, dir));
  }
  writeFileSync(join(out, 'externals.json'), `${JSON.stringify([...externals].sort(), null, 2)}\n`);
  return { bundle: bundlePath, preload: preloadPath, appDir, externals: [...externals].sort() };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [outDir, appRoot] = process.argv.slice(2);
  if (!outDir) {
    console.error('usage: node --import tsx cli/src/bundle.ts <out-dir> [<app-root>]');
    process.exit(2);
  }
  const result = await bundle(outDir, appRoot);
  console.log(`bundled ${relative(process.cwd(), result.bundle)}; imports ${result.externals.join(', ')}`);
}
