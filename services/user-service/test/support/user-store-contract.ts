/** What every UserStore must do; run against each implementation by user-store.test.ts. */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { DefaultUserManager } from '../../src/manager.ts';
import type { NewApiToken, UserStore } from '../../src/stores/user-store.ts';

export interface StoreFixture {
  store: UserStore;
  close(): Promise<void>;
}

const t0 = new Date('2026-01-01T00:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');

export function userStoreContract(name: string, open: () => Promise<StoreFixture>, options: { skip?: string | false } = {}) {
  describe(`UserStore contract: ${name}`, { skip: options.skip ?? false }, () => {
    let fixture: StoreFixture;
    let store: UserStore;
    // Each test uses its own usernames and secrets, so tests share one store without interfering.
    let n = 0;
    const username = () => `user${++n}-${Math.random().toString(36).slice(2, 8)}`;
    const secret = () => hash(randomUUID());
    const registered = async (createdAt = t0) => (await store.upsertUser({ username: username(), name: 'N', email: '' }, createdAt)).username;
    const newToken = (owner: string, extra: Partial<NewApiToken> = {}): NewApiToken => ({
      id: randomUUID(),
      username: owner,
      name: 'ci',
      scope: 'write',
      tokenHash: secret(),
      createdAt: t0,
      ...extra,
    });

    before(async () => {
      fixture = await open();
      store = fixture.store;
    });
    after(async () => fixture?.close());

    test('upsertUser creates a user, and getUser answers it', async () => {
      const u = username();
      const created = await store.upsertUser({ username: u, name: 'Ada Lovelace', email: 'ada@example.com' }, t0);
      assert.deepEqual(created, { username: u, spelling: u, name: 'Ada Lovelace', email: 'ada@example.com', createdAt: t0, updatedAt: t0 });
      assert.deepEqual(await store.getUser(u), created);
      assert.equal(await store.getUser(username()), null);
    });

    test('upsertUser of an existing user updates name and email, keeping createdAt', async () => {
      const u = username();
      await store.upsertUser({ username: u, name: 'Old', email: 'old@example.com' }, t0);
      const updated = await store.upsertUser({ username: u, name: 'New', email: '' }, at(60));
      assert.equal(updated.name, 'New');
      assert.equal(updated.email, '');
      assert.equal(updated.createdAt.getTime(), t0.getTime());
      assert.equal(updated.updatedAt.getTime(), at(60).getTime());
      assert.deepEqual(await store.getUser(u), updated);
    });

    test('usernames are exact keys: another case is another user', async () => {
      const u = username();
      await store.upsertUser({ username: u, name: 'lower', email: '' }, t0);
      assert.equal(await store.getUser(u.toUpperCase()), null);
    });

    test('a session is found by its hash, with its user and expiry, until deleted', async () => {
      const u = await registered();
      const tokenHash = secret();
      await store.insertSession({ tokenHash, username: u, createdAt: t0, expiresAt: at(3600) });
      const found = await store.findSession(tokenHash);
      assert.equal(found?.user.username, u);
      assert.equal(found?.user.name, 'N');
      assert.equal(found?.expiresAt.getTime(), at(3600).getTime());
      assert.equal(await store.findSession(secret()), null);
      assert.equal(await store.deleteSession(tokenHash), true);
      assert.equal(await store.findSession(tokenHash), null);
      assert.equal(await store.deleteSession(tokenHash), false);
    });

    test('a session answers its user as they are now', async () => {
      const u = await registered();
      const tokenHash = secret();
      await store.insertSession({ tokenHash, username: u, createdAt: t0, expiresAt: at(3600) });
      await store.upsertUser({ username: u, name: 'Renamed', email: 'r@example.com' }, at(10));
      assert.equal((await store.findSession(tokenHash))?.user.name, 'Renamed');
    });

    test('a session of an unknown user is refused', async () => {
      await assert.rejects(store.insertSession({ tokenHash: secret(), username: username(), createdAt: t0, expiresAt: at(60) }));
    });

    test('deleteExpiredSessions deletes sessions expired at or before now, and only those', async () => {
      const u = await registered();
      // Far in the past, so sessions other tests left are not counted.
      const past = new Date('2000-01-01T00:00:00.000Z');
      const [gone, edge, live] = [secret(), secret(), secret()];
      await store.insertSession({ tokenHash: gone, username: u, createdAt: past, expiresAt: new Date(past.getTime() - 1000) });
      await store.insertSession({ tokenHash: edge, username: u, createdAt: past, expiresAt: past });
      await store.insertSession({ tokenHash: live, username: u, createdAt: past, expiresAt: new Date(past.getTime() + 1) });
      assert.equal(await store.deleteExpiredSessions(past), 2);
      assert.equal(await store.findSession(gone), null);
      assert.equal(await store.findSession(edge), null);
      assert.equal((await store.findSession(live))?.user.username, u);
    });

    test('an API token is found by its hash, with its user, and starts unused', async () => {
      const u = await registered();
      const token = newToken(u, { name: 'laptop' });
      assert.deepEqual(await store.insertApiToken(token, 10), { kind: 'added' });
      const found = await store.findApiToken(token.tokenHash);
      assert.equal(found?.user.username, u);
      assert.deepEqual(found?.token, { ...token, lastUsedAt: null });
      assert.equal(await store.findApiToken(secret()), null);
    });

    test('an API token of an unknown user is refused as no_user', async () => {
      assert.deepEqual(await store.insertApiToken(newToken(username()), 10), { kind: 'no_user' });
    });

    test('the per-user token limit refuses the token past it, and frees a place on delete', async () => {
      const [u, v] = [await registered(), await registered()];
      const first = newToken(u);
      assert.equal((await store.insertApiToken(first, 2)).kind, 'added');
      assert.equal((await store.insertApiToken(newToken(u), 2)).kind, 'added');
      const refused = newToken(u);
      assert.equal((await store.insertApiToken(refused, 2)).kind, 'limit');
      assert.equal(await store.findApiToken(refused.tokenHash), null, 'the refused token is not stored');
      assert.equal((await store.insertApiToken(newToken(v), 2)).kind, 'added', 'the limit is per user');
      assert.ok(await store.deleteApiToken(u, first.id));
      assert.equal((await store.insertApiToken(newToken(u), 2)).kind, 'added');
    });

    test('concurrent token inserts at the limit never exceed it', async () => {
      const u = await registered();
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => store.insertApiToken(newToken(u), 3)));
      assert.equal(outcomes.filter((o) => o.kind === 'added').length, 3);
      assert.equal((await store.listApiTokens(u)).length, 3);
    });

    test('listApiTokens answers only the user\'s tokens, newest first', async () => {
      const [u, v] = [await registered(), await registered()];
      const tokens = [1, 2, 3].map((i) => newToken(u, { name: `t${i}`, createdAt: at(i) }));
      for (const token of [tokens[1]!, tokens[0]!, tokens[2]!]) await store.insertApiToken(token, 10);
      await store.insertApiToken(newToken(v, { name: 'other' }), 10);
      const listed = await store.listApiTokens(u);
      assert.deepEqual(
        listed.map((t) => t.name),
        ['t3', 't2', 't1'],
      );
      assert.equal(listed[0]?.id, tokens[2]!.id);
      assert.equal(listed[0]?.createdAt.getTime(), at(3).getTime());
      assert.deepEqual(await store.listApiTokens(username()), []);
    });

    test('deleteApiToken deletes only the owner\'s token', async () => {
      const [u, v] = [await registered(), await registered()];
      const token = newToken(u);
      await store.insertApiToken(token, 10);
      assert.equal(await store.deleteApiToken(v, token.id), false, 'another user cannot delete it');
      assert.ok(await store.findApiToken(token.tokenHash), 'it is still there');
      assert.equal(await store.deleteApiToken(u, randomUUID()), false);
      assert.equal(await store.deleteApiToken(u, token.id), true);
      assert.equal(await store.findApiToken(token.tokenHash), null);
      assert.equal(await store.deleteApiToken(u, token.id), false);
    });

    test('touchApiToken sets lastUsedAt unless it is newer than staleBefore', async () => {
      const u = await registered();
      const token = newToken(u);
      await store.insertApiToken(token, 10);
      assert.equal(await store.touchApiToken(token.id, at(100), at(40)), true, 'never used: written');
      assert.equal(await store.touchApiToken(token.id, at(120), at(60)), false, 'used after staleBefore: not written');
      assert.equal((await store.findApiToken(token.tokenHash))?.token.lastUsedAt?.getTime(), at(100).getTime());
      assert.equal(await store.touchApiToken(token.id, at(160), at(100)), true, 'used at staleBefore: written');
      assert.equal(await store.touchApiToken(token.id, at(300), at(200)), true, 'used before staleBefore: written');
      assert.equal((await store.listApiTokens(u))[0]?.lastUsedAt?.getTime(), at(300).getTime());
      assert.equal(await store.touchApiToken(randomUUID(), at(200), at(140)), false);
    });

    test('text survives as given: unicode and quotes', async () => {
      const u = username();
      const name = `Zoë "Q" O'Brien — 日本 ${'x'.repeat(200)}`;
      await store.upsertUser({ username: u, name, email: "o'brien+tag@example.com" }, t0);
      assert.equal((await store.getUser(u))?.name, name);
      assert.equal((await store.getUser(u))?.email, "o'brien+tag@example.com");
      const token = newToken(u, { name: 'Töken "ci" \'x\'' });
      await store.insertApiToken(token, 10);
      assert.equal((await store.listApiTokens(u))[0]?.name, 'Töken "ci" \'x\'');
    });

    test('"Alice" and "alice" are one account, shown as first written: sessions, tokens, GitHub sign-in (through the manager)', async () => {
      const manager = new DefaultUserManager({ store });
      const spelled = `Mc${username()}`;
      const canonical = spelled.toLowerCase();
      const created = await manager.register({ username: spelled, name: 'Mc', email: '' });
      assert.deepEqual(created, { username: canonical, spelling: spelled, name: 'Mc', email: '' });
      assert.deepEqual(await manager.register({ username: canonical, name: 'Mc 2', email: '' }), { ...created, name: 'Mc 2' });
      // GitHub answers a login in another case: the same account, which it claims.
      const github = await manager.register({ username: canonical.toUpperCase(), name: 'Mc', email: '', githubId: 4242 + n });
      assert.equal(github.username, canonical);
      assert.equal(github.spelling, spelled);
      assert.equal((await manager.register({ username: canonical, name: 'Mc', email: '', githubId: 4242 + n })).username, canonical);

      const session = await manager.login(canonical.toUpperCase());
      const token = await manager.createApiToken(spelled, 'ci');
      assert.deepEqual((await manager.listApiTokens(canonical)).map((info) => info.id), [token.info.id]);
      for (const secret of [session.token, token.token]) {
        const { user } = await manager.validate(secret);
        assert.equal(user.username, canonical);
        assert.equal(user.spelling, spelled);
      }
      await manager.revokeApiToken(canonical.toUpperCase(), token.info.id);
      assert.deepEqual(await manager.listApiTokens(spelled), []);
      assert.equal((await store.getUser(canonical))?.spelling, spelled);
      assert.equal(await store.getUser(spelled), null, 'stored once, under the canonical name');
    });
  });
}
