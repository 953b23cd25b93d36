/** What every LinkStore's listing must do with search, tags, sorts and keyset paging (docs/design.md §14). */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseSearchQuery, type SearchSort } from '@delinkcious/object-model';
import type { LinkChanges, LinkStore, ListCursor, ListQuery, NewLink } from '../../src/stores/link-store.ts';
import { eventFor, type StoreFixture } from './link-store-contract.ts';

const day = (iso: string) => new Date(`${iso}T12:00:00.000Z`);

export function searchContract(
  name: string,
  open: () => Promise<StoreFixture>,
  options: { skip?: string | false; sql: boolean },
) {
  describe(`LinkStore search contract: ${name}`, { skip: options.skip ?? false }, () => {
    let fixture: StoreFixture;
    let store: LinkStore;
    let n = 0;
    const user = () => `search${++n}-${Math.random().toString(36).slice(2, 8)}`;

    before(async () => {
      fixture = await open();
      store = fixture.store;
    });
    after(async () => fixture?.close());

    async function add(username: string, url: string, extra: Partial<NewLink> = {}, changes?: LinkChanges) {
      const outcome = await store.insert(
        { username, url, title: '', description: '', tags: [], private: false, unread: false, createdAt: day('2026-01-01'), ...extra },
        1000,
        eventFor('link.added'),
      );
      assert.equal(outcome.kind, 'added');
      if (changes) await store.update(username, url, () => changes, day('2026-06-01'), eventFor('link.updated'));
    }

    /** The URLs `q` finds, in the store's order. */
    const find = async (username: string, q: string, extra: Partial<ListQuery> = {}) =>
      (await store.list(username, { search: parseSearchQuery(q), limit: 100, ...extra })).map((link) => link.url);
    const sorted = async (username: string, q: string) => (await find(username, q)).sort();

    /** A small library shared by the tests that only read. */
    let lib: string;
    before(async () => {
      lib = user();
      await add(lib, 'https://www.postgresql.org/docs/current/textsearch.html', {
        title: 'PostgreSQL: Full Text Search',
        description: 'Chapter 12 of the manual',
        tags: ['db', 'search'],
        createdAt: day('2026-03-01'),
      });
      await add(lib, 'https://go.dev/doc/effective_go', {
        title: 'Effective Go',
        description: 'Tips for writing clear, idiomatic Go code; the text is full of examples.',
        tags: ['go', 'lang'],
        createdAt: day('2026-02-01'),
      });
      await add(lib, 'https://blog.example.org/creme', {
        title: 'Crème Brûlée for programmers',
        description: 'Desserts.',
        tags: ['food'],
        private: true,
        unread: true,
        createdAt: day('2026-01-15'),
      });
      await add(lib, 'https://nodejs.org/api/fs.html', {
        title: 'Node.js API (fs)',
        description: 'File system module',
        tags: ['node', 'js'],
        createdAt: day('2015-06-01'),
      }, { status: 'valid' });
      await add(lib, 'https://notexample.org/x', { title: 'Other site', tags: ['db'], createdAt: day('2026-04-01') }, { status: 'invalid' });
    });

    test('words must all match, in title, description, URL or tags, whatever their case and accents', async () => {
      assert.deepEqual(await sorted(lib, 'creme BRULEE '), ['https://blog.example.org/creme']);
      assert.deepEqual(await sorted(lib, 'manual '), ['https://www.postgresql.org/docs/current/textsearch.html']);
      assert.deepEqual(await sorted(lib, 'effective_go '), ['https://go.dev/doc/effective_go']);
      assert.deepEqual(await sorted(lib, 'food '), ['https://blog.example.org/creme']);
      assert.deepEqual(await sorted(lib, 'search manual '), ['https://www.postgresql.org/docs/current/textsearch.html']);
      assert.deepEqual(await sorted(lib, 'search desserts '), []);
    });

    test('"exact phrase": the words in that order', async () => {
      assert.deepEqual(await sorted(lib, '"full text search"'), ['https://www.postgresql.org/docs/current/textsearch.html']);
      // Effective Go's description has "text is full": both words, not the phrase.
      assert.deepEqual(await sorted(lib, 'text full '), ['https://go.dev/doc/effective_go', 'https://www.postgresql.org/docs/current/textsearch.html']);
      assert.deepEqual(await sorted(lib, '"text full"'), []);
    });

    test('-word and -"phrase" exclude', async () => {
      assert.deepEqual(await sorted(lib, 'text -manual'), ['https://go.dev/doc/effective_go']);
      assert.deepEqual(await sorted(lib, 'full -"full text"'), ['https://go.dev/doc/effective_go']);
    });

    test('#tag and -#tag; tags of the query all apply', async () => {
      assert.deepEqual(await sorted(lib, '#db'), ['https://notexample.org/x', 'https://www.postgresql.org/docs/current/textsearch.html']);
      assert.deepEqual(await sorted(lib, '#db #search'), ['https://www.postgresql.org/docs/current/textsearch.html']);
      assert.deepEqual(await sorted(lib, '#db -#search'), ['https://notexample.org/x']);
      assert.deepEqual((await store.list(lib, { tags: ['db', 'search'], limit: 10 })).map((l) => l.url), [
        'https://www.postgresql.org/docs/current/textsearch.html',
      ]);
      assert.deepEqual((await store.list(lib, { tag: 'go', tags: ['db'], limit: 10 })).length, 0, 'tag and tags: all of them');
    });

    test('site: is the host and its subdomains, nothing that merely ends alike', async () => {
      assert.deepEqual(await sorted(lib, 'site:example.org'), ['https://blog.example.org/creme']);
      assert.deepEqual(await sorted(lib, 'site:postgresql.org'), ['https://www.postgresql.org/docs/current/textsearch.html']);
      assert.deepEqual(await sorted(lib, 'site:nodejs.org'), ['https://nodejs.org/api/fs.html']);
      assert.deepEqual((await sorted(lib, '-site:example.org')).length, 4);
    });

    test('is: private, public, unread, read, valid, invalid, pending', async () => {
      assert.deepEqual(await sorted(lib, 'is:private'), ['https://blog.example.org/creme']);
      assert.equal((await sorted(lib, 'is:public')).length, 4);
      assert.deepEqual(await sorted(lib, 'is:unread'), ['https://blog.example.org/creme']);
      assert.equal((await sorted(lib, 'is:read')).length, 4);
      assert.deepEqual(await sorted(lib, 'is:valid'), ['https://nodejs.org/api/fs.html']);
      assert.deepEqual(await sorted(lib, 'is:invalid'), ['https://notexample.org/x']);
      assert.equal((await sorted(lib, 'is:pending')).length, 3);
      assert.deepEqual(await find(lib, 'is:private', { publicOnly: true }), [], 'a profile shows no private link');
    });

    test('after: is that day or later, before: earlier days (UTC)', async () => {
      assert.deepEqual(await sorted(lib, 'after:2026-03-01'), ['https://notexample.org/x', 'https://www.postgresql.org/docs/current/textsearch.html']);
      assert.deepEqual(await sorted(lib, 'before:2026-01-16 after:2026-01-15'), ['https://blog.example.org/creme']);
      assert.deepEqual(await sorted(lib, 'before:2016-01-01'), ['https://nodejs.org/api/fs.html']);
    });

    test('OR between terms; AND binds tighter', async () => {
      assert.deepEqual(await sorted(lib, 'desserts OR #go'), ['https://blog.example.org/creme', 'https://go.dev/doc/effective_go']);
      assert.deepEqual(await sorted(lib, '#db site OR effective go'), ['https://go.dev/doc/effective_go', 'https://notexample.org/x']);
    });

    test('the last word is also a prefix; the others are whole words (or substrings from 3 characters)', async () => {
      assert.deepEqual(await sorted(lib, 'po'), ['https://www.postgresql.org/docs/current/textsearch.html']);
      assert.deepEqual(await sorted(lib, 'po '), []);
      assert.deepEqual(await sorted(lib, 'po manual'), []);
    });

    test('a word of 3+ characters also matches inside words, folded: "sql" and "gres" find PostgreSQL', async () => {
      const pg = 'https://www.postgresql.org/docs/current/textsearch.html';
      assert.deepEqual(await sorted(lib, 'sql '), [pg]);
      assert.deepEqual(await sorted(lib, 'SQL'), [pg]);
      assert.deepEqual(await sorted(lib, 'gres '), [pg]);
      assert.deepEqual(await sorted(lib, 'GRÈS manual '), [pg], 'accents folded; with a whole word');
      assert.deepEqual(await sorted(lib, 'rûlé '), ['https://blog.example.org/creme'], 'inside an accented word');
      assert.deepEqual(await sorted(lib, 'xtsear '), [pg], 'inside the URL');
      assert.deepEqual(await sorted(lib, 'ourcesrch '), []);
    });

    test('substrings follow edits, and a word inside very many tokens still finds every link', async () => {
      const u = user();
      await add(u, 'https://e.example/1', { title: 'alpha' }, { title: 'Zymurgyx brewing' });
      assert.deepEqual(await sorted(u, 'murgy '), ['https://e.example/1'], 'a token of the edited title');
      assert.deepEqual(await sorted(u, 'alph '), [], 'not the old title');
      // More distinct tokens hold "qwz" than substringTokenLimit (200): LIKE alone then.
      const urls: string[] = [];
      for (let i = 0; i < 230; i++) {
        urls.push(`https://q.example/${i}`);
        await add(u, urls[i]!, { title: `note aqwz${i}x` });
      }
      assert.equal((await store.list(u, { search: parseSearchQuery('qwz '), limit: 500 })).length, 230);
      assert.equal((await store.list(u, { search: parseSearchQuery('qwz note'), limit: 500 })).length, 230, 'with a word beside');
      assert.deepEqual(await sorted(u, 'aqwz17x '), ['https://q.example/17']);
    });

    test('a word of 1 or 2 characters is no substring search', async () => {
      assert.deepEqual(await sorted(lib, 'ql '), []);
      assert.deepEqual(await sorted(lib, 'ql'), []);
    });

    test('% and _ are no wildcards', async () => {
      assert.deepEqual(await sorted(lib, 'ost%res '), []);
      assert.deepEqual(await sorted(lib, 'ost_res '), []);
      assert.deepEqual(await sorted(lib, '%%% '), (await sorted(lib, '')).sort(), 'nothing to search: everything');
      const u = user();
      await add(u, 'https://w.example/1', { title: '100% pure' });
      await add(u, 'https://w.example/2', { title: '1000 pure' });
      assert.deepEqual(await sorted(u, '100% '), ['https://w.example/1', 'https://w.example/2'], 'punctuation is a word boundary');
      assert.deepEqual(await sorted(u, '"100 pure"'), ['https://w.example/1']);
    });

    test('-word stays a whole word: -sql keeps PostgreSQL', async () => {
      assert.deepEqual(await sorted(lib, 'text -sql'), ['https://go.dev/doc/effective_go', 'https://www.postgresql.org/docs/current/textsearch.html']);
      assert.deepEqual(await sorted(lib, 'text -postgresql'), ['https://go.dev/doc/effective_go']);
    });

    test('relevance: a whole word ranks above a substring', async () => {
      const u = user();
      await add(u, 'https://r.example/whole', { description: 'an sql primer', createdAt: day('2026-01-01') });
      await add(u, 'https://r.example/inside', { title: 'MySQL', createdAt: day('2026-02-01') });
      assert.deepEqual(await find(u, 'sql', { sort: 'relevance' }), ['https://r.example/whole', 'https://r.example/inside']);
    });

    test('regular-expression characters are plain text: "Node.js API (" finds the page', async () => {
      assert.deepEqual(await sorted(lib, 'Node.js API ('), ['https://nodejs.org/api/fs.html']);
      assert.deepEqual(await sorted(lib, '.*'), (await sorted(lib, '')).sort(), 'nothing to search: everything');
    });

    if (options.sql) {
      test('SQL stores: inflections match ("tip" finds "Tips", "programmer" finds "programmers")', async () => {
        assert.deepEqual(await sorted(lib, 'tip '), ['https://go.dev/doc/effective_go']);
        assert.deepEqual(await sorted(lib, 'programmer example '), ['https://blog.example.org/creme']);
        assert.deepEqual(await sorted(lib, 'writes '), ['https://go.dev/doc/effective_go']);
      });
      test('SQL stores: a stop word alone restricts nothing; with other words it is ignored; negated, it excludes nothing', async () => {
        assert.equal((await find(lib, 'the ')).length, 5);
        assert.deepEqual(await sorted(lib, 'the manual '), ['https://www.postgresql.org/docs/current/textsearch.html']);
        assert.equal((await find(lib, '-the')).length, 5);
        assert.deepEqual(await sorted(lib, 'manual -the'), ['https://www.postgresql.org/docs/current/textsearch.html']);
        assert.deepEqual(await sorted(lib, 'manual -"the of"'), ['https://www.postgresql.org/docs/current/textsearch.html']);
      });
    }

    test('newest and oldest are by when the link was saved (an import keeps its date), then id', async () => {
      const all = await find(lib, '', { sort: 'newest' });
      assert.deepEqual(all, [
        'https://notexample.org/x',
        'https://www.postgresql.org/docs/current/textsearch.html',
        'https://go.dev/doc/effective_go',
        'https://blog.example.org/creme',
        'https://nodejs.org/api/fs.html',
      ]);
      assert.deepEqual(await find(lib, '', { sort: 'oldest' }), [...all].reverse());
    });

    test('title: case and accents folded, then id', async () => {
      assert.deepEqual(await find(lib, '', { sort: 'title' }), [
        'https://blog.example.org/creme',
        'https://go.dev/doc/effective_go',
        'https://nodejs.org/api/fs.html',
        'https://notexample.org/x',
        'https://www.postgresql.org/docs/current/textsearch.html',
      ]);
    });

    test('relevance: a match in the title ranks above one in the description', async () => {
      const u = user();
      await add(u, 'https://a.example/1', { title: 'Kubernetes operators', createdAt: day('2026-01-01') });
      await add(u, 'https://a.example/2', { title: 'Something else', description: 'about kubernetes', createdAt: day('2026-02-01') });
      await add(u, 'https://a.example/3', { title: 'Unrelated', tags: ['kubernetes'], createdAt: day('2026-03-01') });
      assert.deepEqual(await find(u, 'kubernetes', { sort: 'relevance' }), ['https://a.example/1', 'https://a.example/3', 'https://a.example/2']);
      assert.deepEqual(await find(u, 'kubernetes', { sort: 'newest' }), ['https://a.example/3', 'https://a.example/2', 'https://a.example/1']);
    });

    for (const sort of ['newest', 'oldest', 'title', 'relevance'] as SearchSort[]) {
      test(`keyset paging (${sort}): pages of 3 cover every match once, in order, with ties`, async () => {
        const u = user();
        for (let i = 0; i < 11; i++) {
          // Ties on purpose: equal dates, equal titles, equal ranks.
          await add(u, `https://p.example/${i}`, {
            title: i % 2 ? 'Same title paging' : `Title ${String.fromCharCode(97 + (i % 4))} paging`,
            description: i % 3 ? 'paging' : '',
            createdAt: day(i % 2 ? '2026-01-01' : `2026-01-0${2 + (i % 5)}`),
          });
        }
        const q = parseSearchQuery('paging');
        const whole = (await store.list(u, { search: q, sort, limit: 100 })).map((l) => l.url);
        assert.equal(whole.length, 11);
        const paged: string[] = [];
        let cursor: ListCursor | undefined;
        for (let page = 0; page < 10; page++) {
          const rows = await store.list(u, { search: q, sort, after: cursor, limit: 3 });
          paged.push(...rows.map((l) => l.url));
          if (rows.length < 3) break;
          cursor = { key: rows.at(-1)!.sortKey, id: rows.at(-1)!.id };
        }
        assert.deepEqual(paged, whole);
      });
    }

    test('an old page token (an id alone) goes on after that link, newest first', async () => {
      const u = user();
      await add(u, 'https://o.example/old', { createdAt: day('2026-01-01') });
      await add(u, 'https://o.example/new', { createdAt: day('2026-01-02') });
      await add(u, 'https://o.example/imported', { createdAt: day('2015-01-01') });
      const all = await store.list(u, { limit: 10 });
      assert.deepEqual(all.map((l) => l.url), ['https://o.example/new', 'https://o.example/old', 'https://o.example/imported']);
      assert.deepEqual((await store.list(u, { beforeId: all[0]!.id, limit: 10 })).map((l) => l.url), [
        'https://o.example/old',
        'https://o.example/imported',
      ]);
      assert.deepEqual((await store.list(u, { after: { id: all[1]!.id }, limit: 10 })).map((l) => l.url), ['https://o.example/imported']);
    });

    test('search sees each change at once (the same transaction)', async () => {
      const u = user();
      await add(u, 'https://c.example/', { title: 'original' });
      await store.update(u, 'https://c.example/', () => ({ title: 'afterwards', tags: ['zebra'] }), day('2026-06-01'), eventFor('link.updated'));
      assert.deepEqual(await find(u, 'original '), []);
      assert.deepEqual(await find(u, 'afterwards zebra '), ['https://c.example/']);
      assert.deepEqual(await find(u, '#zebra'), ['https://c.example/']);
    });

    test("one user's search never finds another's links", async () => {
      assert.deepEqual(await find(user(), 'postgresql '), []);
    });
  });
}
