#!/usr/bin/env node
// Runs every *.test.ts under libs/, services/, cli/ and test/ with node's test
// runner (through tsx). Arguments narrow the run to paths containing them;
// --except=<text> leaves out the paths containing it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const roots = ['libs', 'services', 'proto', 'cli', 'test', 'deploy'];
const skipDirs = new Set(['node_modules', 'dist', '.delinkcious']);

function* testFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skipDirs.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* testFiles(path);
    else if (entry.name.endsWith('.test.ts')) yield relative(root, path);
  }
}

const args = process.argv.slice(2);
const excluded = args.filter((arg) => arg.startsWith('--except=')).map((arg) => arg.slice('--except='.length));
const filters = args.filter((arg) => !arg.startsWith('--except='));
const files = roots
  .filter((dir) => existsSync(join(root, dir)))
  .flatMap((dir) => [...testFiles(join(root, dir))])
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .filter((file) => !excluded.some((filter) => file.includes(filter)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=600000', ...files],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
