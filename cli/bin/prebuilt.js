// The prebuilt bundle of the command (cli/src/prebuild.ts writes it, `npm start` runs it): usable only
// while every source it was built from is unchanged, which inputs.json records (path, mtime, size).
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const prebuiltDir = fileURLToPath(new URL('../dist/', import.meta.url));
export const inputsFile = `${prebuiltDir}inputs.json`;

/** The bundle's entry files when it is up to date with the sources, else undefined. */
export function upToDatePrebuilt() {
  try {
    const { inputs } = JSON.parse(readFileSync(inputsFile, 'utf8'));
    for (const [path, mtimeMs, size] of inputs) {
      const stat = statSync(path);
      if (stat.mtimeMs !== mtimeMs || stat.size !== size) return undefined;
    }
    return { preload: `${prebuiltDir}telemetry-preload.mjs`, main: `${prebuiltDir}delinkcious.mjs` };
  } catch {
    return undefined; // none built, or from other sources
  }
}
