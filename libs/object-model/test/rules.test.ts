import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ValidationError,
  byCodePoint,
  canonicalUsername,
  checkTagCount,
  checkText,
  isUsername,
  limits,
  optionalDescription,
  optionalEmail,
  optionalName,
  optionalPattern,
  optionalText,
  pageLimit,
  pageSizes,
  parseTags,
  requireHttpUrl,
  requireText,
  requireTitle,
  requireTokenName,
  requireUrlKey,
  urlAsGiven,
  requireUsername,
  tagItems,
} from '../src/index.ts';

const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** Asserts a ValidationError whose message starts with the field's name. */
function refuses(run: () => unknown, field: string, why?: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ValidationError, `a ValidationError, not ${String(error)}`);
    assert.ok(error.message.startsWith(`${field} `) || error.message.startsWith(`${field}:`), `"${error.message}" names ${field}`);
    if (why) assert.match(error.message, why);
    return true;
  });
}

const lone = '\ud800';

test('byCodePoint orders as UTF-8 bytes (PostgreSQL "C"), not as UTF-16 units', () => {
  // U+FF5E is one UTF-16 unit above the surrogate pair of U+1F600: the default sort puts the emoji first.
  const names = ['b', 'a', '\u{ff5e}', '\u{1f600}', 'ab', '', 'Z', '42', 'é'];
  assert.deepEqual([...names].sort(byCodePoint), [...names].sort(utf8Order));
  assert.notDeepEqual([...names].sort(), [...names].sort(utf8Order));
  assert.ok(byCodePoint('a', 'ab') < 0);
  assert.ok(byCodePoint('ab', 'a') > 0);
  assert.equal(byCodePoint('\u{1f600}x', '\u{1f600}x'), 0);
});

