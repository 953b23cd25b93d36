/**
 * Read later, one URL one link, tags and bulk edits (docs/design.md §15):
 * the LinkManager over every LinkStore (memory, PGlite, PostgreSQL).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as delinkciousDb from '@delinkcious/db';
import { ConflictError, ValidationError, type LinkEvent } from '@delinkcious/object-model';
import { storeDatabases } from '@delinkcious/testing';
import { migrationsDir } from '../src/main.ts';
import { DefaultLinkManager } from '../src/manager.ts';
import { MemoryLinkStore } from '../src/stores/memory-link-store.ts';
import { SqlLinkStore } from '../src/stores/sql-link-store.ts';
import type { LinkStore } from '../src/stores/link-store.ts';

interface Fixture {
  store: LinkStore;
  events(): Promise<LinkEvent[]>;
  /** SQL: the kept tag counts as a GROUP BY over every link would count them. */
  countedTags?(): Promise<{ kept: unknown[]; counted: unknown[] }>;
  close(): Promise<void>;
}

const databases = await storeDatabases({ db: delinkciousDb, migrationsDir, label: 'link_manager', prefix: 'test_links_organize' });
const stores: Array<{ name: string; skip: string | false; open: () => Promise<Fixture> }> = [
  {
    name: 'memory',
    skip: false,
    async open() {
      const store = new MemoryLinkStore();
      return { store, events: async () => [...store.outbox], close: async () => {} };
    },
  },
  ...databases.map(({ name, skip, open }) => ({
    name,
    skip,
    async open(): Promise<Fixture> {
      const { db, close } = await open();
      return {
        store: new SqlLinkStore(db),
        async events() {
          const { rows } = await db.query<{ payload: LinkEvent }>('SELECT payload FROM outbox ORDER BY id');
          return rows.map((row) => row.payload);
        },
        async countedTags() {
          const order = 'ORDER BY username COLLATE "C", tag COLLATE "C"';
          const kept = await db.query(`SELECT username, tag, links FROM tag_counts ${order}`);
          const counted = await db.query(`SELECT username, tag, count(*)::int AS links FROM links, unnest(tags) AS tag GROUP BY 1, 2 ${order}`);
          return { kept: kept.rows, counted: counted.rows };
        },
        close,
      };
    },
  })),
];

const t0 = Date.UTC(2026, 0, 1);

