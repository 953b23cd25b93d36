#!/usr/bin/env node
// Runs every *.test.ts under libs/, services/, cli/ and test/ with node's test
// runner (through tsx). Arguments narrow the run to paths containing them;
// --except=<text> leaves out the paths containing it.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { filesKilledByJitPageCheck } from './v8-jit-page-crash.mjs';

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
/** Runs `testFiles`, its output shown as it comes and kept: the exit status and the output. */
function run(testFiles) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=600000', ...testFiles],
      // Colours in a terminal, as when the runner wrote there itself; taken out of the kept output.
      { cwd: root, stdio: ['inherit', 'pipe', 'pipe'], env: { ...process.env, ...(process.stdout.isTTY && { FORCE_COLOR: '1' }) } },
    );
    const chunks = [];
    child.stdout.on('data', (chunk) => (process.stdout.write(chunk), chunks.push(chunk)));
    child.stderr.on('data', (chunk) => (process.stderr.write(chunk), chunks.push(chunk)));
    child.on('close', (code) => resolve({ status: code ?? 1, output: stripVTControlCharacters(Buffer.concat(chunks).toString()) }));
  });
}

const first = await run(files);
// A file whose process V8 aborted on its JIT-page registry (v8-jit-page-crash.mjs) runs once more.
const killed = first.status === 0 ? null : filesKilledByJitPageCheck(first.output);
if (!killed) process.exit(first.status);
console.error(`\n${killed.join(', ')}: the process died of V8's JIT-page CHECK (a fault of V8, not a test): once more\n`);
process.exit((await run(killed)).status);
