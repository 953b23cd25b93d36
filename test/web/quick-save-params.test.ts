/**
 * The pure parts of quick save (web/src): what /save takes from its query
 * (the bookmarklet's url/title/description, a share sheet's text with the URL
 * inside) and what the bookmarklet's script does when run on a page.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runInNewContext } from 'node:vm';
import { firstUrlIn, sharedLink } from '../../web/src/share-params.ts';
import { bookmarkletCode, bookmarkletHref } from '../../web/src/bookmarklet-code.ts';

const shared = (query: Record<string, string>) => sharedLink(new URLSearchParams(query));

describe('what /save takes from its query', () => {
  test('the bookmarklet: url, title and description as given', () => {
    assert.deepEqual(shared({ url: ' https://example.com/a ', title: ' A page ', description: 'chosen words' }), {
      url: 'https://example.com/a',
      title: 'A page',
      description: 'chosen words',
    });
  });

  test('a share with the URL inside the text (the manifest maps text to description): the URL, and the rest as description', () => {
    assert.deepEqual(shared({ title: 'Great read', description: 'Look at this: https://example.com/post?id=3.' }), {
      url: 'https://example.com/post?id=3',
      title: 'Great read',
      description: 'Look at this:',
    });
    assert.deepEqual(shared({ title: 'Great read', description: 'https://example.com/x' }), { url: 'https://example.com/x', title: 'Great read', description: '' });
    assert.deepEqual(shared({ text: 'see https://example.com/t' }), { url: 'https://example.com/t', title: '', description: 'see' });
  });

  test('a URL in the title alone (some apps) becomes the URL, not the title', () => {
    assert.deepEqual(shared({ title: 'https://example.com/only' }), { url: 'https://example.com/only', title: '', description: '' });
  });

  test('no URL anywhere: an empty URL to fill in, the text kept', () => {
    assert.deepEqual(shared({ title: 'Notes', description: 'no address here' }), { url: '', title: 'Notes', description: 'no address here' });
    assert.deepEqual(shared({}), { url: '', title: '', description: '' });
  });

  test('a URL in a sentence loses the punctuation after it, but keeps its own brackets', () => {
    assert.equal(firstUrlIn('(see https://example.com/a).'), 'https://example.com/a');
    assert.equal(firstUrlIn('https://en.wikipedia.org/wiki/Go_(game), nice'), 'https://en.wikipedia.org/wiki/Go_(game)');
    assert.equal(firstUrlIn('ftp://example.com only'), undefined);
    assert.equal(firstUrlIn('HTTPS://EXAMPLE.COM/X!'), 'HTTPS://EXAMPLE.COM/X');
  });
});

describe('the bookmarklet', () => {
  /** Runs the bookmarklet's script as a browser would on a page, recording what it opens. */
  function runOn(page: { href: string; title: string; selection: string; popupsBlocked?: boolean }) {
    const opened: Array<{ url: string; name: string; features: string }> = [];
    const location = { href: page.href };
    const href = bookmarkletHref('https://links.example');
    assert.ok(href.startsWith('javascript:'));
    // A browser runs a javascript: URL percent-decoded.
    runInNewContext(decodeURIComponent(href.slice('javascript:'.length)), {
      location,
      document: { title: page.title },
      getSelection: () => ({ toString: () => page.selection }),
      encodeURIComponent,
      String,
      open: (url: string, name: string, features: string) => {
        opened.push({ url, name, features });
        return page.popupsBlocked ? null : {};
      },
    });
    return { opened, location };
  }

  test('opens /save of this Delinkcious in a small window with the page’s URL, title and selection', () => {
    const { opened, location } = runOn({ href: 'https://news.example/a?x=1&y=2#top', title: 'An “article” & more', selection: 'the gist' });
    assert.equal(opened.length, 1);
    const url = new URL(opened[0]!.url);
    assert.equal(`${url.origin}${url.pathname}`, 'https://links.example/save');
    assert.equal(url.searchParams.get('url'), 'https://news.example/a?x=1&y=2#top');
    assert.equal(url.searchParams.get('title'), 'An “article” & more');
    assert.equal(url.searchParams.get('description'), 'the gist');
    assert.match(opened[0]!.features, /width=\d+,height=\d+/);
    assert.equal(url.searchParams.get('popup'), '1', 'so /save knows it may close itself');
    assert.equal(location.href, 'https://news.example/a?x=1&y=2#top', 'the page itself stays');
  });

  test('popups blocked: the same /save in this tab; a long selection is cut', () => {
    const { location } = runOn({ href: 'https://news.example/b', title: 'B', selection: 'x'.repeat(5000), popupsBlocked: true });
    const url = new URL(location.href);
    assert.equal(url.pathname, '/save');
    assert.equal(url.searchParams.get('url'), 'https://news.example/b');
    assert.equal(url.searchParams.get('description')!.length, 1000);
    assert.equal(url.searchParams.get('popup'), null, 'a tab of its own stays open');
  });

  test('the script holds no percent sign of its own and no space (a javascript: URL is percent-decoded)', () => {
    const code = bookmarkletCode('https://links.example');
    assert.doesNotMatch(code, /%/);
    assert.doesNotMatch(bookmarkletHref('https://links.example'), /\s/);
  });
});
