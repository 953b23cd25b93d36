/**
 * Builds the bundle `npm start` runs (cli/bin/delinkcious.js): the command compiled by esbuild into
 * cli/dist/ (cli/src/bundle.ts, with every `import.meta.url` left pointing into this checkout),
 * and cli/dist/inputs.json, the sources it was built from, so that a source changed since is seen
 * and the command runs through tsx instead. Does nothing when the bundle is up to date.
 *
 *   node --import tsx cli/src/prebuild.ts
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { bundle, repoRoot } from './bundle.ts';
import { inputsFile, prebuiltDir, upToDatePrebuilt } from '../bin/prebuilt.js';

/** Every file of this checkout the bundle holds (from its source maps), and the manifests that resolve workspace imports. */
function inputsOf(maps: string[]): string[] {
  const files = new Set<string>();
  for (const map of maps) {
    const { sources } = JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] };
    for (const source of sources) files.add(resolve(dirname(map), source));
  }
  files.add(join(repoRoot, 'package.json'));
  for (const file of files) {
    const workspace = /^(.*?\/(?:libs|services)\/[^/]+|.*?\/(?:cli|proto))\/src\//.exec(file)?.[1];
    if (workspace) files.add(join(workspace, 'package.json'));
  }
  return [...files].filter((file) => !file.includes('/node_modules/')).sort();
}

export async function prebuild(): Promise<'built' | 'up to date'> {
  if (upToDatePrebuilt()) return 'up to date';
  const result = await bundle(prebuiltDir, repoRoot);
  const inputs = inputsOf([`${result.bundle}.map`, `${result.preload}.map`]).map((file) => {
    const stat = statSync(file);
    return [file, stat.mtimeMs, stat.size];
  });
  writeFileSync(inputsFile, `${JSON.stringify({ inputs })}\n`);
  return 'built';
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  console.log(`delinkcious bundle: ${await prebuild()}`);
}
