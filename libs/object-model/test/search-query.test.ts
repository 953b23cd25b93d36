import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ValidationError,
  foldText,
  hasSearchWords,
  parseSearchQuery,
  parseSearchSort,
  searchFold,
  searchLimits,
  searchWords,
  type SearchTerm,
} from '../src/index.ts';

const one = (q: string): SearchTerm[] => {
  const { branches } = parseSearchQuery(q);
  assert.equal(branches.length, 1, `one branch for ${q}`);
  return branches[0]!;
};

const refused = (q: string, message: string) =>
  assert.throws(
    () => parseSearchQuery(q),
    (error: unknown) => error instanceof ValidationError && error.message === message,
    `${JSON.stringify(q)} → ${message}`,
  );

describe('parseSearchQuery', () => {
  test('absent, empty and blank queries are the empty query', () => {
    for (const q of [undefined, '', '   ']) assert.deepEqual(parseSearchQuery(q), { branches: [] });
  });

  test('words must all match; the last is a prefix unless a space follows it', () => {
    assert.deepEqual(one('postgres tuning'), [
      { kind: 'words', words: ['postgres'], prefix: false, negated: false },
      { kind: 'words', words: ['tuning'], prefix: true, negated: false },
    ]);
    assert.deepEqual(one('postgres tuning ').at(-1), { kind: 'words', words: ['tuning'], prefix: false, negated: false });
  });

  test('words are folded: case and accents do not matter', () => {
    assert.deepEqual(one('Crème BRÛLÉE ').map((term) => term.kind === 'words' && term.words), [['creme'], ['brulee']]);
  });

  test('punctuation splits a word into words that follow each other; regex characters are just text', () => {
    assert.deepEqual(one('Node.js API ( '), [
      { kind: 'words', words: ['node', 'js'], prefix: false, negated: false },
      { kind: 'words', words: ['api'], prefix: false, negated: false },
    ]);
    assert.deepEqual(parseSearchQuery('((( ***'), { branches: [] });
  });

  test('"exact phrase" and -"phrase"', () => {
    assert.deepEqual(one('"full text search" -"stop words"'), [
      { kind: 'words', words: ['full', 'text', 'search'], prefix: false, negated: false },
      { kind: 'words', words: ['stop', 'words'], prefix: false, negated: true },
    ]);
  });

  test('-word excludes; a lone - is ignored', () => {
    assert.deepEqual(one('go -java - '), [
      { kind: 'words', words: ['go'], prefix: false, negated: false },
      { kind: 'words', words: ['java'], prefix: false, negated: true },
    ]);
  });

  test('#tag, tag:tag and -#tag, lower-cased; a lone # is ignored', () => {
    assert.deepEqual(one('#Go tag:db -#old #'), [
      { kind: 'tag', tag: 'go', negated: false },
      { kind: 'tag', tag: 'db', negated: false },
      { kind: 'tag', tag: 'old', negated: true },
    ]);
  });

  test('site: takes a host or a URL, lower-cased, IDN as punycode', () => {
    assert.deepEqual(one('site:Example.ORG site:https://go.dev/doc -site:bücher.de'), [
      { kind: 'site', host: 'example.org', negated: false },
      { kind: 'site', host: 'go.dev', negated: false },
      { kind: 'site', host: 'xn--bcher-kva.de', negated: true },
    ]);
  });

  test('is: values, in any case', () => {
    assert.deepEqual(
      one('is:private is:PUBLIC is:unread is:read is:valid is:invalid -is:pending').map((term) => term.kind === 'is' && [term.value, term.negated]),
      [
        ['private', false],
        ['public', false],
        ['unread', false],
        ['read', false],
        ['valid', false],
        ['invalid', false],
        ['pending', true],
      ],
    );
  });

  test('after: and before: take a calendar day', () => {
    assert.deepEqual(one('after:2024-02-29 before:2025-01-01'), [
      { kind: 'after', at: '2024-02-29', negated: false },
      { kind: 'before', at: '2025-01-01', negated: false },
    ]);
  });

  test('OR separates branches; AND binds tighter', () => {
    const { branches } = parseSearchQuery('a b OR c OR #d site:e.org');
    assert.deepEqual(
      branches.map((branch) => branch.map((term) => term.kind)),
      [['words', 'words'], ['words'], ['tag', 'site']],
    );
    // Only upper-case OR is the operator; "or" is a word.
    assert.equal(parseSearchQuery('this or that').branches.length, 1);
  });

  test('a branch of nothing searchable is dropped', () => {
    assert.deepEqual(parseSearchQuery('*** OR go ').branches, [[{ kind: 'words', words: ['go'], prefix: false, negated: false }]]);
  });

  test('newest is the default sort, with or without words; sorts are read in any case', () => {
    assert.equal(parseSearchSort(undefined), 'newest');
    assert.equal(parseSearchSort(' '), 'newest');
    assert.equal(parseSearchSort('Title'), 'title');
    assert.equal(parseSearchSort('relevance'), 'relevance');
    assert.equal(hasSearchWords(parseSearchQuery('"a b"')), true);
    assert.equal(hasSearchWords(parseSearchQuery('-go #db')), false);
    assert.throws(() => parseSearchSort('popular'), /sort must be one of newest, oldest, title, relevance/);
  });

  describe('malformed queries say what and where (characters count from 1)', () => {
    test('quotes', () => {
      refused('sql "full text', 'q: unclosed quote at character 5');
      refused('-"x', 'q: unclosed quote at character 2');
    });
    test('is: values', () => {
      refused('is:foo', 'q: unknown is: value "foo" (use private, public, unread, read, valid, invalid, pending) at character 4');
    });
    test('operators need a value', () => {
      refused('go site:', 'q: site: needs a value at character 9');
      refused('is:', 'q: is: needs a value at character 4');
    });
    test('dates', () => {
      refused('after:2024-02-30', 'q: after: needs a date as YYYY-MM-DD, not "2024-02-30" at character 7');
      refused('x before:yesterday', 'q: before: needs a date as YYYY-MM-DD, not "yesterday" at character 10');
    });
    test('site: hosts', () => {
      refused('site:exa%mple.org', 'q: site: "exa%mple.org" is not a host name at character 6');
    });
    test('tags', () => {
      refused('#a,b', 'q: a tag cannot hold a comma at character 2');
      refused(`#${'t'.repeat(65)}`, 'q: a tag is longer than 64 characters at character 2');
    });
    test('OR needs a term on each side', () => {
      refused('OR go', 'q: OR needs a term before it at character 1');
      refused('go OR', 'q: OR needs a term after it at character 4');
      refused('go OR OR java', 'q: OR needs a term before it at character 7');
    });
    test('cost is bounded: length, terms, branches', () => {
      assert.throws(() => parseSearchQuery('a'.repeat(searchLimits.length + 1)), /q is longer than 500 characters/);
      assert.doesNotThrow(() => parseSearchQuery(Array.from({ length: searchLimits.terms }, (_, i) => `w${i}`).join(' ')));
      refused(Array.from({ length: searchLimits.terms + 1 }, (_, i) => `w${i}`).join(' '), 'q: at most 20 terms are allowed at character 71');
      refused(Array.from({ length: searchLimits.branches + 1 }, (_, i) => `w${i}`).join(' OR '), 'q: at most 8 alternatives (OR) are allowed at character 46');
    });
    test('control characters', () => {
      assert.throws(() => parseSearchQuery('go\u0000'), /q must not contain control characters/);
    });
  });
});

describe('folding', () => {
  test('one character for one, both tables the same length', () => {
    assert.equal([...searchFold.from].length, [...searchFold.to].length);
    assert.equal(foldText('ÀÉÎÕÜ Çà Øł ß'), 'aeiou ca ol ß');
  });
  test('searchWords: folded runs of letters and digits', () => {
    assert.deepEqual(searchWords("Don't PANIC: h264 — 日本語 naïve"), ['don', 't', 'panic', 'h264', '日本語', 'naive']);
  });
});