describe('the text rule', () => {
  test('accepts ordinary text, emoji (a surrogate pair) and the limit exactly', () => {
    assert.equal(checkText('Grüße 😀', 'title'), 'Grüße 😀');
    assert.equal(checkText('x'.repeat(10), 'title', { max: 10 }), 'x'.repeat(10));
  });

  test('refuses NUL, other C0 controls, DEL and C1 controls', () => {
    for (const control of ['\u0000', '\u0001', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u009f']) {
      refuses(() => checkText(`a${control}b`, 'title'), 'title', /control characters/);
    }
  });

  test('multi-line text may hold tab, line feed and carriage return, but no other control', () => {
    assert.equal(checkText('a\tb\r\nc', 'description', { lineBreaks: true }), 'a\tb\r\nc');
    for (const control of ['\u0000', '\u000b', '\u000c', '\u007f', '\u0085']) {
      refuses(() => checkText(`a${control}b`, 'description', { lineBreaks: true }), 'description', /control characters/);
    }
  });

  test('refuses a lone surrogate', () => {
    refuses(() => checkText(`a${lone}`, 'title'), 'title', /lone surrogate/);
    refuses(() => checkText('\udc00a', 'title'), 'title', /lone surrogate/);
  });

  test('refuses over-long text', () => {
    refuses(() => checkText('x'.repeat(11), 'name', { max: 10 }), 'name', /longer than 10 characters/);
  });

  test('requireText: required, text, trimmed', () => {
    assert.equal(requireText('  a  ', 'title'), 'a');
    for (const absent of [undefined, null, '', '   ']) refuses(() => requireText(absent, 'title'), 'title', /is required/);
    refuses(() => requireText(7, 'title'), 'title', /must be text/);
    refuses(() => requireText(' a\u0000 ', 'title'), 'title', /control/);
  });

  test('optionalText: absent is empty, text trimmed', () => {
    assert.equal(optionalText(undefined, 'name'), '');
    assert.equal(optionalText(null, 'name'), '');
    assert.equal(optionalText(' a ', 'name'), 'a');
    refuses(() => optionalText(['a'], 'name'), 'name', /must be text/);
    refuses(() => optionalText('a\u0000', 'name'), 'name', /control/);
  });
});

describe('usernames: GitHub logins', () => {
  test('accepts letters, digits and single inner hyphens, up to 39 characters', () => {
    for (const name of ['a', 'octocat', 'Mona-Lisa', 'a1-b2-c3', 'x'.repeat(limits.usernameLength)]) {
      assert.equal(requireUsername(name), name);
      assert.ok(isUsername(name), name);
    }
    assert.equal(requireUsername('  alice '), 'alice');
  });

  test('refuses everything else, naming the field', () => {
    for (const name of ['-lead', 'trail-', 'dou--ble', 'under_score', 'sp ace', 'dot.ted', 'ünï', 'a/b', '😀']) {
      refuses(() => requireUsername(name, 'followed'), 'followed', /letters, digits and single hyphens/);
      assert.equal(isUsername(name), false, name);
    }
    refuses(() => requireUsername('x'.repeat(40)), 'username', /longer than 39 characters/);
    assert.equal(isUsername('x'.repeat(40)), false);
    refuses(() => requireUsername(''), 'username', /is required/);
    refuses(() => requireUsername(undefined, 'follower'), 'follower', /is required/);
    refuses(() => requireUsername(42), 'username', /must be text/);
  });

  test('the canonical form is lower case, so names differing only in case are one', () => {
    assert.equal(canonicalUsername(' Mona-Lisa '), 'mona-lisa');
    assert.equal(canonicalUsername('ALICE'), canonicalUsername('alice'));
    refuses(() => canonicalUsername('dot.ted', 'followed'), 'followed', /letters, digits and single hyphens/);
  });

  test('a NUL, another control or a lone surrogate is named as such', () => {
    refuses(() => requireUsername('al\u0000ice'), 'username', /control characters/);
    refuses(() => requireUsername('al\u007fice'), 'username', /control characters/);
    refuses(() => requireUsername(`al${lone}ice`), 'username', /lone surrogate/);
  });
});

describe('URLs', () => {
  test('accepts http and https URLs with a host, trimmed', () => {
    assert.equal(requireHttpUrl(' https://example.com/a?b=c '), 'https://example.com/a?b=c');
    const longest = `https://e.com/${'a'.repeat(limits.urlLength - 14)}`;
    assert.equal(requireHttpUrl(longest), longest);
  });

  test('refuses other schemes, non-URLs, over-long URLs, controls and lone surrogates', () => {
    refuses(() => requireHttpUrl('ftp://example.com'), 'url', /http or https URL, not ftp/);
    refuses(() => requireHttpUrl('javascript:alert(1)'), 'url', /not javascript/);
    refuses(() => requireHttpUrl('not a url'), 'url', /not a valid URL/);
    refuses(() => requireHttpUrl(`https://e.com/${'a'.repeat(limits.urlLength)}`), 'url', /longer than 2048/);
    refuses(() => requireHttpUrl('https://e.com/\u0000'), 'url', /control characters/);
    // The URL parser would silently drop a tab: it is refused first.
    refuses(() => requireHttpUrl('https://e.com/a\tb'), 'url', /control characters/);
    refuses(() => requireHttpUrl(`https://e.com/${lone}`), 'url', /lone surrogate/);
    refuses(() => requireHttpUrl(undefined, 'new_url'), 'new_url', /is required/);
  });

  test('normal form: scheme and host lower-cased, default port dropped, IDN in punycode, the rest as written', () => {
    assert.equal(requireHttpUrl('http://EXAMPLE.com'), 'http://example.com');
    assert.equal(requireHttpUrl('HTTPS://Go.Dev:443/Doc?Q=A#Frag'), 'https://go.dev/Doc?Q=A#Frag');
    assert.equal(requireHttpUrl('http://go.dev:80/'), 'http://go.dev/');
    assert.equal(requireHttpUrl('https://go.dev:8443/x'), 'https://go.dev:8443/x');
    assert.equal(requireHttpUrl('http://User:PW@Host.example/%7Ea'), 'http://User:PW@host.example/%7Ea');
    assert.equal(requireHttpUrl('http://Bücher.example/'), 'http://xn--bcher-kva.example/');
    assert.equal(requireHttpUrl('http://[::1]:80/a'), 'http://[::1]/a');
    // Written without "//": the parser's own form.
    assert.equal(requireHttpUrl('http:example.com/a'), 'http://example.com/a');
  });

  test('a URL key is any text without controls, in normal form when it is an http(s) URL', () => {
    assert.equal(requireUrlKey(' ftp://old.example '), 'ftp://old.example');
    assert.equal(requireUrlKey('https://GO.DEV/doc'), 'https://go.dev/doc');
    assert.equal(urlAsGiven(' https://GO.DEV/doc '), 'https://GO.DEV/doc');
    refuses(() => requireUrlKey('https://e.com/\u0000'), 'url', /control characters/);
    refuses(() => requireUrlKey(''), 'url', /is required/);
  });
});

describe('link fields', () => {
  test('title: required, trimmed, at most 512 characters, one line', () => {
    assert.equal(requireTitle(' A title '), 'A title');
    assert.equal(requireTitle('t'.repeat(limits.titleLength)).length, 512);
    refuses(() => requireTitle('t'.repeat(limits.titleLength + 1)), 'title', /longer than 512/);
    refuses(() => requireTitle('a\nb'), 'title', /control characters/);
    refuses(() => requireTitle(' '), 'title', /is required/);
  });

  test('description: optional, kept as written, lines allowed, at most 8192 characters', () => {
    assert.equal(optionalDescription(undefined), '');
    assert.equal(optionalDescription(' line one\n\tline two\r\n'), ' line one\n\tline two\r\n');
    refuses(() => optionalDescription('d'.repeat(limits.descriptionLength + 1)), 'description', /longer than 8192/);
    refuses(() => optionalDescription('a\u0000b'), 'description', /control characters/);
    refuses(() => optionalDescription(3), 'description', /must be text/);
  });

  test('regex filters: absent or empty is none; at most 256 characters', () => {
    assert.equal(optionalPattern(undefined, 'url_regex'), undefined);
    assert.equal(optionalPattern('', 'url_regex'), undefined);
    assert.equal(optionalPattern('^https?://', 'url_regex'), '^https?://');
    refuses(() => optionalPattern('a'.repeat(limits.patternLength + 1), 'title_regex'), 'title_regex', /longer than 256/);
    refuses(() => optionalPattern('a\u0000', 'url_regex'), 'url_regex', /control characters/);
  });
});

describe('tags', () => {
  test('read from a separated string, a JSON array as text, an array, or the original map', () => {
    assert.deepEqual(tagItems('a, b  c,,d'), ['a', 'b', 'c', 'd']);
    assert.deepEqual(tagItems(' ["x","y z"] '), ['x', 'y', 'z']);
    assert.deepEqual(tagItems(['a', 'b c', 'd,e']), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(tagItems({ go: true, rust: false, ts: 1 }), ['go', 'ts']);
    assert.deepEqual(tagItems(undefined), []);
    assert.deepEqual(tagItems(''), []);
  });

  test('shapes that are not tags are refused, naming the field', () => {
    refuses(() => tagItems('[oops', 'add_tags'), 'add_tags', /not a valid JSON array/);
    refuses(() => tagItems(7), 'tags', /must be a list of tags/);
    refuses(() => tagItems([1, 2]), 'tags', /must contain only text/);
    refuses(() => tagItems('[1]'), 'tags', /must contain only text/);
  });

  test('parseTags trims, lower-cases and drops repeats, in the order given', () => {
    assert.deepEqual(parseTags('Go, rust GO  ts'), ['go', 'rust', 'ts']);
    assert.deepEqual(parseTags({ B: true, a: true }), ['b', 'a']);
    assert.deepEqual(parseTags(['x']), ['x']);
    assert.deepEqual(parseTags(null), []);
  });

  test('parseTags refuses long tags, too many tags, controls and lone surrogates', () => {
    assert.equal(parseTags('t'.repeat(limits.tagLength))[0]?.length, 64);
    refuses(() => parseTags('t'.repeat(limits.tagLength + 1)), 'tags', /a tag is longer than 64/);
    const many = Array.from({ length: limits.tagsPerLink + 1 }, (_, i) => `t${i}`);
    refuses(() => parseTags(many, 'add_tags'), 'add_tags', /at most 64 tags/);
    assert.equal(parseTags(many.slice(1)).length, 64);
    refuses(() => parseTags(['a\u0000b']), 'tags', /control characters/);
    refuses(() => parseTags({ 'a\u0001': true }), 'tags', /control characters/);
    refuses(() => parseTags([`a${lone}`], 'remove_tags'), 'remove_tags', /lone surrogate/);
  });

  test('checkTagCount', () => {
    checkTagCount(Array.from({ length: 64 }, (_, i) => `t${i}`));
    refuses(() => checkTagCount(Array.from({ length: 65 }, (_, i) => `t${i}`), 'add_tags'), 'add_tags', /at most 64 tags/);
  });
});

test('pageLimit: a whole number from 1 to 100, as a number or digits; absent is 10', () => {
  assert.equal(pageLimit(undefined), pageSizes.default);
  assert.equal(pageLimit(''), 10);
  assert.equal(pageLimit(' 25 '), 25);
  assert.equal(pageLimit(100), 100);
  for (const bad of [0, 101, 1.5, '0', '101', '-1', '1e2', '0x10', 'ten', Number.NaN, true]) {
    refuses(() => pageLimit(bad), 'limit', /whole number from 1 to 100/);
  }
});

describe('user fields', () => {
  test('name: optional, trimmed, at most 256 characters', () => {
    assert.equal(optionalName(' The Octocat '), 'The Octocat');
    assert.equal(optionalName(undefined), '');
    refuses(() => optionalName('n'.repeat(limits.nameLength + 1)), 'name', /longer than 256/);
    refuses(() => optionalName('a\u0000'), 'name', /control characters/);
  });

  test('email: optional, loosely an address, at most 320 characters', () => {
    assert.equal(optionalEmail('octo@github.example'), 'octo@github.example');
    assert.equal(optionalEmail(''), '');
    refuses(() => optionalEmail('not-an-address'), 'email', /not an email address/);
    refuses(() => optionalEmail(`${'e'.repeat(309)}@example.com`), 'email', /longer than 320/);
    refuses(() => optionalEmail('a\u0000@b'), 'email', /control characters/);
  });

  test('token name: required, at most 100 characters', () => {
    assert.equal(requireTokenName(' laptop '), 'laptop');
    refuses(() => requireTokenName(''), 'name', /is required/);
    refuses(() => requireTokenName('n'.repeat(limits.tokenNameLength + 1)), 'name', /longer than 100/);
    refuses(() => requireTokenName('a\u0000', 'token name'), 'token name', /control characters/);
  });
});
