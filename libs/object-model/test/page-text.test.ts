/** pageText and pageUrl: text from someone else's page made fit for a link field (docs/design.md §17). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pageText, pageUrl } from '../src/rules.ts';

describe('pageText', () => {
  test('collapses whitespace and control characters to one space, trimmed', () => {
    assert.equal(pageText('  a \n\t b\u0000c\u0085d\u007f  ', 100), 'a b c d');
  });

  test('cuts to the limit without splitting a character, and never ends on a space', () => {
    assert.equal(pageText('abcdef', 3), 'abc');
    assert.equal(pageText('ab😀cd', 3), 'ab', 'the emoji would be cut in half');
    assert.equal(pageText('ab cd', 3), 'ab');
  });

  test('lone surrogates become U+FFFD (they cannot be stored as UTF-8)', () => {
    assert.equal(pageText('a\ud800b', 10), 'a\ufffdb');
  });
});

describe('pageUrl', () => {
  test('keeps absolute http(s) URLs within the limit, normalised; drops anything else', () => {
    assert.equal(pageUrl(' https://a.example/x y ', 100), 'https://a.example/x%20y');
    assert.equal(pageUrl('javascript:alert(1)', 100), '');
    assert.equal(pageUrl('/relative', 100), '');
    assert.equal(pageUrl(`https://a.example/${'x'.repeat(100)}`, 50), '');
  });
});
