import assert from 'node:assert/strict';
import { test } from 'node:test';
import { returnFreedMemory, returnsFreedMemory } from '../src/allocator.ts';

const glibc = () => '2.36';
const otherLibc = () => undefined;

test('a process started with both thresholds, on glibc, returns freed memory', () => {
  assert.equal(returnsFreedMemory({ ...returnFreedMemory }, glibc), true);
  assert.equal(returnsFreedMemory({ MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '0' }, glibc), true);
});

test('one threshold missing or empty: freed memory is kept', () => {
  for (const name of Object.keys(returnFreedMemory)) {
    const without: Record<string, string | undefined> = { ...returnFreedMemory };
    delete without[name];
    assert.equal(returnsFreedMemory(without, glibc), false, `without ${name}`);
    assert.equal(returnsFreedMemory({ ...returnFreedMemory, [name]: '' }, glibc), false, `${name} empty`);
  }
});

test('on another C library the variables mean nothing', () => {
  assert.equal(returnsFreedMemory({ ...returnFreedMemory }, otherLibc), false);
});

test("this process's C library is found (glibc on Linux here, none on other systems)", () => {
  const report = process.report as unknown as { excludeNetwork: boolean };
  const excluded = report.excludeNetwork;
  const found = returnsFreedMemory({ ...returnFreedMemory });
  assert.equal(report.excludeNetwork, excluded, "the process's own report settings are left as they were");
  const header = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header;
  assert.equal(found, header.glibcVersionRuntime !== undefined);
  if (process.platform === 'linux' && process.env.CI) assert.equal(found, true, 'CI runs on glibc');
});
