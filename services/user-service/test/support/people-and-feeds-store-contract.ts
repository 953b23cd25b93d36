/** What every UserStore must do for people search and feed tokens; run against each implementation by user-store.test.ts. */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { UserStore } from '../../src/stores/user-store.ts';
import type { StoreFixture } from './user-store-contract.ts';

const t0 = new Date('2026-01-01T00:00:00.000Z');
const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');

export function peopleAndFeedsStoreContract(name: string, open: () => Promise<StoreFixture>, options: { skip?: string | false } = {}) {
  describe(`UserStore contract, people search and feed tokens: ${name}`, { skip: options.skip ?? false }, () => {
    let fixture: StoreFixture;
    let store: UserStore;
    // Each test searches under its own random prefix, so tests sharing a store do not see each other's users.
    const prefix = () => `p${Math.random().toString(36).slice(2, 8)}`;
    const add = (username: string, name: string) => store.upsertUser({ username, name, email: `${username}@example.com` }, t0);

    before(async () => {
      fixture = await open();
      store = fixture.store;
    });
    after(async () => fixture?.close());

    test('searchUsers finds usernames and names by prefix, in username order, without email', async () => {
      const p = prefix();
      await add(`${p}-zed`, 'Zed');
      await add(`${p}-amy`, 'Amy');
      await add(`x${p}`, `${p.toUpperCase()} Smith`); // the name starts with the prefix, in other case
      await add(`y${p}`, `Not ${p}`); // the prefix inside the name only: not a match
      assert.deepEqual(await store.searchUsers(p, '', 10), [
        { username: `${p}-amy`, name: 'Amy' },
        { username: `${p}-zed`, name: 'Zed' },
        { username: `x${p}`, name: `${p.toUpperCase()} Smith` },
      ]);
      assert.deepEqual(await store.searchUsers(`${p}-a`, '', 10), [{ username: `${p}-amy`, name: 'Amy' }]);
      assert.deepEqual(await store.searchUsers(`${p}q`, '', 10), []);
    });

    test('searchUsers pages: after a username, at most limit', async () => {
      const p = prefix();
      for (const suffix of ['a', 'b', 'c', 'd', 'e']) await add(`${p}${suffix}`, suffix);
      assert.deepEqual((await store.searchUsers(p, '', 2)).map((u) => u.username), [`${p}a`, `${p}b`]);
      assert.deepEqual((await store.searchUsers(p, `${p}b`, 2)).map((u) => u.username), [`${p}c`, `${p}d`]);
      assert.deepEqual((await store.searchUsers(p, `${p}d`, 2)).map((u) => u.username), [`${p}e`]);
    });

    test('searchUsers folds ASCII letters of names only, the same in every store', async () => {
      const p = prefix();
      await add(`${p}1`, `${p}ÉLODIE`);
      assert.equal((await store.searchUsers(`${p}É`, '', 10)).length, 1, 'É stays É');
      assert.equal((await store.searchUsers(`${p}é`, '', 10)).length, 0, 'é is not É in the C collation');
    });

    test('feed tokens: one per user, replaced by the next, found by hash; unknown users get none', async () => {
      const p = prefix();
      const user = (await add(p, 'Feed Reader')).username;
      assert.equal(await store.getFeedToken(user), null);
      const first = hash(randomUUID());
      assert.equal(await store.replaceFeedToken(user, first, t0), true);
      assert.deepEqual(await store.getFeedToken(user), { createdAt: t0 });
      assert.equal(await store.feedTokenOwner(first), user);

      const later = new Date(t0.getTime() + 60_000);
      const second = hash(randomUUID());
      assert.equal(await store.replaceFeedToken(user, second, later), true);
      assert.equal(await store.feedTokenOwner(first), null, 'the old token is revoked');
      assert.equal(await store.feedTokenOwner(second), user);
      assert.deepEqual(await store.getFeedToken(user), { createdAt: later });

      assert.equal(await store.replaceFeedToken(`${p}-nobody`, hash(randomUUID()), t0), false);
      assert.equal(await store.feedTokenOwner(hash(randomUUID())), null);
    });
  });
}
