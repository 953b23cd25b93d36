/** What every SocialGraphStore must do; run against each implementation by social-graph-store.test.ts. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { NotFoundError, ValidationError } from '@delinkcious/object-model';
import { DefaultSocialGraphManager } from '../../src/manager.ts';
import type { SocialGraphStore } from '../../src/stores/social-graph-store.ts';

export interface StoreFixture {
  store: SocialGraphStore;
  close(): Promise<void>;
}

export function socialGraphStoreContract(name: string, open: () => Promise<StoreFixture>, options: { skip?: string | false } = {}) {
  describe(`SocialGraphStore contract: ${name}`, { skip: options.skip ?? false }, () => {
    let fixture: StoreFixture;
    let store: SocialGraphStore;
    // Each test uses its own usernames, so tests share one store without interfering.
    let n = 0;
    const user = (label = 'user') => `${label}${++n}-${Math.random().toString(36).slice(2, 8)}`;

    before(async () => {
      fixture = await open();
      store = fixture.store;
    });
    after(async () => fixture?.close());

    test('a follow shows on both sides: in the follower’s following and the followed’s followers', async () => {
      const [alice, bob] = [user('alice'), user('bob')];
      await store.follow(alice, bob);
      assert.deepEqual(await store.following(bob), [alice]);
      assert.deepEqual(await store.followers(alice), [bob]);
      assert.deepEqual(await store.following(alice), [], 'following is one-way');
      assert.deepEqual(await store.followers(bob), []);
    });

    test('counts: how many follow a user and how many they follow, from the same rows as the lists', async () => {
      const [alice, bob, carol] = [user('alice'), user('bob'), user('carol')];
      assert.deepEqual(await store.counts(alice), { followers: 0, following: 0 });
      await store.follow(alice, bob);
      await store.follow(alice, carol);
      await store.follow(carol, alice);
      await store.follow(alice, bob); // again: still one follow
      assert.deepEqual(await store.counts(alice), { followers: 2, following: 1 });
      assert.deepEqual(await store.counts(bob), { followers: 0, following: 1 });
      await store.unfollow(alice, bob);
      assert.deepEqual(await store.counts(alice), { followers: 1, following: 1 });
    });

    test('allFollowers: everyone who follows someone, each once, in code point order, from a name on', async () => {
      // Names of this test only, after every other test's (the store is shared).
      const prefix = `zz-all-${Math.random().toString(36).slice(2, 8)}-`;
      const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((label) => prefix + label) as [string, string, string, string];
      await store.follow(a, c);
      await store.follow(b, c);
      await store.follow(c, a);
      await store.follow(a, d);
      await store.unfollow(a, d);
      const mine = (names: string[]) => names.filter((name) => name.startsWith(prefix));
      assert.deepEqual(mine(await store.allFollowers({ after: prefix, limit: 100 })), [a, c]);
      assert.deepEqual(await store.allFollowers({ after: a, limit: 1 }), [c]);
      // Paged through the manager, every page.
      const manager = new DefaultSocialGraphManager({ store });
      const pages: string[][] = [];
      let page = await manager.getAllFollowersPage({ limit: 100 });
      while (page.nextPageToken) {
        pages.push(page.names);
        page = await manager.getAllFollowersPage({ limit: 100, startToken: page.nextPageToken });
      }
      pages.push(page.names);
      assert.deepEqual(mine(pages.flat()), [a, c]);
    });

        test('following twice is stored once', async () => {
      const [alice, bob] = [user(), user()];
      await store.follow(alice, bob);
      await store.follow(alice, bob);
      assert.deepEqual(await store.followers(alice), [bob]);
      assert.deepEqual(await store.following(bob), [alice]);
    });

    test('unfollow answers true once, removes the pair from both sides, then answers false', async () => {
      const [alice, bob, carol] = [user(), user(), user()];
      await store.follow(alice, bob);
      await store.follow(alice, carol);
      await store.follow(carol, bob);
      assert.equal(await store.unfollow(alice, bob), true);
      assert.equal(await store.unfollow(alice, bob), false);
      assert.deepEqual(await store.followers(alice), [carol], 'other followers stay');
      assert.deepEqual(await store.following(bob), [carol], 'other follows stay');
      assert.equal(await store.unfollow(bob, alice), false, 'the reverse pair was never there');
      assert.equal(await store.unfollow(user(), user()), false, 'unknown users');
    });

    test('a follow or unfollow after a read of the followers shows at the next read; a list read is the caller’s own', async () => {
      const [alice, bob, carol] = [user(), user(), user()];
      assert.deepEqual(await store.followers(alice), []);
      await store.follow(alice, bob);
      const read = await store.followers(alice);
      assert.deepEqual(read, [bob], 'the follow, though "none" was read before it');
      read.push('changed by the caller');
      assert.deepEqual(await store.followers(alice), [bob], 'a caller changing its list changes no later read');
      await store.follow(alice, carol);
      assert.deepEqual(await store.followers(alice), [bob, carol].sort(), 'a second follow');
      await store.unfollow(alice, bob);
      assert.deepEqual(await store.followers(alice), [carol], 'the unfollow');
    });

    test('a user nobody knows follows no one and has no followers', async () => {
      const stranger = user();
      assert.deepEqual(await store.following(stranger), []);
      assert.deepEqual(await store.followers(stranger), []);
    });

    test('lists are in code point order, whatever order the follows came in', async () => {
      const target = user('target');
      const prefix = user('p');
      // Upper case before lower, digits as text, non-ASCII after ASCII, U+FFFD before an emoji (astral).
      const suffixes = ['b', 'B', 'a', '10', '9', 'é', 'z', '\uFFFD', '😀', '_', '-'];
      for (const suffix of suffixes) await store.follow(target, `${prefix}${suffix}`);
      const expected = ['-', '10', '9', 'B', '_', 'a', 'b', 'z', 'é', '\uFFFD', '😀'].map((s) => `${prefix}${s}`);
      assert.deepEqual(await store.followers(target), expected);

      const fan = user('fan');
      for (const suffix of [...suffixes].reverse()) await store.follow(`${prefix}${suffix}`, fan);
      assert.deepEqual(await store.following(fan), expected);
    });

    test('a large follower list comes back complete and sorted', async () => {
      const author = user('author');
      const names = Array.from({ length: 1500 }, (_, i) => `${user('r')}-${(i * 7919) % 1500}`);
      for (let i = 0; i < names.length; i += 100) await Promise.all(names.slice(i, i + 100).map((name) => store.follow(author, name)));
      const followers = await store.followers(author);
      assert.equal(followers.length, names.length);
      assert.deepEqual(followers, [...names].sort());
    });

    test('concurrent follows of the same pair neither fail nor duplicate', async () => {
      const [alice, bob] = [user(), user()];
      await Promise.all(Array.from({ length: 10 }, () => store.follow(alice, bob)));
      assert.deepEqual(await store.followers(alice), [bob]);
      const outcomes = await Promise.all(Array.from({ length: 5 }, () => store.unfollow(alice, bob)));
      assert.equal(outcomes.filter(Boolean).length, 1, 'exactly one concurrent unfollow removes it');
    });

    test('names survive as given: quotes, backslashes, unicode, 128 characters, "__proto__"', async () => {
      const target = user();
      const names = [`o'brien "x" \\ ${user()}`, `日本-${user()}`, `${user()}${'x'.repeat(100)}`.slice(0, 128), '__proto__', 'a%2Fb/c?d#e'];
      for (const name of names) await store.follow(target, name);
      assert.deepEqual(new Set(await store.followers(target)), new Set(names));
      for (const name of names) assert.deepEqual(await store.following(name), [target]);
      for (const name of names) assert.equal(await store.unfollow(target, name), true);
    });

    test('ping answers while the store is reachable', async () => {
      await store.ping();
    });

    test('"Alice" and "alice" are one follower, "BOB" and "bob" one followed (through the manager)', async () => {
      const manager = new DefaultSocialGraphManager({ store, maxFollowing: 1 });
      const [alice, bob] = [user('alice'), user('bob')];
      await manager.follow(bob.toUpperCase(), `A${alice.slice(1)}`);
      await manager.follow(bob, alice.toUpperCase()); // already followed, so not refused by the cap of one
      for (const name of [bob, bob.toUpperCase()]) assert.deepEqual(await manager.getFollowers(name), [alice], name);
      for (const name of [alice, alice.toUpperCase()]) assert.deepEqual(await manager.getFollowing(name), [bob], name);
      assert.deepEqual((await manager.getFollowersPage(bob.toUpperCase(), { limit: 10 })).names, [alice]);
      await assert.rejects(manager.follow(alice, alice.toUpperCase()), ValidationError, 'following oneself in another case');
      await manager.unfollow(bob.toUpperCase(), alice);
      await assert.rejects(manager.unfollow(bob, alice.toUpperCase()), NotFoundError);
      assert.deepEqual(await store.followers(bob), []);
    });
  });
}
