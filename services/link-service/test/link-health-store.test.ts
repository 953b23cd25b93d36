/**
 * The link-health part of the LinkStore contract (docs/design.md §17), against
 * memory, PGlite and PostgreSQL: what applyCheck writes on every link with the
 * URL, the title and description it fills in (never over the user's), the
 * invalid streak, and the result kept for reuse.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LinkCheckResult } from '@delinkcious/object-model';
import { filledInEvent } from '../src/link-health.ts';
import type { LinkStore, NewLink, StoredLink } from '../src/stores/link-store.ts';
import { eventFor, type StoreFixture } from './support/link-store-contract.ts';
import { linkStores } from './support/link-stores.ts';

const stores = await linkStores('test_link_health');

const t0 = new Date('2026-03-01T00:00:00.000Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

for (const { name, open, skip } of stores) {
  describe(`LinkStore link health: ${name}`, { skip }, () => {
    let fixture: StoreFixture;
    let store: LinkStore;
    let n = 0;
    const unique = () => `${++n}-${Math.random().toString(36).slice(2, 8)}`;

    before(async () => {
      fixture = await open();
      store = fixture.store;
    });
    after(async () => fixture?.close());

    const add = async (username: string, url: string, extra: Partial<NewLink> = {}) => {
      const outcome = await store.insert(
        { username, url, title: '', description: '', tags: [], private: false, unread: false, createdAt: t0, ...extra },
        100,
        eventFor('link.added'),
      );
      assert.equal(outcome.kind, 'added');
    };
    const linkOf = async (username: string, url: string): Promise<StoredLink> => {
      const link = (await store.list(username, { limit: 100 })).find((l) => l.url === url);
      assert.ok(link, `${username} has ${url}`);
      return link;
    };
    const apply = (result: LinkCheckResult) => store.applyCheck(result, filledInEvent(result.checkedAt));
    const health = (link: StoredLink) => ({
      status: link.status,
      checkedAt: link.checkedAt?.toISOString() ?? null,
      httpStatus: link.httpStatus,
      checkError: link.checkError,
      invalidSince: link.invalidSince?.toISOString() ?? null,
      archiveUrl: link.archiveUrl,
      faviconUrl: link.faviconUrl,
    });
    const updatesOf = async (username: string) => (await fixture.events()).filter((e) => e.username === username && e.type === 'link.updated');

    test('a new link has no health yet', async () => {
      const u = `health-${unique()}`;
      const url = `https://new-${unique()}.example/`;
      await add(u, url);
      assert.deepEqual(health(await linkOf(u, url)), {
        status: 'pending',
        checkedAt: null,
        httpStatus: 0,
        checkError: '',
        invalidSince: null,
        archiveUrl: '',
        faviconUrl: '',
      });
    });

    test('a result applies to every link with the URL: status, health, and an empty title and description filled in', async () => {
      const [a, b, c] = [`a-${unique()}`, `b-${unique()}`, `c-${unique()}`];
      const url = `https://page-${unique()}.example/`;
      await add(a, url);
      await add(b, url, { title: 'Mine', description: 'my words' });
      await add(c, url, { private: true });
      const changed = await apply({
        url,
        status: 'valid',
        checkedAt: at(1),
        httpStatus: 200,
        error: '',
        title: 'Page title',
        description: 'Page description',
        canonicalUrl: `${url}canonical`,
        faviconUrl: `${url}favicon.ico`,
        archiveUrl: '',
      });
      assert.equal(changed, 3);
      const expected = { status: 'valid', checkedAt: at(1).toISOString(), httpStatus: 200, checkError: '', invalidSince: null, archiveUrl: '', faviconUrl: `${url}favicon.ico` };
      for (const user of [a, b, c]) assert.deepEqual(health(await linkOf(user, url)), expected, user);
      const [la, lb, lc] = [await linkOf(a, url), await linkOf(b, url), await linkOf(c, url)];
      assert.deepEqual([la.title, la.description], ['Page title', 'Page description'], 'filled in');
      assert.deepEqual([lb.title, lb.description], ['Mine', 'my words'], "the user's words are never overwritten");
      assert.deepEqual([lc.title, lc.description], ['Page title', 'Page description']);
      // Followers hear of the public link's new title; a private link tells nobody; an untouched link says nothing.
      const events = await updatesOf(a);
      assert.equal(events.length, 1);
      assert.deepEqual(events[0]!.link, { url, title: 'Page title', description: 'Page description', status: 'valid', tags: [] });
      assert.equal(events[0]!.timestamp, at(1).toISOString());
      assert.deepEqual(await updatesOf(b), []);
      assert.deepEqual(await updatesOf(c), []);
    });

    test('a title the user gave after the first fill stays; a later check fills nothing and says nothing', async () => {
      const u = `later-${unique()}`;
      const url = `https://later-${unique()}.example/`;
      await add(u, url);
      await apply({ url, status: 'valid', checkedAt: at(1), httpStatus: 200, error: '', title: 'First', description: '' });
      await store.update(u, url, () => ({ title: 'Edited' }), at(2), eventFor('link.updated'));
      const before = (await updatesOf(u)).length;
      await apply({ url, status: 'valid', checkedAt: at(3), httpStatus: 200, error: '', title: 'Second', description: 'now one' });
      const link = await linkOf(u, url);
      assert.deepEqual([link.title, link.description], ['Edited', 'now one'], 'only the still-empty description is filled');
      assert.equal((await updatesOf(u)).length, before + 1, 'the description filled in is news');
    });

    test('the invalid streak: InvalidSince is its first check; valid clears it; the archive URL stays unless a new one is found', async () => {
      const u = `streak-${unique()}`;
      const url = `https://dead-${unique()}.example/`;
      const archived = `https://web.archive.org/web/2026/${url}`;
      await add(u, url, { title: 'kept' });
      await apply({ url, status: 'invalid', checkedAt: at(1), httpStatus: 404, error: '404 Not Found', archiveUrl: archived });
      assert.deepEqual(health(await linkOf(u, url)), {
        status: 'invalid',
        checkedAt: at(1).toISOString(),
        httpStatus: 404,
        checkError: '404 Not Found',
        invalidSince: at(1).toISOString(),
        archiveUrl: archived,
        faviconUrl: '',
      });
      await apply({ url, status: 'invalid', checkedAt: at(2), httpStatus: 0, error: 'timeout', archiveUrl: '' });
      const still = await linkOf(u, url);
      assert.deepEqual([still.checkError, still.invalidSince?.toISOString(), still.archiveUrl], ['timeout', at(1).toISOString(), archived], "'' keeps what was found");
      await apply({ url, status: 'valid', checkedAt: at(3), httpStatus: 200, error: '' });
      const back = await linkOf(u, url);
      assert.deepEqual([back.status, back.checkError, back.invalidSince, back.httpStatus], ['valid', '', null, 200]);
      await apply({ url, status: 'invalid', checkedAt: at(4), httpStatus: 500, error: '500 Internal Server Error' });
      assert.equal((await linkOf(u, url)).invalidSince?.toISOString(), at(4).toISOString(), 'a new streak');
      assert.equal((await linkOf(u, url)).title, 'kept');
    });

    test('an older result changes nothing', async () => {
      const u = `stale-${unique()}`;
      const url = `https://stale-${unique()}.example/`;
      await add(u, url);
      await apply({ url, status: 'valid', checkedAt: at(5), httpStatus: 200, error: '', title: 'new' });
      assert.equal(await apply({ url, status: 'invalid', checkedAt: at(4), httpStatus: 404, error: '404 Not Found', title: 'old' }), 0);
      const link = await linkOf(u, url);
      assert.deepEqual([link.status, link.httpStatus, link.checkError, link.title], ['valid', 200, '', 'new']);
    });

    test('a reused result carries everything to a link saved later, which joins the URL’s invalid streak', async () => {
      const [first, later] = [`first-${unique()}`, `later-${unique()}`];
      const url = `https://reused-${unique()}.example/`;
      await add(first, url);
      await apply({ url, status: 'invalid', checkedAt: at(1), httpStatus: 410, error: '410 Gone', archiveUrl: 'https://web.archive.org/x', title: 'Old title', description: 'Old description', faviconUrl: 'https://f.example/i.ico' });
      await apply({ url, status: 'invalid', checkedAt: at(2), httpStatus: 410, error: '410 Gone' });
      await add(later, url);
      const claim = await store.claimCheck(url, at(3), at(0), at(2));
      assert.equal(claim.kind, 'known');
      if (claim.kind !== 'known') return;
      assert.deepEqual(
        { ...claim.result, checkedAt: claim.result.checkedAt.toISOString() },
        {
          url,
          status: 'invalid',
          checkedAt: at(2).toISOString(),
          httpStatus: 410,
          error: '410 Gone',
          title: 'Old title',
          description: 'Old description',
          canonicalUrl: '',
          faviconUrl: 'https://f.example/i.ico',
          archiveUrl: 'https://web.archive.org/x',
        },
      );
      await apply(claim.result);
      const link = await linkOf(later, url);
      assert.deepEqual(health(link), {
        status: 'invalid',
        checkedAt: at(2).toISOString(),
        httpStatus: 410,
        checkError: '410 Gone',
        invalidSince: at(1).toISOString(),
        archiveUrl: 'https://web.archive.org/x',
        faviconUrl: 'https://f.example/i.ico',
      });
      assert.deepEqual([link.title, link.description], ['Old title', 'Old description']);
    });

    test('the popular list names a URL by its latest title that is not empty', async () => {
      const [titled, untitled] = [`titled-${unique()}`, `untitled-${unique()}`];
      const url = `https://popular-${unique()}.example/`;
      await add(titled, url, { title: 'Has a title' });
      await add(untitled, url, { createdAt: at(1) });
      const [entry] = await store.popular([titled, untitled], t0, 10);
      assert.deepEqual([entry?.url, entry?.title, entry?.savedBy], [url, 'Has a title', 2]);
    });

    test('an update keeps the health it does not change, and writes the health it does (a moved link starts over)', async () => {
      const u = `moved-${unique()}`;
      const url = `https://moving-${unique()}.example/`;
      await add(u, url);
      await apply({ url, status: 'invalid', checkedAt: at(1), httpStatus: 404, error: '404 Not Found', archiveUrl: 'https://web.archive.org/y' });
      const retitled = await store.update(u, url, () => ({ title: 'T' }), at(2), eventFor('link.updated'));
      assert.equal(retitled.kind, 'updated');
      if (retitled.kind === 'updated') assert.deepEqual(health(retitled.link), health(await linkOf(u, url)));
      assert.equal((await linkOf(u, url)).checkError, '404 Not Found');
      const newUrl = `https://moved-${unique()}.example/`;
      const noHealth = { status: 'pending', checkedAt: null, httpStatus: 0, checkError: '', invalidSince: null, archiveUrl: '', faviconUrl: '' } as const;
      const moved = await store.update(u, url, () => ({ url: newUrl, ...noHealth }), at(3), eventFor('link.updated'));
      assert.equal(moved.kind, 'updated');
      assert.deepEqual(health(await linkOf(u, newUrl)), { ...noHealth });
    });
  });
}
