import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '@delinkcious/kit';
import { readUserServiceConfig } from '../src/config.ts';
import { userService } from '../src/main.ts';

test('SESSION_TTL defaults to 30 days and takes a duration', () => {
  assert.equal(readUserServiceConfig({}).SESSION_TTL, 30 * 24 * 3600_000);
  assert.equal(readUserServiceConfig({ SESSION_TTL: '12h' }).SESSION_TTL, 12 * 3600_000);
  assert.equal(readUserServiceConfig({ SESSION_TTL: '' }).SESSION_TTL, 30 * 24 * 3600_000, 'empty is unset');
});

test('a bad value stops start-up with one line naming the variable', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ SESSION_TTL: 'forever' }, /^SESSION_TTL must be a duration/],
    [{ SESSION_TTL: '0' }, /^SESSION_TTL must be between 1m and 365d$/],
    [{ SESSION_TTL: '400d' }, /^SESSION_TTL must be between/],
    [{ USER_DATABASE_URL: 'mysql://db/users' }, /^USER_DATABASE_URL must be a postgres or postgresql URL/],
    [{ DATABASE_URL: 'not a url' }, /^DATABASE_URL is not a valid URL$/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => userService.checkConfig(env), (error: unknown) => error instanceof ConfigError && message.test(error.message));
  }
});
