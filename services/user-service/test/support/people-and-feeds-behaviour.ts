/**
 * People search and feed tokens as a caller of any UserManager sees them; run
 * against the local manager and against UserClient over HTTP, which must
 * answer the same, with the same typed errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { NotFoundError, ValidationError, userSearchLimits } from '@delinkcious/object-model';
import type { ManagerFixture } from './user-manager-behaviour.ts';

export function peopleAndFeedsBehaviour(name: string, open: () => Promise<ManagerFixture>) {
  describe(`UserManager people search and feed tokens: ${name}`, () => {
    let fixture: ManagerFixture;
    const manager = () => fixture.manager;
    const prefix = () => `q${Math.random().toString(36).slice(2, 8)}`;

    before(async () => {
      fixture = await open();
    });
    after(async () => fixture?.close());

    test('searchUsers: case-insensitive prefix of username or name, paged, never an email', async () => {
      const p = prefix();
      const names = Array.from({ length: userSearchLimits.max + 3 }, (_, i) => `${p}-${String(i).padStart(2, '0')}`);
      for (const username of names) await manager().register({ username, name: 'Some One', email: `${username}@example.com` });
      await manager().register({ username: `z${p}`, name: `${p.toUpperCase()} Person`, email: 'secret@example.com' });

      const first = await manager().searchUsers({ query: p.toUpperCase() });
      assert.equal(first.users.length, userSearchLimits.max, 'at most 20 a page');
      assert.deepEqual(first.users[0], { username: `${p}-00`, name: 'Some One' });
      assert.ok(first.nextPageToken);
      const second = await manager().searchUsers({ query: ` ${p} `, startToken: first.nextPageToken });
      assert.deepEqual(
        second.users.map((user) => user.username),
        [...names.slice(userSearchLimits.max), `z${p}`],
      );
      assert.equal(second.nextPageToken, '');
      assert.ok(second.users.every((user) => !('email' in user)));

      const small = await manager().searchUsers({ query: p, limit: 2 });
      assert.deepEqual(small.users.map((user) => user.username), names.slice(0, 2));
    });

    test('searchUsers refuses a missing query, a bad limit and a forged page token with a 400 naming it', async () => {
      await assert.rejects(manager().searchUsers({ query: '  ' }), (e: unknown) => e instanceof ValidationError && e.message === 'q is required');
      await assert.rejects(manager().searchUsers({ query: 'a', limit: 21 }), (e: unknown) => e instanceof ValidationError && /^limit must be/.test(e.message));
      await assert.rejects(
        manager().searchUsers({ query: 'a', startToken: 'not-a-token!' }),
        (e: unknown) => e instanceof ValidationError && /^start_token/.test(e.message),
      );
      await assert.rejects(manager().searchUsers({ query: 'a'.repeat(201) }), (e: unknown) => e instanceof ValidationError && /^q is longer/.test(e.message));
    });

    test('feed tokens: made once, resolved to their owner, revoked by the next one', async () => {
      const owner = (await manager().register({ username: prefix(), name: '', email: '' })).username;
      assert.equal(await manager().getFeedToken(owner), null);
      const first = await manager().newFeedToken(owner.toUpperCase());
      assert.match(first.token, /^dlkf_[A-Za-z0-9_-]{43}$/);
      assert.equal(await manager().feedTokenOwner(first.token), owner);
      assert.equal((await manager().getFeedToken(owner))?.createdAt.getTime(), first.info.createdAt.getTime());

      const second = await manager().newFeedToken(owner);
      assert.notEqual(second.token, first.token);
      await assert.rejects(manager().feedTokenOwner(first.token), NotFoundError);
      assert.equal(await manager().feedTokenOwner(second.token), owner);
      await assert.rejects(manager().feedTokenOwner(''), NotFoundError);
      await assert.rejects(manager().feedTokenOwner('x'.repeat(500)), NotFoundError);
      await assert.rejects(manager().newFeedToken(`${owner}-nobody`), NotFoundError);
      await assert.rejects(manager().getFeedToken(`${owner}-nobody`), NotFoundError);
    });
  });
}
