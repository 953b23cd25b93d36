import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byCodePoint } from '../src/rules.ts';

const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

test('byCodePoint orders as UTF-8 bytes (PostgreSQL "C"), not as UTF-16 units', () => {
  // U+FF5E is one UTF-16 unit above the surrogate pair of U+1F600: the default sort puts the emoji first.
  const names = ['b', 'a', '\u{ff5e}', '\u{1f600}', 'ab', '', 'Z', '42', 'é'];
  assert.deepEqual([...names].sort(byCodePoint), [...names].sort(utf8Order));
  assert.notDeepEqual([...names].sort(), [...names].sort(utf8Order));
  assert.ok(byCodePoint('a', 'ab') < 0);
  assert.ok(byCodePoint('ab', 'a') > 0);
  assert.equal(byCodePoint('\u{1f600}x', '\u{1f600}x'), 0);
});
