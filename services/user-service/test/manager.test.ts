/** DefaultUserManager's rules, over the in-memory store with an injected clock. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { beforeEach, describe, test } from 'node:test';
import { ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError, type User } from '@delinkcious/object-model';
import { DefaultUserManager } from '../src/manager.ts';
import { MemoryUserStore } from '../src/stores/memory-user-store.ts';
import type { UserStore } from '../src/stores/user-store.ts';

const minute = 60_000;
const day = 24 * 60 * minute;
const t0 = new Date('2026-03-01T12:00:00.000Z');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A MemoryUserStore that records every call and its arguments, to check what reaches the store. */
function recordingStore() {
  const inner = new MemoryUserStore();
  const calls: Array<{ method: string; args: string }> = [];
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push({ method: String(property), args: JSON.stringify(args) });
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as UserStore;
  return { store, inner, calls };
}

const isUnauthenticated = (error: unknown) => error instanceof UnauthenticatedError && error.message === 'Access Denied!';

describe('DefaultUserManager', () => {
  let clock: Date;
  let recorded: ReturnType<typeof recordingStore>;
  let store: MemoryUserStore;
  let manager: DefaultUserManager;
  const advance = (ms: number) => (clock = new Date(clock.getTime() + ms));
  const alice: User = { username: 'alice', name: 'Alice A.', email: 'alice@example.com' };
  const bob: User = { username: 'bob', name: 'Bob', email: '' };

  beforeEach(async () => {
    clock = t0;
    recorded = recordingStore();
    store = recorded.inner;
    manager = new DefaultUserManager({ store: recorded.store, sessionTtlMs: 7 * day, now: () => new Date(clock.getTime()) });
  });

  describe('register', () => {
    test('creates a user with trimmed fields and answers only its public fields', async () => {
      const user = await manager.register({ username: '  alice ', name: ' Alice A. ', email: ' alice@example.com ' });
      assert.deepEqual(user, alice);
      assert.equal((await store.getUser('alice'))?.createdAt.getTime(), t0.getTime());
    });

    test('a later registration (a later GitHub login) updates name and email', async () => {
      await manager.register(alice);
      const session = await manager.login('alice');
      advance(minute);
      const updated = await manager.register({ username: 'alice', name: 'Alice Z.', email: '' });
      assert.deepEqual(updated, { username: 'alice', name: 'Alice Z.', email: '' });
      assert.deepEqual((await manager.validate(session.token)).user, updated, 'existing sessions see the new details');
      const stored = await store.getUser('alice');
      assert.equal(stored?.createdAt.getTime(), t0.getTime(), 'creation time is kept');
      assert.equal(stored?.updatedAt.getTime(), t0.getTime() + minute);
    });

    test('name and email may be empty or absent', async () => {
      assert.deepEqual(await manager.register({ username: 'bob' } as User), { username: 'bob', name: '', email: '' });
    });

    test('accepts GitHub logins at the edges of the rules', async () => {
      for (const username of ['a', 'A-1', 'a-b-c', 'x'.repeat(39), '0day']) {
        assert.equal((await manager.register({ username, name: '', email: '' })).username, username.toLowerCase());
      }
    });

    test('refuses usernames that are not GitHub logins, naming the field', async () => {
      const bad: unknown[] = ['', '   ', undefined, null, 42, '-alice', 'alice-', 'al--ice', 'al_ice', 'al ice', 'älice', 'a.b', 'x'.repeat(40)];
      for (const username of bad) {
        await assert.rejects(
          manager.register({ username, name: '', email: '' } as User),
          (error: unknown) => error instanceof ValidationError && /^username /.test(error.message),
          `username ${JSON.stringify(username)}`,
        );
      }
      assert.equal(recorded.calls.length, 0, 'nothing reaches the store');
    });

    test('refuses a name over 256 characters, an email over 320, a malformed email, or non-text', async () => {
      await manager.register({ ...alice, name: 'n'.repeat(256), email: `${'e'.repeat(308)}@example.com` });
      const cases: Array<[Partial<User>, RegExp]> = [
        [{ name: 'n'.repeat(257) }, /^name is longer than 256/],
        [{ email: `${'e'.repeat(309)}@example.com` }, /^email is longer than 320/],
        [{ email: 'not an email' }, /^email is not an email address/],
        [{ email: 'nobody' }, /^email /],
        [{ name: 7 as unknown as string }, /^name must be text/],
      ];
      for (const [change, message] of cases) {
        await assert.rejects(manager.register({ ...alice, ...change }), (error: unknown) => error instanceof ValidationError && message.test(error.message));
      }
    });
  });

  describe('sessions', () => {
    beforeEach(async () => {
      await manager.register(alice);
      await manager.register(bob);
    });

    test('login answers a random 256-bit base64url token that expires after the TTL', async () => {
      const session = await manager.login(' alice ');
      assert.equal(session.username, 'alice');
      assert.match(session.token, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(Buffer.from(session.token, 'base64url').length, 32);
      assert.ok(!session.token.startsWith('dlk_'), 'a session never looks like an API token');
      assert.equal(session.expiresAt.getTime(), t0.getTime() + 7 * day);
      assert.notEqual((await manager.login('alice')).token, session.token, 'every login is a new session');
    });

    test('login of an unregistered user is NotFoundError; of a malformed name, ValidationError', async () => {
      await assert.rejects(manager.login('carol'), NotFoundError);
      await assert.rejects(manager.login('bad_name'), ValidationError);
      await assert.rejects(manager.login(''), /username is required/);
    });

    test('validate answers the session\'s user until it expires, then Access Denied!', async () => {
      const session = await manager.login('alice');
      assert.deepEqual((await manager.validate(session.token)).user, alice);
      advance(7 * day - 1);
      assert.deepEqual((await manager.validate(session.token)).user, alice, 'valid up to the last millisecond');
      advance(1);
      await assert.rejects(manager.validate(session.token), isUnauthenticated);
      assert.equal(await store.findSession(sha256(session.token)), null, 'an expired session found is deleted');
    });

    test('the store holds only the SHA-256 of a session token, never the token', async () => {
      const session = await manager.login('alice');
      await manager.validate(session.token);
      await manager.logout(session.token);
      assert.ok(recorded.calls.some((call) => call.method === 'insertSession' && call.args.includes(sha256(session.token))));
      for (const call of recorded.calls) assert.ok(!call.args.includes(session.token), `${call.method} was given the raw token`);
    });

    test('a session is found by the hash of its token, so the raw token is what opens it', async () => {
      const session = await manager.login('alice');
      assert.equal((await store.findSession(sha256(session.token)))?.user.username, 'alice');
      await assert.rejects(manager.validate(sha256(session.token)), isUnauthenticated, 'the stored hash is no token');
    });

    test('logout revokes that session only, and is idempotent', async () => {
      const [first, second] = [await manager.login('alice'), await manager.login('alice')];
      const bobs = await manager.login('bob');
      await manager.logout(first.token);
      await assert.rejects(manager.validate(first.token), isUnauthenticated);
      assert.deepEqual((await manager.validate(second.token)).user, alice);
      assert.deepEqual((await manager.validate(bobs.token)).user, bob);
      await manager.logout(first.token);
      await manager.logout('never-issued');
      await manager.logout('');
    });

    test('login deletes expired sessions, of anyone', async () => {
      const old = await manager.login('bob');
      advance(7 * day);
      assert.ok(await store.findSession(sha256(old.token)), 'expired but not yet cleaned up');
      await manager.login('alice');
      assert.equal(await store.findSession(sha256(old.token)), null);
    });

    test('validate refuses unknown, empty, oversized and non-text tokens with Access Denied!', async () => {
      const session = await manager.login('alice');
      for (const token of ['', 'nope', `${session.token}x`, session.token.slice(1), 'dlk_unknown', 'x'.repeat(10_000), undefined, 42]) {
        await assert.rejects(manager.validate(token as string), isUnauthenticated, `token ${String(token).slice(0, 20)}`);
      }
    });
  });

  describe('API tokens', () => {
    beforeEach(async () => {
      await manager.register(alice);
      await manager.register(bob);
    });

    test('createApiToken answers a dlk_ secret once, with its info; validate accepts it', async () => {
      const { token, info } = await manager.createApiToken('alice', '  ci pipeline ');
      assert.match(token, /^dlk_[A-Za-z0-9_-]{43}$/);
      assert.equal(Buffer.from(token.slice(4), 'base64url').length, 32);
      assert.deepEqual(Object.keys(info).sort(), ['createdAt', 'id', 'lastUsedAt', 'name', 'scope']);
      assert.equal(info.scope, 'write', 'read-write unless asked otherwise');
      assert.equal(info.name, 'ci pipeline');
      assert.equal(info.createdAt.getTime(), t0.getTime());
      assert.equal(info.lastUsedAt, null);
      assert.deepEqual((await manager.validate(token)).user, alice);
      const second = await manager.createApiToken('alice', 'ci pipeline');
      assert.notEqual(second.token, token);
      assert.notEqual(second.info.id, info.id);
    });

    test('the store holds only the SHA-256 of an API token, and a listing never shows it', async () => {
      const { token } = await manager.createApiToken('alice', 'laptop');
      await manager.validate(token);
      const listed = await manager.listApiTokens('alice');
      assert.ok(!JSON.stringify(listed).includes(token.slice(4)));
      assert.ok(!JSON.stringify(listed).includes(sha256(token)), 'nor its hash');
      assert.equal((await store.findApiToken(sha256(token)))?.user.username, 'alice');
      for (const call of recorded.calls) assert.ok(!call.args.includes(token.slice(4)), `${call.method} was given the raw token`);
    });

    test('a token needs a name of at most 100 characters, and a registered owner', async () => {
      await manager.createApiToken('alice', 'n'.repeat(100));
      for (const name of ['', '   ', undefined]) {
        await assert.rejects(manager.createApiToken('alice', name as string), (e: unknown) => e instanceof ValidationError && /^name is required/.test(e.message));
      }
      await assert.rejects(manager.createApiToken('alice', 'n'.repeat(101)), /^ValidationError: name is longer than 100/);
      await assert.rejects(manager.createApiToken('carol', 'x'), NotFoundError);
      await assert.rejects(manager.createApiToken('-bad', 'x'), /username/);
    });

    test('a user may hold a bounded number of tokens', async () => {
      const limited = new DefaultUserManager({ store, maxApiTokensPerUser: 2, now: () => clock });
      await limited.createApiToken('alice', 'a');
      await limited.createApiToken('alice', 'b');
      await assert.rejects(limited.createApiToken('alice', 'c'), ForbiddenError);
      await limited.createApiToken('bob', 'a');
    });

    test('listApiTokens answers the user\'s tokens, newest first', async () => {
      await manager.createApiToken('alice', 'first');
      advance(1000);
      await manager.createApiToken('alice', 'second');
      await manager.createApiToken('bob', 'bobs');
      assert.deepEqual(
        (await manager.listApiTokens('alice')).map((t) => t.name),
        ['second', 'first'],
      );
      assert.deepEqual(await manager.listApiTokens('carol'), [], 'an unknown user has none');
      await assert.rejects(manager.listApiTokens(''), ValidationError);
    });

    test('lastUsedAt is recorded on validate, at most once a minute', async () => {
      const { token, info } = await manager.createApiToken('alice', 'laptop');
      const touches = () => recorded.calls.filter((call) => call.method === 'touchApiToken').length;
      await manager.validate(token);
      assert.equal((await manager.listApiTokens('alice'))[0]?.lastUsedAt?.getTime(), t0.getTime());
      advance(30_000);
      await manager.validate(token);
      await manager.validate(token);
      assert.equal(touches(), 1, 'no write within the minute');
      assert.equal((await manager.listApiTokens('alice'))[0]?.lastUsedAt?.getTime(), t0.getTime());
      advance(30_000);
      await manager.validate(token);
      assert.equal(touches(), 2);
      const [listed] = await manager.listApiTokens('alice');
      assert.equal(listed?.id, info.id);
      assert.equal(listed?.lastUsedAt?.getTime(), t0.getTime() + minute);
    });

    test('API tokens do not expire with sessions, and logout does not revoke them', async () => {
      const { token } = await manager.createApiToken('alice', 'cron');
      await manager.logout(token);
      advance(365 * day);
      assert.deepEqual((await manager.validate(token)).user, alice);
    });

    test('revokeApiToken revokes the owner\'s token; the token stops working', async () => {
      const { token, info } = await manager.createApiToken('alice', 'old');
      const kept = await manager.createApiToken('alice', 'kept');
      await manager.revokeApiToken('alice', info.id);
      await assert.rejects(manager.validate(token), isUnauthenticated);
      assert.deepEqual((await manager.validate(kept.token)).user, alice);
      assert.deepEqual(
        (await manager.listApiTokens('alice')).map((t) => t.id),
        [kept.info.id],
      );
      await assert.rejects(manager.revokeApiToken('alice', info.id), NotFoundError, 'revoking twice');
    });

    test('a user can never revoke or list another user\'s token', async () => {
      const { token, info } = await manager.createApiToken('alice', 'mine');
      await assert.rejects(manager.revokeApiToken('bob', info.id), (e: unknown) => e instanceof NotFoundError && e.message.includes(info.id));
      assert.deepEqual((await manager.validate(token)).user, alice, 'still valid');
      assert.deepEqual(await manager.listApiTokens('bob'), []);
      await assert.rejects(manager.revokeApiToken('alice', 'no-such-id'), NotFoundError);
      await assert.rejects(manager.revokeApiToken('alice', ' '), /id is required/);
    });
  });
});
