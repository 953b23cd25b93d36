/**
 * What any UserManager does, as a caller sees it; run against the local
 * manager and against UserClient over HTTP, which must be indistinguishable:
 * same answers, same typed errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
  type UserManager,
} from '@delinkcious/object-model';

export interface ManagerFixture {
  manager: UserManager;
  close(): Promise<void>;
}

const accessDenied = (error: unknown) => error instanceof UnauthenticatedError && error.message === 'Access Denied!';

export function userManagerBehaviour(name: string, open: () => Promise<ManagerFixture>) {
  describe(`UserManager behaviour: ${name}`, () => {
    let fixture: ManagerFixture;
    let manager: UserManager;
    let n = 0;
    const username = () => `u${++n}-${Math.random().toString(36).slice(2, 8)}`;
    const registered = async () => (await manager.register({ username: username(), name: 'Some One', email: 'one@example.com' })).username;

    before(async () => {
      fixture = await open();
      manager = fixture.manager;
    });
    after(async () => fixture?.close());

    test('register answers the user, trimmed, and updates it when called again', async () => {
      const u = username();
      assert.deepEqual(await manager.register({ username: ` ${u} `, name: ' Ada ', email: 'ada@example.com' }), {
        username: u,
        name: 'Ada',
        email: 'ada@example.com',
      });
      assert.deepEqual(await manager.register({ username: u, name: 'Ada L.', email: '' }), { username: u, name: 'Ada L.', email: '' });
    });

    test('login, validate and logout: a session works until it is ended', async () => {
      const u = await registered();
      const session = await manager.login(u);
      assert.equal(session.username, u);
      assert.equal(typeof session.token, 'string');
      assert.ok(session.expiresAt instanceof Date);
      assert.ok(session.expiresAt.getTime() > Date.now() + 24 * 3600_000);
      assert.deepEqual((await manager.validate(session.token)).user, { username: u, name: 'Some One', email: 'one@example.com' });
      await manager.logout(session.token);
      await assert.rejects(manager.validate(session.token), accessDenied);
      await manager.logout(session.token);
    });

    test('errors arrive as the same typed errors with the same messages', async () => {
      await assert.rejects(
        manager.register({ username: 'not_valid', name: '', email: '' }),
        (e: unknown) => e instanceof ValidationError && /^username may only contain/.test(e.message),
      );
      await assert.rejects(
        manager.login('nobody-here'),
        (e: unknown) => e instanceof NotFoundError && e.message === 'no user nobody-here; register first',
      );
      await assert.rejects(manager.validate(''), accessDenied);
      await assert.rejects(manager.validate('dlk_forged'), accessDenied);
      await assert.rejects(manager.createApiToken('nobody-here', 'x'), NotFoundError);
      const u = await registered();
      await assert.rejects(manager.createApiToken(u, ''), (e: unknown) => e instanceof ValidationError && /^name is required/.test(e.message));
    });

    test('API tokens: created once, listed without the secret, validated, revoked only by their owner', async () => {
      const [u, other] = [await registered(), await registered()];
      const { token, info } = await manager.createApiToken(u, 'deploy bot');
      assert.match(token, /^dlk_/);
      assert.equal(info.name, 'deploy bot');
      assert.ok(info.createdAt instanceof Date);
      assert.equal(info.lastUsedAt, null);
      assert.equal((await manager.validate(token)).user.username, u);

      const [listed] = await manager.listApiTokens(u);
      assert.equal(listed?.id, info.id);
      assert.equal(listed?.createdAt.getTime(), info.createdAt.getTime());
      assert.ok(listed?.lastUsedAt instanceof Date, 'the use was recorded');
      assert.deepEqual(await manager.listApiTokens(other), []);

      await assert.rejects(manager.revokeApiToken(other, info.id), NotFoundError);
      assert.equal((await manager.validate(token)).user.username, u);
      await manager.revokeApiToken(u, info.id);
      await assert.rejects(manager.validate(token), accessDenied);
      await assert.rejects(manager.revokeApiToken(u, info.id), NotFoundError);
    });

    test('names that would bend a URL path are refused as bad usernames, not routed elsewhere', async () => {
      const u = await registered();
      for (const bad of ['a/b', '../x', 'a?b=1', '%2e%2e', 'a#b', '.', '..', '%2E']) {
        await assert.rejects(manager.listApiTokens(bad), ValidationError, bad);
        await assert.rejects(manager.createApiToken(bad, 'x'), ValidationError, bad);
        await assert.rejects(manager.revokeApiToken(bad, 'x'), ValidationError, bad);
      }
      await assert.rejects(manager.listApiTokens(''), (e: unknown) => e instanceof ValidationError && e.message === 'username is required');
      for (const id of ['../tokens', '.', '..', '%2e', '%2E%2e', 'a/b']) await assert.rejects(manager.revokeApiToken(u, id), NotFoundError, id);
    });

    test('usernames are case-insensitive; the spelling of the first sign-in travels with the user', async () => {
      const spelled = `Mc${username()}`;
      const canonical = spelled.toLowerCase();
      assert.deepEqual(await manager.register({ username: spelled, name: 'Mc', email: '' }), { username: canonical, spelling: spelled, name: 'Mc', email: '' });
      assert.deepEqual(await manager.getUser(canonical.toUpperCase()), { username: canonical, spelling: spelled, name: 'Mc', email: '' });
      const session = await manager.login(canonical);
      assert.equal(session.username, canonical);
      assert.equal((await manager.validate(session.token)).user.spelling, spelled);
      const token = await manager.createApiToken(canonical.toUpperCase(), 'ci');
      assert.deepEqual((await manager.listApiTokens(spelled)).map((info) => info.id), [token.info.id]);
    });
  });
}
