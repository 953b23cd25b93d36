/** The settings part of every UserStore: defaults, partial changes, unknown users; run against each implementation by user-store.test.ts. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { StoreFixture } from './user-store-contract.ts';

export function settingsStoreContract(name: string, open: () => Promise<StoreFixture>, options: { skip?: string | false } = {}) {
  describe(`UserStore settings: ${name}`, { skip: options.skip ?? false }, () => {
    let fixture: StoreFixture;
    before(async () => {
      fixture = await open();
    });
    after(async () => fixture?.close());

    test('a user starts with the defaults; a change keeps what it leaves out; an unknown user has none', async () => {
      const { store } = fixture;
      await store.upsertUser({ username: 'sam', name: 'Sam', email: '' }, new Date());
      assert.deepEqual(await store.getSettings('sam'), { defaultPrivate: false });
      assert.equal((await store.updateSettings('sam', { defaultPrivate: true }))?.defaultPrivate, true);
      assert.equal((await store.updateSettings('sam', {}))?.defaultPrivate, true, 'nothing asked, nothing changed');
      assert.equal((await store.getSettings('sam'))?.defaultPrivate, true);
      assert.equal((await store.updateSettings('sam', { defaultPrivate: false }))?.defaultPrivate, false);
      assert.equal(await store.getSettings('nobody'), null);
      assert.equal(await store.updateSettings('nobody', { defaultPrivate: true }), null);
      assert.equal(await store.getSettings('nobody'), null, 'no settings made for an unknown user');
    });

    test('settings read again follow every change: a registration after "unknown", a change after a read', async () => {
      const { store } = fixture;
      assert.equal(await store.getSettings('newcomer'), null);
      assert.equal(await store.getSettings('newcomer'), null);
      await store.upsertUser({ username: 'newcomer', name: 'New', email: '' }, new Date());
      assert.deepEqual(await store.getSettings('newcomer'), { defaultPrivate: false }, 'known once registered');
      assert.deepEqual(await store.getSettings('newcomer'), { defaultPrivate: false });
      await store.updateSettings('newcomer', { defaultPrivate: true });
      assert.deepEqual(await store.getSettings('newcomer'), { defaultPrivate: true }, 'the change is read back at once');
    });
  });
}
