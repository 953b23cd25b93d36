/** What every LinkStore must do about private links, public save counts and the popular list; run by link-store.test.ts. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LinkStore, NewLink } from '../../src/stores/link-store.ts';
import { eventFor, type StoreFixture } from './link-store-contract.ts';

const t0 = new Date('2026-02-01T00:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

export function privateLinksContract(name: string, open: () => Promise<StoreFixture>, options: { skip?: string | false } = {}) {
  describe(`LinkStore private links contract: ${name}`, { skip: options.skip ?? false }, () => {
    let fixture: StoreFixture;
    let store: LinkStore;
    let n = 0;
    // Users and URLs of their own per test: the store (and its per-URL counts) is shared.
    const user = () => `p${++n}-${Math.random().toString(36).slice(2, 8)}`;
    const url = () => `https://shared.example/${++n}-${Math.random().toString(36).slice(2, 8)}`;
    const link = (username: string, address: string, extra: Partial<NewLink> = {}): NewLink => ({
      username,
      url: address,
      title: `title of ${address}`,
      description: '',
      tags: [],
      private: false,
      createdAt: t0,
      ...extra,
    });
    const insert = async (l: NewLink) => {
      const outcome = await store.insert(l, 1000, eventFor('link.added'));
      assert.equal(outcome.kind, 'added');
      return outcome.kind === 'added' ? outcome.link : assert.fail('not added');
    };
    const savedBy = async (username: string, address: string) =>
      (await store.list(username, { limit: 100 })).find((l) => l.url === address)?.savedBy;

    before(async () => {
      fixture = await open();
      store = fixture.store;
    });
    after(async () => fixture?.close());

    test('a link is stored private or public, and publicOnly lists only the public ones', async () => {
      const u = user();
      const [a, b] = [url(), url()];
      assert.equal((await insert(link(u, a, { private: true }))).private, true);
      assert.equal((await insert(link(u, b))).private, false);
      assert.deepEqual((await store.list(u, { limit: 10 })).map((l) => [l.url, l.private]), [[b, false], [a, true]]);
      assert.deepEqual((await store.list(u, { limit: 10, publicOnly: true })).map((l) => l.url), [b]);
      assert.equal(await store.countPublicLinks(u), 1);
    });

    test('savedBy counts the other users who saved the URL publicly: not the owner, not private saves', async () => {
      const [u, v, w, x] = [user(), user(), user(), user()];
      const shared = url();
      assert.equal((await insert(link(u, shared))).savedBy, 0);
      assert.equal((await insert(link(v, shared))).savedBy, 1);
      assert.equal((await insert(link(w, shared, { private: true }))).savedBy, 2, 'a private saver sees the public ones');
      assert.equal((await insert(link(x, shared))).savedBy, 2);
      assert.equal(await savedBy(u, shared), 2, 'v and x; w is private');
      assert.equal(await savedBy(w, shared), 3);
    });

    test('making a link private or public, moving it and deleting it keep the counts right', async () => {
      const [u, v] = [user(), user()];
      const [shared, other] = [url(), url()];
      await insert(link(u, shared));
      await insert(link(v, shared));
      assert.equal(await savedBy(u, shared), 1);

      const hidden = await store.update(v, shared, () => ({ private: true }), at(1), eventFor('link.deleted'));
      assert.equal(hidden.kind, 'updated');
      if (hidden.kind === 'updated') assert.equal(hidden.link.savedBy, 1, 'v still sees u');
      assert.equal(await savedBy(u, shared), 0);
      assert.equal(await store.countPublicLinks(v), 0);

      await store.update(v, shared, () => ({ private: false }), at(2), eventFor('link.added'));
      assert.equal(await savedBy(u, shared), 1);
      assert.equal(await store.countPublicLinks(v), 1);

      await store.update(v, shared, () => ({ url: other }), at(3), eventFor('link.updated'));
      assert.equal(await savedBy(u, shared), 0, 'v moved away');
      await insert(link(u, other));
      assert.equal(await savedBy(u, other), 1, 'v moved here');

      await store.delete(v, other, eventFor('link.deleted'));
      assert.equal(await savedBy(u, other), 0);
      assert.equal(await store.countPublicLinks(v), 0);
      assert.equal(await store.countPublicLinks(u), 2);
    });

    test('a change whose event builder answers null records no event', async () => {
      const u = user();
      const a = url();
      const before = (await fixture.events()).length;
      await store.insert(link(u, a, { private: true }), 10, () => null);
      await store.update(u, a, () => ({ title: 'still private' }), at(1), () => null);
      await store.delete(u, a, () => null);
      assert.equal((await fixture.events()).length, before);
    });

    test('popular counts the given users’ recent public saves per URL, most savers first, with the latest title', async () => {
      const [u, v, w, outsider] = [user(), user(), user(), user()];
      const [top, second, old, hidden] = [url(), url(), url(), url()];
      await insert(link(u, top, { createdAt: at(10), title: 'first title' }));
      await insert(link(v, top, { createdAt: at(20), title: 'newer title' }));
      await insert(link(w, top, { createdAt: at(5) }));
      await insert(link(u, second, { createdAt: at(30) }));
      await insert(link(outsider, second, { createdAt: at(30) }));
      await insert(link(v, old, { createdAt: at(-3600) }));
      await insert(link(w, old, { createdAt: at(-3600) }));
      await insert(link(u, hidden, { createdAt: at(40), private: true }));
      await insert(link(v, hidden, { createdAt: at(40), private: true }));

      const popular = await store.popular([u, v, w], at(0), 10);
      assert.deepEqual(popular, [
        { url: top, title: 'newer title', savedBy: 3, usernames: [u, v, w].sort() },
        { url: second, title: `title of ${second}`, savedBy: 1, usernames: [u] },
      ]);
      assert.deepEqual((await store.popular([u, v, w], at(0), 1)).map((p) => p.url), [top], 'limited');
      assert.deepEqual(await store.popular([], at(0), 10), []);
    });
  });
}
