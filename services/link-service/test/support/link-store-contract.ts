/** What every LinkStore must do; run against each implementation by link-store.test.ts. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ConflictError, ForbiddenError, NotFoundError, type LinkEvent } from '@delinkcious/object-model';
import { DefaultLinkManager } from '../../src/manager.ts';
import type { EventBuilder, LinkChanges, LinkStore, NewLink, StoredLink } from '../../src/stores/link-store.ts';

export interface StoreFixture {
  store: LinkStore;
  /** The events the store recorded with its changes (its outbox), oldest first. */
  events(): Promise<LinkEvent[]>;
  close(): Promise<void>;
}

let eventSeq = 0;
/** A recognisable event per change, so tests can see which changes recorded one. */
export const eventFor =
  (type: LinkEvent['type']): EventBuilder =>
  (link, before) => ({
    id: `00000000-0000-4000-8000-${String(++eventSeq).padStart(12, '0')}`,
    type,
    username: link.username,
    link: { url: link.url, title: link.title, description: link.description, status: link.status, tags: link.tags },
    ...(before && before.url !== link.url ? { previousUrl: before.url } : {}),
    timestamp: link.updatedAt.toISOString(),
  });

const t0 = new Date('2026-01-01T00:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

function newLink(username: string, url: string, extra: Partial<NewLink> = {}): NewLink {
  return { username, url, title: `title of ${url}`, description: '', tags: [], private: false, createdAt: t0, ...extra };
}

export function linkStoreContract(name: string, open: () => Promise<StoreFixture>, options: { skip?: string | false } = {}) {
  describe(`LinkStore contract: ${name}`, { skip: options.skip ?? false }, () => {
    let fixture: StoreFixture;
    let store: LinkStore;
    // Each test uses its own usernames, so tests share one store without interfering.
    let n = 0;
    const user = () => `user${++n}-${Math.random().toString(36).slice(2, 8)}`;

    const insert = (link: NewLink, max: number) => store.insert(link, max, eventFor('link.added'));
    const update = (username: string, url: string, change: (current: StoredLink) => LinkChanges | null, now: Date) =>
      store.update(username, url, change, now, eventFor('link.updated'));
    const remove = (username: string, url: string) => store.delete(username, url, eventFor('link.deleted'));
    const eventsOf = async (username: string) => (await fixture.events()).filter((event) => event.username === username);

    before(async () => {
      fixture = await open();
      store = fixture.store;
    });
    after(async () => fixture?.close());

    test('insert answers the stored link, pending, with its fields', async () => {
      const u = user();
      const outcome = await insert(newLink(u, 'https://a.example/', { title: 'A', description: 'd', tags: ['x', 'y'] }), 10);
      assert.equal(outcome.kind, 'added');
      if (outcome.kind !== 'added') return;
      assert.equal(outcome.link.username, u);
      assert.equal(outcome.link.url, 'https://a.example/');
      assert.equal(outcome.link.title, 'A');
      assert.equal(outcome.link.description, 'd');
      assert.deepEqual(outcome.link.tags, ['x', 'y']);
      assert.equal(outcome.link.status, 'pending');
      assert.equal(outcome.link.checkedAt, null);
      assert.equal(outcome.link.createdAt.getTime(), t0.getTime());
      assert.equal(outcome.link.updatedAt.getTime(), t0.getTime());
    });

    test('insert keeps an updatedAt given apart from an older createdAt (a link brought with its date: Pinboard dt, imports)', async () => {
      const u = user();
      const outcome = await insert(newLink(u, 'https://dated.example/', { createdAt: at(-86_400 * 365), updatedAt: at(5) }), 10);
      assert.equal(outcome.kind, 'added');
      const [listed] = await store.list(u, { limit: 10 });
      assert.equal(listed?.createdAt.getTime(), at(-86_400 * 365).getTime());
      assert.equal(listed?.updatedAt.getTime(), at(5).getTime());
      assert.equal((await eventsOf(u))[0]?.timestamp, at(5).toISOString(), 'the event builder sees the link as stored');
    });

    test('the same user cannot insert the same URL twice; another user can', async () => {
      const [u, v] = [user(), user()];
      assert.equal((await insert(newLink(u, 'https://dup.example/'), 10)).kind, 'added');
      assert.equal((await insert(newLink(u, 'https://dup.example/'), 10)).kind, 'duplicate');
      assert.equal((await insert(newLink(v, 'https://dup.example/'), 10)).kind, 'added');
      assert.equal((await store.list(u, { limit: 10 })).length, 1);
    });

    test('the per-user limit refuses the link past it, and frees a place on delete', async () => {
      const u = user();
      assert.equal((await insert(newLink(u, 'https://1.example/'), 2)).kind, 'added');
      assert.equal((await insert(newLink(u, 'https://2.example/'), 2)).kind, 'added');
      assert.equal((await insert(newLink(u, 'https://3.example/'), 2)).kind, 'limit');
      assert.equal((await store.list(u, { limit: 10 })).length, 2, 'the refused link is not stored');
      assert.ok(await remove(u, 'https://1.example/'));
      assert.equal((await insert(newLink(u, 'https://3.example/'), 2)).kind, 'added');
      assert.equal((await insert(newLink(user(), 'https://1.example/'), 2)).kind, 'added', 'the limit is per user');
    });

    test('a duplicate at the limit is reported as a duplicate and changes nothing', async () => {
      const u = user();
      await insert(newLink(u, 'https://1.example/'), 1);
      assert.equal((await insert(newLink(u, 'https://1.example/'), 1)).kind, 'duplicate');
      assert.ok(await remove(u, 'https://1.example/'));
      assert.equal((await insert(newLink(u, 'https://2.example/'), 1)).kind, 'added');
    });

    test('list answers newest first, pages by id, and filters by tag', async () => {
      const u = user();
      for (let i = 1; i <= 5; i++) {
        await insert(newLink(u, `https://${i}.example/`, { tags: i % 2 ? ['odd'] : ['even'], createdAt: at(i) }), 100);
      }
      const all = await store.list(u, { limit: 10 });
      assert.deepEqual(
        all.map((l) => l.url),
        [5, 4, 3, 2, 1].map((i) => `https://${i}.example/`),
      );
      const firstTwo = await store.list(u, { limit: 2 });
      const rest = await store.list(u, { limit: 10, beforeId: firstTwo[1]!.id });
      assert.deepEqual(
        [...firstTwo, ...rest].map((l) => l.url),
        all.map((l) => l.url),
      );
      const odd = await store.list(u, { limit: 10, tag: 'odd' });
      assert.deepEqual(
        odd.map((l) => l.url),
        [5, 3, 1].map((i) => `https://${i}.example/`),
      );
      assert.deepEqual(await store.list(u, { limit: 10, tag: 'none' }), []);
      assert.deepEqual(await store.list(user(), { limit: 10 }), [], 'another user sees nothing');
    });

    test('update applies the changes, stamps updatedAt and answers before and after', async () => {
      const u = user();
      await insert(newLink(u, 'https://u.example/', { tags: ['a'] }), 10);
      const outcome = await update(u, 'https://u.example/', () => ({ title: 'New', tags: ['a', 'b'] }), at(60));
      assert.equal(outcome.kind, 'updated');
      if (outcome.kind !== 'updated') return;
      assert.equal(outcome.before.title, 'title of https://u.example/');
      assert.equal(outcome.link.title, 'New');
      assert.deepEqual(outcome.link.tags, ['a', 'b']);
      assert.equal(outcome.link.updatedAt.getTime(), at(60).getTime());
      assert.equal(outcome.link.createdAt.getTime(), t0.getTime());
      const [listed] = await store.list(u, { limit: 1 });
      assert.equal(listed?.title, 'New');
    });

    test('update can move a link to a new URL, but not onto one the user has', async () => {
      const u = user();
      await insert(newLink(u, 'https://old.example/'), 10);
      await insert(newLink(u, 'https://taken.example/'), 10);
      assert.equal((await update(u, 'https://old.example/', () => ({ url: 'https://taken.example/' }), at(1))).kind, 'duplicate');
      const moved = await update(u, 'https://old.example/', () => ({ url: 'https://new.example/', status: 'pending' }), at(2));
      assert.equal(moved.kind, 'updated');
      assert.deepEqual((await store.list(u, { limit: 10 })).map((l) => l.url).sort(), ['https://new.example/', 'https://taken.example/']);
    });

    test('update of a missing link is not_found; a change function answering null leaves it unchanged', async () => {
      const u = user();
      assert.equal((await update(u, 'https://none.example/', () => ({ title: 'x' }), at(1))).kind, 'not_found');
      await insert(newLink(u, 'https://same.example/'), 10);
      const outcome = await update(u, 'https://same.example/', () => null, at(5));
      assert.equal(outcome.kind, 'unchanged');
      if (outcome.kind === 'unchanged') assert.equal(outcome.link.updatedAt.getTime(), t0.getTime());
    });

    test('a change function that throws leaves the link as it was', async () => {
      const u = user();
      await insert(newLink(u, 'https://keep.example/'), 10);
      await assert.rejects(
        update(u, 'https://keep.example/', () => {
          throw new Error('refused');
        }, at(1)),
        /refused/,
      );
      const [link] = await store.list(u, { limit: 1 });
      assert.equal(link?.title, 'title of https://keep.example/');
    });

    test('delete answers the deleted link, then null', async () => {
      const u = user();
      await insert(newLink(u, 'https://d.example/'), 10);
      assert.equal((await remove(u, 'https://d.example/'))?.url, 'https://d.example/');
      assert.equal(await remove(u, 'https://d.example/'), null);
      assert.equal(await remove(user(), 'https://d.example/'), null);
    });

    test('applyCheck sets the status of every link with the URL, ignoring older results', async () => {
      const [u, v] = [user(), user()];
      const url = `https://checked-${u}.example/`;
      await insert(newLink(u, url), 10);
      await insert(newLink(v, url), 10);
      await insert(newLink(u, `${url}other`), 10);
      assert.equal(await store.applyCheck({ url, status: 'valid', checkedAt: at(10) }), 2);
      assert.equal(await store.applyCheck({ url, status: 'invalid', checkedAt: at(5) }), 0, 'an older result is stale');
      const [uLinks, vLinks] = [await store.list(u, { limit: 10 }), await store.list(v, { limit: 10 })];
      assert.equal(uLinks.find((l) => l.url === url)?.status, 'valid');
      assert.equal(uLinks.find((l) => l.url === `${url}other`)?.status, 'pending');
      assert.equal(vLinks[0]?.status, 'valid');
      assert.equal(vLinks[0]?.checkedAt?.getTime(), at(10).getTime());
      assert.equal(await store.applyCheck({ url, status: 'invalid', checkedAt: at(20) }), 2);
      assert.equal((await store.list(v, { limit: 1 }))[0]?.status, 'invalid');
    });

    test('every change records its event with it; refused and empty changes record none', async () => {
      const u = user();
      await insert(newLink(u, 'https://ev.example/'), 1);
      await insert(newLink(u, 'https://ev.example/'), 1); // duplicate
      await insert(newLink(u, 'https://other.example/'), 1); // over the limit
      await update(u, 'https://ev.example/', () => null, at(1)); // nothing to change
      await assert.rejects(update(u, 'https://ev.example/', () => {
        throw new Error('refused');
      }, at(2)));
      await update(u, 'https://ev.example/', () => ({ url: 'https://moved.example/' }), at(3));
      await remove(u, 'https://moved.example/');
      await remove(u, 'https://moved.example/'); // already gone
      const events = await eventsOf(u);
      assert.deepEqual(events.map((e) => [e.type, e.link.url, e.previousUrl]), [
        ['link.added', 'https://ev.example/', undefined],
        ['link.updated', 'https://moved.example/', 'https://ev.example/'],
        ['link.deleted', 'https://moved.example/', undefined],
      ]);
    });

    test('claimCheck: one claim per URL per interval, across users; a recent result is reused', async () => {
      const url = `https://claim-${user()}.example/`;
      const since = (s: number) => at(s);
      assert.deepEqual(await store.claimCheck(url, at(100), since(0), since(40)), { kind: 'claimed' });
      assert.deepEqual(await store.claimCheck(url, at(110), since(0), since(50)), { kind: 'in_progress' }, 'claimed at 100, after 50');
      assert.deepEqual(await store.claimCheck(url, at(200), since(0), since(150)), { kind: 'claimed' }, 'the old claim expired');
      const u = user();
      await insert(newLink(u, url), 10);
      await store.applyCheck({ url, status: 'invalid', checkedAt: at(210) });
      const reused = await store.claimCheck(url, at(220), since(200), since(215));
      assert.equal(reused.kind, 'known');
      if (reused.kind === 'known') {
        assert.equal(reused.result.status, 'invalid');
        assert.equal(reused.result.checkedAt.getTime(), at(210).getTime());
      }
      assert.deepEqual(await store.claimCheck(url, at(300), since(250), since(215)), { kind: 'claimed' }, 'too old to reuse');
    });

    test('concurrent claims of one URL: exactly one wins', async () => {
      const url = `https://race-${user()}.example/`;
      const claims = await Promise.all(Array.from({ length: 20 }, () => store.claimCheck(url, at(500), at(0), at(400))));
      assert.equal(claims.filter((c) => c.kind === 'claimed').length, 1);
    });

    test('urlsToRecheck: pending too long, or checked too long ago, each URL once', async () => {
      const [u, v] = [user(), user()];
      const tag = u.replace(/\W/g, '');
      const url = (name: string) => `https://${name}-${tag}.example/`;
      await insert(newLink(u, url('old-pending'), { createdAt: at(10) }), 10);
      await insert(newLink(v, url('old-pending'), { createdAt: at(12) }), 10);
      await insert(newLink(u, url('new-pending'), { createdAt: at(990) }), 10);
      await insert(newLink(u, url('stale'), { createdAt: at(5) }), 10);
      await insert(newLink(u, url('fresh'), { createdAt: at(5) }), 10);
      await store.applyCheck({ url: url('stale'), status: 'valid', checkedAt: at(20) });
      await store.applyCheck({ url: url('fresh'), status: 'valid', checkedAt: at(900) });
      const due = (await store.urlsToRecheck(at(500), at(100), 1000)).filter((d) => d.url.includes(tag));
      assert.deepEqual(due.map((d) => d.url).sort(), [url('old-pending'), url('stale')].sort());
      assert.equal(due.filter((d) => d.url === url('old-pending')).length, 1, 'one entry per URL');
      assert.ok([u, v].includes(due.find((d) => d.url === url('old-pending'))!.username));
    });

    test('concurrent inserts at the limit never exceed it', async () => {
      const u = user();
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, (_, i) => insert(newLink(u, `https://c${i}.example/`), 3)),
      );
      assert.equal(outcomes.filter((o) => o.kind === 'added').length, 3);
      assert.equal((await store.list(u, { limit: 20 })).length, 3);
    });

    test('saves made at once (one batch where the store groups them) each get the outcome they would get one by one', async () => {
      const [u, v] = [user(), user()];
      // URLs of this test only: who else saved one is counted across users.
      const url = (name: string) => `https://${name}-${u}.example/`;
      await insert(newLink(u, url('had')), 10);
      const outcomes = await Promise.all([
        insert(newLink(u, url('a'), { title: 'A', tags: ['x'] }), 10),
        insert(newLink(u, url('b'), { private: true, tags: ['x', 'y'], unread: true }), 10),
        insert(newLink(u, url('had')), 10),
        insert(newLink(u, url('a'), { title: 'A again' }), 10),
        insert(newLink(v, url('a')), 10),
        insert(newLink(v, url('c'), { createdAt: at(-60), updatedAt: at(7) }), 10),
      ]);
      assert.deepEqual(outcomes.map((o) => o.kind), ['added', 'added', 'duplicate', 'duplicate', 'added', 'added']);
      const [a, b, , , va, vc] = outcomes.map((o) => (o.kind === 'added' ? o.link : undefined));
      assert.equal(a?.title, 'A');
      assert.deepEqual([b?.private, b?.unread, b?.tags], [true, true, ['x', 'y']]);
      assert.equal(va?.username, v);
      assert.deepEqual([vc?.createdAt.getTime(), vc?.updatedAt.getTime()], [at(-60).getTime(), at(7).getTime()]);
      assert.ok(new Set([a?.id, b?.id, va?.id, vc?.id]).size === 4, 'each its own row');
      assert.deepEqual((await store.list(u, { limit: 10 })).map((link) => link.url).sort(), [url('a'), url('b'), url('had')]);
      assert.deepEqual((await store.list(u, { limit: 10, tags: ['x'] })).map((link) => link.url).sort(), [url('a'), url('b')]);
      // Saved publicly by both: each sees the other.
      const savedBy = async (owner: string) => (await store.list(owner, { limit: 10 })).find((link) => link.url === url('a'))?.savedBy;
      assert.deepEqual([await savedBy(u), await savedBy(v)], [1, 1]);
      assert.equal(await store.countPublicLinks(u), 2, 'had and a: b is private');
      assert.deepEqual((await eventsOf(u)).map((e) => e.link.url), [url('had'), url('a'), url('b')]);
      assert.deepEqual((await eventsOf(v)).map((e) => e.link.url), [url('a'), url('c')]);
      // The counts moved by what was added: the limit holds from there.
      assert.equal((await insert(newLink(u, url('d')), 3)).kind, 'limit');
      assert.equal((await insert(newLink(v, url('d')), 3)).kind, 'added');
    });

    test('claims and results for several URLs at once (one batch where the store groups them): as one by one', async () => {
      const [u, v] = [user(), user()];
      const url = (name: string) => `https://${name}-${u}.example/`;
      await insert(newLink(u, url('one')), 10);
      await insert(newLink(v, url('one')), 10);
      await insert(newLink(u, url('two'), { title: '' }), 10);
      await insert(newLink(u, url('three')), 10);
      const claimAll = (now: number, reuseAfter: number, claimBefore: number) =>
        Promise.all(['one', 'two', 'three', 'four'].map((name) => store.claimCheck(url(name), at(now), at(reuseAfter), at(claimBefore))));
      assert.deepEqual((await claimAll(100, 0, 50)).map((c) => c.kind), ['claimed', 'claimed', 'claimed', 'claimed']);
      assert.deepEqual((await claimAll(110, 0, 60)).map((c) => c.kind), ['in_progress', 'in_progress', 'in_progress', 'in_progress']);

      const changed = await Promise.all([
        store.applyCheck({ url: url('one'), status: 'valid', checkedAt: at(120), httpStatus: 200 }),
        store.applyCheck({ url: url('two'), status: 'invalid', checkedAt: at(121), httpStatus: 404, title: 'Found title' }, eventFor('link.updated')),
        store.applyCheck({ url: url('three'), status: 'valid', checkedAt: at(122) }),
        store.applyCheck({ url: url('nobody'), status: 'valid', checkedAt: at(123) }),
      ]);
      assert.deepEqual(changed, [2, 1, 1, 0]);
      const byUrl = new Map((await store.list(u, { limit: 10 })).map((link) => [link.url, link]));
      assert.deepEqual([byUrl.get(url('one'))?.status, byUrl.get(url('one'))?.httpStatus], ['valid', 200]);
      assert.deepEqual([byUrl.get(url('two'))?.status, byUrl.get(url('two'))?.title, byUrl.get(url('two'))?.invalidSince?.getTime()], ['invalid', 'Found title', at(121).getTime()]);
      assert.equal((await store.list(v, { limit: 1 }))[0]?.status, 'valid', 'every link with the URL');
      assert.deepEqual((await eventsOf(u)).filter((e) => e.type === 'link.updated').map((e) => [e.link.url, e.link.title]), [[url('two'), 'Found title']]);

      // Known results are reused, each its own; an older result changes nothing while a newer one applies.
      const reused = await claimAll(130, 115, 60);
      assert.deepEqual(reused.map((c) => (c.kind === 'known' ? [c.result.status, c.result.checkedAt.getTime()] : c.kind)), [
        ['valid', at(120).getTime()],
        ['invalid', at(121).getTime()],
        ['valid', at(122).getTime()],
        'in_progress',
      ]);
      assert.equal(reused[1]?.kind === 'known' && reused[1].result.title, 'Found title');
      assert.deepEqual(await Promise.all([
        store.applyCheck({ url: url('one'), status: 'invalid', checkedAt: at(110) }),
        store.applyCheck({ url: url('three'), status: 'invalid', checkedAt: at(140) }),
      ]), [0, 1]);
      assert.equal((await store.list(u, { limit: 10 })).find((link) => link.url === url('one'))?.status, 'valid');
    });

    test('text survives as given: unicode, quotes and long values', async () => {
      const u = user();
      const title = `Ünïcødé "quotes" 'single' \\ ${'x'.repeat(400)}`;
      const outcome = await insert(newLink(u, "https://q.example/?a='1'&b=\"2\"", { title, description: 'd'.repeat(8192), tags: ['日本'] }), 10);
      assert.equal(outcome.kind, 'added');
      const [link] = await store.list(u, { limit: 1, tag: '日本' });
      assert.equal(link?.title, title);
      assert.equal(link?.description.length, 8192);
      assert.equal(link?.url, "https://q.example/?a='1'&b=\"2\"");
    });

    test('"Alice" and "alice" are one owner: links, the per-user limit and event authors (through the manager)', async () => {
      const manager = new DefaultLinkManager({ store, maxLinksPerUser: 2 });
      const canonical = user();
      const spelled = `Mc${canonical}`;
      const lower = spelled.toLowerCase();
      await manager.addLink({ username: spelled, url: 'https://case.example/1', title: 'One', tags: ['x'] });
      await assert.rejects(manager.addLink({ username: lower, url: 'https://case.example/1', title: 'Again' }), ConflictError);
      await manager.addLink({ username: lower.toUpperCase(), url: 'https://case.example/2', title: 'Two' });
      await assert.rejects(manager.addLink({ username: lower, url: 'https://case.example/3', title: 'Three' }), ForbiddenError, 'one count');
      for (const name of [spelled, lower, lower.toUpperCase()]) {
        const { links } = await manager.getLinks({ username: name });
        assert.deepEqual(links.map((link) => link.url), ['https://case.example/2', 'https://case.example/1'], name);
      }
      await manager.updateLink({ username: lower.toUpperCase(), url: 'https://case.example/1', addTags: ['y'] });
      await manager.deleteLink(lower, 'https://case.example/2');
      await assert.rejects(manager.deleteLink(spelled, 'https://case.example/2'), NotFoundError);
      assert.deepEqual((await manager.getLinks({ username: spelled })).links.map((link) => link.tags), [['x', 'y']]);
      const authors = (await fixture.events()).filter((event) => event.username.toLowerCase() === lower).map((event) => event.username);
      assert.deepEqual(authors, [lower, lower, lower, lower], 'added twice, updated, deleted: all by the canonical name');
      assert.deepEqual((await store.list(lower, { limit: 10 })).map((link) => link.username), [lower], 'stored under the canonical name');
    });
  });
}