for (const { name, skip, open } of stores) {
  describe(`organize: read later, URL forms, tags, bulk edits (${name})`, { skip }, () => {
    let fixture: Fixture;
    let manager: DefaultLinkManager;
    let clock = t0;
    let n = 0;
    const user = () => `org${++n}-${Math.random().toString(36).slice(2, 8)}`;
    const eventsOf = async (username: string) => (await fixture.events()).filter((event) => event.username === username);
    const urlsOf = async (username: string) => (await manager.getLinks({ username, limit: 100 })).links.map((link) => link.url).sort();
    const linkOf = async (username: string, url: string) => (await manager.getLinks({ username, limit: 100 })).links.find((link) => link.url === url);
    const addMany = async (username: string, count: number, extra: { private?: boolean; tags?: string[] } = {}) => {
      const urls: string[] = [];
      for (let i = 0; i < count; i++) {
        const url = `https://many.example/${username}/${i}`;
        await manager.addLink({ username, url, title: `link ${i}`, ...extra });
        urls.push(url);
      }
      return urls;
    };

    before(async () => {
      fixture = await open();
      manager = new DefaultLinkManager({ store: fixture.store, maxLinksPerUser: 1000, now: () => new Date((clock += 1000)) });
    });
    after(async () => fixture?.close());

    test('unread: saved as asked, changed by update, and marking read or unread tells nobody', async () => {
      const u = user();
      const saved = await manager.addLink({ username: u, url: 'https://later.example/', title: 'Later', unread: true });
      assert.equal(saved.unread, true);
      assert.equal((await manager.addLink({ username: u, url: 'https://now.example/', title: 'Now' })).unread, false);
      const before = (await eventsOf(u)).length;
      const read = await manager.updateLink({ username: u, url: 'https://later.example/', unread: false });
      assert.equal(read.unread, false);
      assert.equal((await linkOf(u, 'https://later.example/'))?.unread, false);
      assert.equal((await eventsOf(u)).length, before, 'no event for read/unread');
      // A real change along with it is news as before.
      await manager.updateLink({ username: u, url: 'https://later.example/', unread: true, title: 'Later, renamed' });
      assert.deepEqual((await eventsOf(u)).slice(before).map((e) => e.type), ['link.updated']);
      await assert.rejects(manager.updateLink({ username: u, url: 'https://now.example/', unread: 'maybe' as never }), /unread must be true or false/);
    });

    test('two spellings of one address are one link: stored in normal form, 409 for the other, found by either', async () => {
      const u = user();
      const saved = await manager.addLink({ username: u, url: 'HTTPS://Go.Dev:443/doc?Q=1#Top', title: 'Go' });
      assert.equal(saved.url, 'https://go.dev/doc?Q=1#Top', 'scheme and host lower-cased, default port dropped, the rest as given');
      await assert.rejects(manager.addLink({ username: u, url: 'https://go.dev/doc?Q=1#Top', title: 'again' }), ConflictError);
      await assert.rejects(manager.addLink({ username: u, url: 'https://GO.DEV/doc?Q=1#Top', title: 'again' }), ConflictError);
      // The path keeps its case: another address.
      await manager.addLink({ username: u, url: 'https://go.dev/DOC', title: 'other' });
      const idn = await manager.addLink({ username: u, url: 'http://Bücher.example:80/x', title: 'IDN' });
      assert.equal(idn.url, 'http://xn--bcher-kva.example/x', 'IDN hosts in ASCII (punycode) form');
      await manager.updateLink({ username: u, url: 'https://GO.DEV/doc?Q=1#Top', title: 'Go docs' });
      assert.equal((await linkOf(u, 'https://go.dev/doc?Q=1#Top'))?.title, 'Go docs');
      await manager.deleteLink(u, 'http://bücher.EXAMPLE/x');
      await manager.deleteLink(u, 'HTTPS://go.dev/doc?Q=1#Top');
      assert.deepEqual(await urlsOf(u), ['https://go.dev/DOC']);
    });

    test('tags: counts, most used first then by name; a prefix; a limit', async () => {
      const u = user();
      await manager.addLink({ username: u, url: 'https://t.example/1', title: '1', tags: ['go', 'web', 'db'] });
      await manager.addLink({ username: u, url: 'https://t.example/2', title: '2', tags: ['go', 'web'] });
      await manager.addLink({ username: u, url: 'https://t.example/3', title: '3', tags: ['go', 'golang'] });
      await manager.addLink({ username: user(), url: 'https://t.example/1', title: 'not theirs', tags: ['go', 'zzz'] });
      assert.deepEqual(await manager.getTags({ username: u }), [
        { tag: 'go', count: 3 },
        { tag: 'web', count: 2 },
        { tag: 'db', count: 1 },
        { tag: 'golang', count: 1 },
      ]);
      assert.deepEqual(await manager.getTags({ username: u, q: 'GO' }), [
        { tag: 'go', count: 3 },
        { tag: 'golang', count: 1 },
      ]);
      assert.deepEqual(await manager.getTags({ username: u, limit: 1 }), [{ tag: 'go', count: 3 }]);
      assert.deepEqual(await manager.getTags({ username: user() }), []);
      await assert.rejects(manager.getTags({ username: u, limit: 0 }), /limit must be a whole number from 1 to 10000/);
    });

    test('renaming a tag changes every link that has it, merging where a link has both; no news', async () => {
      const u = user();
      await manager.addLink({ username: u, url: 'https://r.example/1', title: '1', tags: ['js', 'web', 'javascript'] });
      await manager.addLink({ username: u, url: 'https://r.example/2', title: '2', tags: ['web', 'js'] });
      await manager.addLink({ username: u, url: 'https://r.example/3', title: '3', tags: ['css'] });
      const before = (await eventsOf(u)).length;
      assert.equal(await manager.renameTag(u, 'JS', 'javascript'), 2);
      assert.deepEqual((await linkOf(u, 'https://r.example/1'))?.tags, ['javascript', 'web']);
      assert.deepEqual((await linkOf(u, 'https://r.example/2'))?.tags, ['web', 'javascript']);
      assert.deepEqual((await linkOf(u, 'https://r.example/3'))?.tags, ['css']);
      assert.equal(await manager.renameTag(u, 'js', 'javascript'), 0, 'nothing left to rename');
      assert.equal(await manager.renameTag(u, 'css', 'css'), 0);
      assert.equal((await eventsOf(u)).length, before, 'no news for a rename');
      await assert.rejects(manager.renameTag(u, 'web', 'two words'), (error: Error) => error instanceof ValidationError && /new_tag must be one tag/.test(error.message));
      await assert.rejects(manager.renameTag(u, 'web', ''), /new_tag is required/);
      assert.equal(await manager.deleteTag(u, 'web'), 2);
      assert.deepEqual((await manager.getTags({ username: u })).map((t) => t.tag), ['javascript', 'css']);
      assert.equal((await eventsOf(u)).length, before, 'no news for a deletion');
    });

    test('bulk add_tags and remove_tags: one change, counted once, no news for 50 links', async () => {
      const u = user();
      const urls = await addMany(u, 50, { tags: ['old'] });
      const before = (await eventsOf(u)).length;
      assert.equal(await manager.bulkEdit({ username: u, urls, action: 'add_tags', tags: ['New', 'old'] }), 50);
      assert.deepEqual((await linkOf(u, urls[7]!))?.tags, ['old', 'new']);
      assert.equal(await manager.bulkEdit({ username: u, urls, action: 'add_tags', tags: ['new'] }), 0, 'already there');
      assert.equal(await manager.bulkEdit({ username: u, urls: urls.slice(0, 10), action: 'remove_tags', tags: ['old'] }), 10);
      assert.deepEqual(await manager.getTags({ username: u }), [
        { tag: 'new', count: 50 },
        { tag: 'old', count: 40 },
      ]);
      assert.equal((await eventsOf(u)).length, before, 'no news for tag edits');
    });

    test('bulk edits are atomic: one link past the tag limit refuses the whole call', async () => {
      const u = user();
      const full = Array.from({ length: 63 }, (_, i) => `t${i}`);
      await manager.addLink({ username: u, url: 'https://a.example/full', title: 'full', tags: full });
      await manager.addLink({ username: u, url: 'https://a.example/empty', title: 'empty' });
      await assert.rejects(
        manager.bulkEdit({ username: u, urls: ['https://a.example/empty', 'https://a.example/full'], action: 'add_tags', tags: ['x', 'y'] }),
        /more than 64 tags/,
      );
      assert.deepEqual((await linkOf(u, 'https://a.example/empty'))?.tags, [], 'nothing written');
      assert.equal((await linkOf(u, 'https://a.example/full'))?.tags.length, 63);
    });

    test('bulk set_private retracts each link from news, keeps the counts; set_public publishes nothing', async () => {
      const u = user();
      const other = user();
      const urls = await addMany(u, 5);
      await manager.addLink({ username: other, url: urls[0]!, title: 'same URL' });
      await manager.updateLink({ username: u, url: urls[4]!, private: true });
      const before = (await eventsOf(u)).length;
      assert.equal(await manager.bulkEdit({ username: u, urls, action: 'set_private' }), 4);
      const retractions = (await eventsOf(u)).slice(before);
      assert.deepEqual(retractions.map((e) => e.type), ['link.deleted', 'link.deleted', 'link.deleted', 'link.deleted']);
      assert.deepEqual(retractions.map((e) => e.link.url).sort(), urls.slice(0, 4).sort());
      assert.equal(await manager.countPublicLinks(u), 0);
      assert.equal((await manager.getLinks({ username: other })).links[0]!.savedBy, 0, 'no longer a public saver');
      assert.equal((await manager.getPublicLinks({ username: u })).links.length, 0);

      const afterPrivate = (await eventsOf(u)).length;
      assert.equal(await manager.bulkEdit({ username: u, urls: urls.slice(0, 2), action: 'set_public' }), 2);
      assert.equal((await eventsOf(u)).length, afterPrivate, 'set_public publishes nothing');
      assert.equal(await manager.countPublicLinks(u), 2);
      assert.equal((await manager.getLinks({ username: other })).links[0]!.savedBy, 1);
    });

    test('bulk delete: gone, counted, public ones retracted; mark_read and mark_unread', async () => {
      const u = user();
      const urls = await addMany(u, 6);
      await manager.updateLink({ username: u, url: urls[0]!, private: true });
      assert.equal(await manager.bulkEdit({ username: u, urls: urls.slice(0, 4), action: 'mark_unread' }), 4);
      assert.equal((await manager.getLinks({ username: u })).links.filter((link) => link.unread).length, 4);
      assert.equal(await manager.bulkEdit({ username: u, urls, action: 'mark_read' }), 4);
      const before = (await eventsOf(u)).length;
      // The same link named twice, once in another spelling, and a URL not saved.
      const named = [...urls.slice(0, 3), urls[1]!.replace('https://many.example', 'HTTPS://MANY.example:443'), 'https://never.example/'];
      assert.equal(await manager.bulkEdit({ username: u, urls: named, action: 'delete' }), 3);
      assert.deepEqual(await urlsOf(u), urls.slice(3).sort());
      const retracted = (await eventsOf(u)).slice(before);
      assert.deepEqual(retracted.map((e) => [e.type, e.link.url]).sort(), [
        ['link.deleted', urls[1]],
        ['link.deleted', urls[2]],
      ]);
      assert.equal(await manager.countPublicLinks(u), 3);
      // The limit counts what is left.
      const limited = new DefaultLinkManager({ store: fixture.store, maxLinksPerUser: 4 });
      await limited.addLink({ username: u, url: 'https://fourth.example/', title: '4' });
      await assert.rejects(limited.addLink({ username: u, url: 'https://fifth.example/', title: '5' }), /limit of 4/);
    });

    test('bulk by q: the links the search finds (the same query as the list), and only those', async () => {
      const u = user();
      await manager.addLink({ username: u, url: 'https://q.example/1', title: 'PostgreSQL tuning', tags: ['db'] });
      await manager.addLink({ username: u, url: 'https://q.example/2', title: 'SQLite notes', tags: ['db', 'embedded'] });
      await manager.addLink({ username: u, url: 'https://q.example/3', title: 'Go', tags: ['lang'] });
      await manager.addLink({ username: user(), url: 'https://q.example/4', title: 'someone else', tags: ['db'] });
      assert.equal(await manager.bulkEdit({ username: u, q: '#db', action: 'mark_unread' }), 2);
      assert.deepEqual((await manager.getLinks({ username: u, q: 'is:unread' })).links.map((link) => link.url).sort(), ['https://q.example/1', 'https://q.example/2']);
      assert.equal(await manager.bulkEdit({ username: u, q: '#db -#embedded', action: 'add_tags', tags: ['server'] }), 1);
      assert.deepEqual((await linkOf(u, 'https://q.example/1'))?.tags, ['db', 'server']);
      await assert.rejects(manager.bulkEdit({ username: u, q: '   ', action: 'delete' }), /q must say which links/);
      assert.equal((await manager.getLinks({ username: u })).links.length, 3, 'nothing deleted');
    });

    test('concurrent adds, updates, renames and bulk edits of one user: no deadlock, nothing lost', async () => {
      const u = user();
      const urls = await addMany(u, 30, { tags: ['a', 'b'] });
      const work: Array<Promise<unknown>> = [];
      for (let i = 0; i < 6; i++) {
        work.push(manager.bulkEdit({ username: u, urls: [...urls].reverse(), action: 'add_tags', tags: [`bulk${i}`] }));
        work.push(manager.bulkEdit({ username: u, urls: urls.slice(i * 5, i * 5 + 5), action: i % 2 ? 'set_private' : 'mark_unread' }));
        work.push(manager.addLink({ username: u, url: `https://extra.example/${u}/${i}`, title: 'extra', tags: ['a', `bulk${i}`] }));
        work.push(manager.updateLink({ username: u, url: urls[29 - i]!, addTags: ['c'], private: true }));
      }
      work.push(manager.renameTag(u, 'a', 'b'));
      const outcomes = await Promise.allSettled(work);
      assert.deepEqual(outcomes.filter((outcome) => outcome.status === 'rejected'), []);
      const tags = new Map((await manager.getTags({ username: u })).map(({ tag, count }) => [tag, count]));
      for (let i = 0; i < 6; i++) assert.equal(tags.get(`bulk${i}`), 31, `bulk${i}`);
      assert.equal(tags.get('c'), 6);
      assert.equal((await manager.getLinks({ username: u, limit: 100 })).links.length, 36);
    });

    // The SQL stores keep tag counts in a table; the memory store counts them when asked, so has nothing to compare.
    if (name !== 'memory') {
      test('the kept tag counts agree with the links after every kind of write above', async () => {
        const { kept, counted } = await fixture.countedTags!();
        assert.ok(counted.length > 20);
        assert.deepEqual(kept, counted);
      });
    }

    test('bulk requests are checked: the action, the selection and its size, the tags', async () => {
      const u = user();
      await assert.rejects(manager.bulkEdit({ username: u, urls: ['https://a.example/'], action: 'explode' as never }), /action "explode" is not one of add_tags/);
      await assert.rejects(manager.bulkEdit({ username: u, action: 'delete' }), /urls or q is required/);
      await assert.rejects(manager.bulkEdit({ username: u, urls: [], action: 'delete' }), /at least one/);
      await assert.rejects(manager.bulkEdit({ username: u, urls: ['https://a.example/'], q: 'x', action: 'delete' }), /not both/);
      const tooMany = Array.from({ length: 1001 }, (_, i) => `https://a.example/${i}`);
      await assert.rejects(manager.bulkEdit({ username: u, urls: tooMany, action: 'delete' }), /urls names 1001 links; at most 1000/);
      await assert.rejects(manager.bulkEdit({ username: u, urls: ['https://a.example/'], action: 'add_tags' }), /tags is required/);
      await assert.rejects(manager.bulkEdit({ username: u, urls: [42 as never], action: 'delete' }), /urls must contain only text/);
    });
  });
}
