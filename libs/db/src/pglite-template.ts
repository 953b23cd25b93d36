/**
 * A new PGlite database starts from a template, not from initdb (docs/design.md, "The embedded
 * database"): initdb, PostgreSQL's bootstrap run in WebAssembly, takes 3–7 s and leaves a few hundred
 * MB of RSS in the process that ran it; copying the template's folder (or loading its tarball into a
 * database in memory) takes well under a second.
 * The template is made once per machine, per PGlite version and initdb parameters, by a child process
 * (its memory goes when it exits), and kept in `node_modules/.cache/delinkcious/`.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const builder = fileURLToPath(new URL('./pglite-template-build.mjs', import.meta.url));

/** node_modules holding PGlite, and PGlite's version: the template depends on both. */
function pglitePackage(): { nodeModules: string; version: string } {
  const entry = fileURLToPath(import.meta.resolve('@electric-sql/pglite'));
  const marker = `${join('node_modules', '@electric-sql', 'pglite')}`;
  const at = entry.lastIndexOf(marker);
  if (at < 0) throw new Error(`PGlite resolved outside node_modules: ${entry}`);
  const root = entry.slice(0, at + marker.length);
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  return { nodeModules: entry.slice(0, at + 'node_modules'.length), version };
}

export function defaultTemplateDir(): string {
  return join(pglitePackage().nodeModules, '.cache', 'delinkcious');
}

/** The template's folder for these initdb parameters (whether it exists yet or not); its tarball is `<folder>.tar.gz`. */
export function templatePath(initDbParams: string[], dir = defaultTemplateDir()): string {
  const { version } = pglitePackage();
  const key = createHash('sha256').update(JSON.stringify([version, initDbParams])).digest('hex').slice(0, 12);
  return join(dir, `pglite-${version}-${key}`);
}

export interface Template {
  /** A cluster just made by initdb, to copy. */
  folder: string;
  /** The same as a tarball, for PGlite's `loadDataDir`. */
  tarball: () => Blob;
}

/** initdb takes 3–7 s on a busy 2-core machine; a build stuck far beyond that is given up (killed). */
const buildTimeoutMs = 120_000;

// One build per file per process, however many databases are opened at once.
const building = new Map<string, Promise<void>>();

/**
 * A new cluster made with `initDbParams`, built first when missing; undefined when it cannot be built
 * (e.g. node_modules is read-only), and the caller runs initdb itself as before.
 */
export async function pgliteTemplate(initDbParams: string[], dir?: string): Promise<Template | undefined> {
  try {
    const folder = templatePath(initDbParams, dir);
    if (!existsSync(join(folder, 'PG_VERSION')) || !existsSync(`${folder}.tar.gz`)) {
      let build = building.get(folder);
      if (!build) {
        build = run(process.execPath, [builder, folder, JSON.stringify(initDbParams)], { timeout: buildTimeoutMs }).then(() => undefined);
        building.set(folder, build);
        build.catch(() => undefined).finally(() => building.delete(folder));
      }
      await build;
    }
    return { folder, tarball: () => new Blob([readFileSync(`${folder}.tar.gz`)]) };
  } catch {
    // Only a cache: without it a new database is made as it always was.
    return undefined;
  }
}
