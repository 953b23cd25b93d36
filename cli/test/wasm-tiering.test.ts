/**
 * Where the embedded process tiers PGlite's WebAssembly up (cli/src/start.ts, docs/design.md §13):
 * only on V8 12+ in a process started with glibc's thresholds for returning freed memory, which
 * `npm start` sets.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { returnFreedMemory } from '@delinkcious/kit';
import { wasmTiersUp } from '../src/start.ts';

const returns = () => true;
const keeps = () => false;

test('tiers up on V8 12 and later when the process returns freed memory', () => {
  assert.equal(wasmTiersUp({}, '12.4.254.21-node.33', returns), true);
  assert.equal(wasmTiersUp({}, '13.6.233.17-node.63', returns), true);
});

test('stays on the baseline compiler on V8 11 (Node.js 20), or where freed memory is kept', () => {
  assert.equal(wasmTiersUp({}, '11.3.244.8-node.38', returns), false);
  assert.equal(wasmTiersUp({}, '13.6.233.17-node.63', keeps), false);
});

test('npm start sets each of the allocator settings, unless the environment has its own', () => {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
  const start = manifest.scripts.start!;
  const [command] = start.split(' node ');
  for (const [name, value] of Object.entries(returnFreedMemory)) {
    assert.ok(command!.includes(`${name}=\${${name}:-${value}}`), `npm start sets ${name}=${value}: ${start}`);
  }
});
