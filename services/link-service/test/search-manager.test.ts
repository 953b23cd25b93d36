/** LinkManager's listing with q, sort, several tags and page tokens (docs/design.md §14). */
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { ValidationError, type GetLinksRequest } from '@delinkcious/object-model';
import { encodePageToken } from '../src/filters.ts';
import { DefaultLinkManager } from '../src/manager.ts';
import { MemoryLinkStore } from '../src/stores/memory-link-store.ts';

let clock = 0;
let manager: DefaultLinkManager;

beforeEach(() => {
  clock = Date.parse('2026-03-01T00:00:00Z');
  manager = new DefaultLinkManager({ store: new MemoryLinkStore(), maxLinksPerUser: 1000, now: () => new Date((clock += 1000)) });
});

const add = (url: string, title: string, tags: string[] = [], description = '') =>
  manager.addLink({ username: 'alice', url, title, tags, description });
const urls = async (request: Partial<GetLinksRequest>) =>
  (await manager.getLinks({ username: 'alice', ...request })).links.map((link) => link.url);
const refused = (request: Partial<GetLinksRequest>, message: RegExp) =>
  assert.rejects(manager.getLinks({ username: 'alice', ...request }), (error: unknown) => error instanceof ValidationError && message.test(error.message));

/** Every page of a listing, following next_page_token. */
async function allPages(request: Partial<GetLinksRequest>): Promise<string[]> {
  const seen: string[] = [];
  let startToken: string | undefined;
  for (let i = 0; i < 50; i++) {
    const page = await manager.getLinks({ username: 'alice', ...request, startToken });
    seen.push(...page.links.map((link) => link.url));
    if (page.nextPageToken === '') return seen;
    startToken = page.nextPageToken;
  }
  throw new Error('paging did not end');
}

describe('LinkManager.getLinks with search', () => {
  test('tag=a,b and repeated tags mean links with all of them (before, only the first was used)', async () => {
    await add('https://x.example/1', 'one', ['a', 'b']);
    await add('https://x.example/2', 'two', ['a']);
    await add('https://x.example/3', 'three', ['b', 'c']);
    assert.deepEqual(await urls({ tag: 'a,b' }), ['https://x.example/1']);
    assert.deepEqual(await urls({ tag: 'a b' }), ['https://x.example/1']);
    assert.deepEqual(await urls({ tags: ['b', 'a'] }), ['https://x.example/1']);
    assert.deepEqual(await urls({ tag: 'b', tags: ['c'] }), ['https://x.example/3']);
    assert.deepEqual(await urls({ tags: ['A'] }), ['https://x.example/2', 'https://x.example/1'], 'tags are compared lower-cased');
  });

  test('q filters; newest is the default sort; relevance ranks title matches first', async () => {
    await add('https://x.example/title', 'Gardening for beginners');
    await add('https://x.example/desc', 'Other', [], 'a page about gardening');
    await add('https://x.example/none', 'Cooking');
    assert.deepEqual(await urls({ q: 'gardening' }), ['https://x.example/desc', 'https://x.example/title']);
    assert.deepEqual(await urls({ q: 'gardening', sort: 'relevance' }), ['https://x.example/title', 'https://x.example/desc']);
    assert.deepEqual(await urls({ q: '-gardening', sort: 'relevance' }), ['https://x.example/none'], 'relevance without words: newest');
    assert.deepEqual(await urls({ q: 'gardening', sort: 'oldest' }), ['https://x.example/title', 'https://x.example/desc']);
    assert.deepEqual(await urls({ q: '-gardening' }), ['https://x.example/none']);
    assert.deepEqual(await urls({ sort: 'title' }), ['https://x.example/none', 'https://x.example/title', 'https://x.example/desc']);
  });

  test('regex filters still apply, after the search', async () => {
    await add('https://a.example/go', 'Go tips');
    await add('https://b.example/go', 'Go tricks');
    assert.deepEqual(await urls({ q: 'go', urlRegex: '^https://a\\.' }), ['https://a.example/go']);
  });

  test('a malformed query or sort is a ValidationError saying what and where', async () => {
    await refused({ q: 'go "unclosed' }, /^q: unclosed quote at character 4$/);
    await refused({ q: 'is:maybe' }, /^q: unknown is: value "maybe"/);
    await refused({ sort: 'popular' }, /^sort must be one of newest, oldest, title, relevance$/);
    await refused({ tag: 'a,b', tags: [3 as unknown as string] }, /^tag must contain only text$/);
  });

  for (const sort of ['newest', 'oldest', 'title', 'relevance']) {
    test(`page tokens follow the ${sort} order to the end, each link once`, async () => {
      for (let i = 0; i < 7; i++) await add(`https://p.example/${i}`, `${i % 2 ? 'Same' : `T${i}`} paging`, [], i % 3 ? 'paging' : '');
      const whole = await urls({ q: 'paging', sort, limit: 100 });
      assert.equal(whole.length, 7);
      assert.deepEqual(await allPages({ q: 'paging', sort, limit: 2 }), whole);
    });
  }

  test('paging with regex filters and a sort: the scan goes on from the right place', async () => {
    for (let i = 0; i < 9; i++) await add(`https://r.example/${i}`, `Title ${9 - i}`);
    const whole = await urls({ sort: 'title', titleRegex: 'Title [1-7]', limit: 100 });
    assert.deepEqual(whole, [1, 2, 3, 4, 5, 6, 7].map((n) => `https://r.example/${9 - n}`));
    assert.deepEqual(await allPages({ sort: 'title', titleRegex: 'Title [1-7]', limit: 2 }), whole);
  });

  test("a token of another sort is refused; an old token (an id) still pages newest first", async () => {
    await add('https://o.example/1', 'one');
    await add('https://o.example/2', 'two');
    await add('https://o.example/3', 'three');
    const page = await manager.getLinks({ username: 'alice', sort: 'title', limit: 1 });
    await refused({ sort: 'newest', startToken: page.nextPageToken }, /^start_token belongs to another sort order than newest$/);
    const first = (await manager.getLinks({ username: 'alice', limit: 1 })).links[0]!;
    assert.equal(first.url, 'https://o.example/3');
    // The id of link 3 is 3 in a fresh memory store: what a token of before this round held.
    const oldToken = Buffer.from(JSON.stringify({ v: 1, before: 3 })).toString('base64url');
    assert.deepEqual(await urls({ startToken: oldToken }), ['https://o.example/2', 'https://o.example/1']);
    await refused({ sort: 'title', startToken: oldToken }, /another sort order/);
    await refused({ startToken: encodePageToken({ sort: 'newest', key: 'not a time', id: 1 }) }, /^start_token is not a valid page token$/);
    await refused({ startToken: 'garbage' }, /^start_token is not a valid page token$/);
  });
});
