/**
 * Who is who, and what their tokens may do: accounts keyed by GitHub's numeric
 * id, token scopes, user lookup and single-use sign-in states. Run against the
 * local manager on every store, and over HTTP through UserClient (a caller
 * cannot tell them apart).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as delinkciousDb from '@delinkcious/db';
import { loadMigrations, migrate, openPglite } from '@delinkcious/db';
import { ConflictError, NotFoundError, ValidationError, type UserManager } from '@delinkcious/object-model';
import { storeDatabases } from '@delinkcious/testing';
import { migrationsDir } from '../src/main.ts';
import { DefaultUserManager } from '../src/manager.ts';
import { MemoryUserStore } from '../src/stores/memory-user-store.ts';
import { SqlUserStore } from '../src/stores/sql-user-store.ts';
import { userClientOverHttp } from './support/user-server.ts';

interface Fixture {
  manager: UserManager;
  close(): Promise<void>;
}

function identityBehaviour(name: string, open: () => Promise<Fixture>, options: { skip?: string | false } = {}) {
  describe(`accounts, scopes and sign-in states: ${name}`, { skip: options.skip ?? false }, () => {
    let fixture: Fixture;
    let manager: UserManager;
    let n = 0;
    const unique = () => `${++n}-${Math.random().toString(36).slice(2, 8)}`;
    // GitHub ids of this run: distinct across tests that share one store.
    const githubId = () => Math.floor(Math.random() * 2 ** 40) + 1;

    before(async () => {
      fixture = await open();
      manager = fixture.manager;
    });
    after(async () => fixture?.close());

    test('a GitHub account renamed on GitHub signs in to the same account, under the username it had', async () => {
      const id = githubId();
      const [old, renamed] = [`old${unique()}`, `new${unique()}`];
      const first = await manager.register({ username: old, name: 'Ann', email: 'ann@example.com', githubId: id });
      assert.equal(first.username, old);
      const token = (await manager.createApiToken(old, 'ci')).token;

      const again = await manager.register({ username: renamed, name: 'Ann B.', email: 'ann@example.org', githubId: id });
      assert.deepEqual(again, { username: old, name: 'Ann B.', email: 'ann@example.org', githubId: id });
      assert.equal((await manager.login(again.username)).username, old);
      assert.equal((await manager.validate(token)).user.username, old, 'the account and its tokens are the same');
      await assert.rejects(manager.getUser(renamed), NotFoundError, 'no second account under the new login');
    });

    test('someone who takes over a login another GitHub account had never gets that account', async () => {
      const login = `taken${unique()}`;
      const owner = githubId();
      await manager.register({ username: login, name: 'Owner', email: 'owner@example.com', githubId: owner });
      await assert.rejects(
        manager.register({ username: login, name: 'Mallory', email: 'm@example.com', githubId: owner + 1 }),
        (error) => error instanceof ConflictError && /belongs to another GitHub account/.test(error.message),
      );
      assert.deepEqual(await manager.getUser(login), { username: login, name: 'Owner', email: 'owner@example.com', githubId: owner });
    });

    test('an account made before GitHub ids gets its id at its next GitHub sign-in, and keeps it', async () => {
      const login = `legacy${unique()}`;
      await manager.register({ username: login, name: 'Leg', email: '' });
      const id = githubId();
      assert.equal((await manager.register({ username: login, name: 'Leg', email: '', githubId: id })).githubId, id);
      await assert.rejects(manager.register({ username: login, name: 'Other', email: '', githubId: id + 1 }), ConflictError);
    });

    test('a GitHub id that is not a positive whole number is a ValidationError naming github_id', async () => {
      for (const bad of [0, -4, 1.5]) {
        await assert.rejects(manager.register({ username: `g${unique()}`, name: '', email: '', githubId: bad }), /github_id/);
      }
    });

    test('getUser answers a registered user and NotFoundError for anyone else; a malformed name is a ValidationError', async () => {
      const u = `look${unique()}`;
      await manager.register({ username: u, name: 'Look', email: '' });
      assert.deepEqual(await manager.getUser(u), { username: u, name: 'Look', email: '' });
      await assert.rejects(manager.getUser(`nosuchuser${unique()}`), NotFoundError);
      await assert.rejects(manager.getUser('bad name!'), ValidationError);
    });

    test('API tokens have a scope: read or write (the default); validate answers the kind and scope', async () => {
      const u = `scope${unique()}`;
      await manager.register({ username: u, name: '', email: '' });
      const reader = await manager.createApiToken(u, 'dashboard', 'read');
      const writer = await manager.createApiToken(u, 'cli');
      assert.equal(reader.info.scope, 'read');
      assert.equal(writer.info.scope, 'write');
      assert.deepEqual(
        (await manager.listApiTokens(u)).map((token) => [token.name, token.scope]).sort(),
        [
          ['cli', 'write'],
          ['dashboard', 'read'],
        ],
      );
      const { kind, scope } = await manager.validate(reader.token);
      assert.deepEqual({ kind, scope }, { kind: 'api_token', scope: 'read' });
      const session = await manager.login(u);
      const asSession = await manager.validate(session.token);
      assert.deepEqual({ kind: asSession.kind, scope: asSession.scope }, { kind: 'session', scope: 'write' });
      await assert.rejects(manager.createApiToken(u, 'x', 'admin' as never), /scope must be one of read, write/);
    });

    test('a sign-in state is consumed once: a replay, an unknown and an empty state are refused', async () => {
      const state = await manager.newSignInState();
      assert.match(state, /^[A-Za-z0-9_-]{43}$/);
      assert.notEqual(await manager.newSignInState(), state);
      assert.equal(await manager.consumeSignInState(state), true);
      assert.equal(await manager.consumeSignInState(state), false, 'a replayed state is refused');
      assert.equal(await manager.consumeSignInState('never-issued'), false);
      assert.equal(await manager.consumeSignInState(''), false);
    });

    test('of concurrent uses of one state, exactly one succeeds', async () => {
      const state = await manager.newSignInState();
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => manager.consumeSignInState(state)));
      assert.equal(outcomes.filter(Boolean).length, 1);
    });
  });
}

identityBehaviour('memory', async () => ({ manager: new DefaultUserManager({ store: new MemoryUserStore() }), close: async () => {} }));

for (const { name, open, skip } of await storeDatabases({ db: delinkciousDb, migrationsDir, label: 'user_manager', prefix: 'test_identity' })) {
  identityBehaviour(
    name,
    async () => {
      const { db, close } = await open();
      return { manager: new DefaultUserManager({ store: new SqlUserStore(db) }), close };
    },
    { skip },
  );
}

identityBehaviour('UserClient over HTTP', userClientOverHttp);

describe('the migration to GitHub ids and token scopes', () => {
  test('tokens made before scopes become write; accounts made before ids get theirs at the next GitHub sign-in', async () => {
    const db = await openPglite('memory://');
    try {
      const migrations = await loadMigrations(migrationsDir);
      await migrate(
        db,
        migrations.filter((migration) => migration.version === 1),
      );
      const t0 = new Date('2026-01-01T00:00:00Z');
      await db.query("INSERT INTO users (username, name, email, created_at, updated_at) VALUES ('veteran', 'V', '', $1, $1)", [t0]);
      await db.query(
        "INSERT INTO api_tokens (id, username, name, token_hash, created_at) VALUES ('t1', 'veteran', 'old', repeat('a', 64), $1)",
        [t0],
      );
      await migrate(db, migrations);

      const store = new SqlUserStore(db);
      assert.deepEqual(
        (await store.listApiTokens('veteran')).map((token) => token.scope),
        ['write'],
      );
      assert.equal((await store.getUser('veteran'))?.githubId, undefined);
      const manager = new DefaultUserManager({ store });
      assert.equal((await manager.register({ username: 'veteran', name: 'V', email: '', githubId: 77 })).githubId, 77);
      assert.equal((await store.getUser('veteran'))?.githubId, 77);
    } finally {
      await db.close();
    }
  });
});
