import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { NotFoundError, ValidationError } from '@delinkcious/object-model';
import { DefaultSocialGraphManager } from '../src/manager.ts';
import { MemorySocialGraphStore } from '../src/stores/memory-social-graph-store.ts';

/** Rejects with exactly this error class and message. */
async function rejectsWith(promise: Promise<unknown>, ErrorClass: typeof ValidationError | typeof NotFoundError, message: string | RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ErrorClass, `expected ${ErrorClass.name}, got ${String(error)}`);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

describe('DefaultSocialGraphManager', () => {
  let store: MemorySocialGraphStore;
  let manager: DefaultSocialGraphManager;

  beforeEach(() => {
    store = new MemorySocialGraphStore();
    manager = new DefaultSocialGraphManager({ store });
  });

  test('follow makes the follower follow the followed, one way', async () => {
    await manager.follow('alice', 'bob');
    assert.deepEqual(await manager.getFollowing('bob'), ['alice']);
    assert.deepEqual(await manager.getFollowers('alice'), ['bob']);
    assert.deepEqual(await manager.getFollowing('alice'), []);
    assert.deepEqual(await manager.getFollowers('bob'), []);
  });

  test('following twice is harmless: no error, no duplicate', async () => {
    await manager.follow('alice', 'bob');
    await manager.follow('alice', 'bob');
    await manager.follow(' alice ', 'bob');
    assert.deepEqual(await manager.getFollowers('alice'), ['bob']);
    assert.deepEqual(await manager.getFollowing('bob'), ['alice']);
  });

  test('unfollow removes the follow from both lists and keeps the others', async () => {
    await manager.follow('alice', 'bob');
    await manager.follow('carol', 'bob');
    await manager.follow('alice', 'carol');
    await manager.unfollow('alice', 'bob');
    assert.deepEqual(await manager.getFollowing('bob'), ['carol']);
    assert.deepEqual(await manager.getFollowers('alice'), ['carol']);
  });

  test('unfollowing someone you do not follow is a NotFoundError naming both', async () => {
    await rejectsWith(manager.unfollow('alice', 'bob'), NotFoundError, 'bob does not follow alice');
    await manager.follow('alice', 'bob');
    await rejectsWith(manager.unfollow('bob', 'alice'), NotFoundError, 'alice does not follow bob');
    await manager.unfollow('alice', 'bob');
    await rejectsWith(manager.unfollow('alice', 'bob'), NotFoundError, 'bob does not follow alice');
  });

  test('nobody can follow themselves, however the name is padded', async () => {
    await rejectsWith(manager.follow('alice', 'alice'), ValidationError, 'a user cannot follow themselves');
    await rejectsWith(manager.follow(' alice', 'alice\t'), ValidationError, 'a user cannot follow themselves');
    assert.deepEqual(await manager.getFollowers('alice'), []);
  });

  test('names are trimmed before they are stored and looked up', async () => {
    await manager.follow('  alice ', '\tbob\n');
    assert.deepEqual(await store.followers('alice'), ['bob']);
    assert.deepEqual(await manager.getFollowing(' bob '), ['alice']);
    await manager.unfollow('alice  ', '  bob');
    assert.deepEqual(await store.following('bob'), []);
  });

  test('lists are sorted in code point order, of canonical (lower-case) names', async () => {
    for (const follower of ['zed', 'Bob', 'alice', '42', 'a-z', '7']) await manager.follow('star', follower);
    assert.deepEqual(await manager.getFollowers('star'), ['42', '7', 'a-z', 'alice', 'bob', 'zed']);
  });

  describe('bad input is a ValidationError naming the field, and changes nothing', () => {
    const missing: unknown[] = ['', '   ', '\t\n', undefined, null];
    const notText: unknown[] = [42, {}, ['alice']];
    const longest = 'x'.repeat(39);
    const tooLong = 'x'.repeat(40);

    test('follow and unfollow need both names', async () => {
      for (const bad of missing) {
        for (const operation of ['follow', 'unfollow'] as const) {
          await rejectsWith(manager[operation](bad as string, 'bob'), ValidationError, 'followed is required');
          await rejectsWith(manager[operation]('alice', bad as string), ValidationError, 'follower is required');
        }
      }
      for (const bad of notText) {
        await rejectsWith(manager.follow(bad as string, 'bob'), ValidationError, 'followed must be text');
        await rejectsWith(manager.unfollow('alice', bad as string), ValidationError, 'follower must be text');
      }
      assert.deepEqual(await store.following('bob'), []);
      assert.deepEqual(await store.followers('alice'), []);
    });

    test('getFollowing and getFollowers need a username', async () => {
      for (const bad of missing) {
        await rejectsWith(manager.getFollowing(bad as string), ValidationError, 'username is required');
        await rejectsWith(manager.getFollowers(bad as string), ValidationError, 'username is required');
      }
      for (const bad of notText) await rejectsWith(manager.getFollowing(bad as string), ValidationError, 'username must be text');
    });

    test('names are at most 39 characters, after trimming', async () => {
      const other = 'y'.repeat(39);
      await manager.follow(` ${longest} `, `\t${other}`);
      assert.deepEqual(await manager.getFollowers(longest), [other]);
      await rejectsWith(manager.follow(tooLong, 'bob'), ValidationError, 'followed is longer than 39 characters');
      await rejectsWith(manager.follow('alice', tooLong), ValidationError, 'follower is longer than 39 characters');
      await rejectsWith(manager.unfollow(tooLong, 'bob'), ValidationError, 'followed is longer than 39 characters');
      await rejectsWith(manager.getFollowing(tooLong), ValidationError, 'username is longer than 39 characters');
      await rejectsWith(manager.getFollowers(tooLong), ValidationError, 'username is longer than 39 characters');
      assert.deepEqual(await store.following('bob'), []);
    });

    test('names cannot hold control characters (PostgreSQL text cannot even hold NUL)', async () => {
      await rejectsWith(manager.follow('al\u0000ice', 'bob'), ValidationError, 'followed must not contain control characters');
      await rejectsWith(manager.follow('alice', 'b\nob'), ValidationError, 'follower must not contain control characters');
      await rejectsWith(manager.getFollowers('a\u007fb'), ValidationError, 'username must not contain control characters');
      assert.deepEqual(await store.followers('alice'), []);
    });

    test('names are GitHub logins: letters, digits and single inner hyphens', async () => {
      const rule = 'may only contain letters, digits and single hyphens, and cannot begin or end with a hyphen';
      await rejectsWith(manager.follow('under_score', 'bob'), ValidationError, `followed ${rule}`);
      await rejectsWith(manager.follow('alice', '-bob'), ValidationError, `follower ${rule}`);
      await rejectsWith(manager.getFollowing('émile'), ValidationError, `username ${rule}`);
      await rejectsWith(manager.getFollowing('a\ud800'), ValidationError, 'username must be well-formed Unicode (it holds a lone surrogate)');
      assert.deepEqual(await store.followers('alice'), []);
    });

    test('the first bad field is reported, followed before follower', async () => {
      await rejectsWith(manager.follow('', tooLong), ValidationError, 'followed is required');
    });
  });
});
