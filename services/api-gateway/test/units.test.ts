/** The gateway's small pieces: the token cache, content negotiation, config. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '@delinkcious/kit';
import { prefersJson } from '../src/accept.ts';
import { readApiGatewayConfig } from '../src/config.ts';
import { parseTokenAnswer } from '../src/github.ts';
import { TokenCache } from '../src/auth/token-cache.ts';

describe('TokenCache', () => {
  test('entries expire after the TTL', () => {
    let now = 1000;
    const cache = new TokenCache<string>(5000, 10, () => now);
    cache.set('a', 'alice');
    now += 4999;
    assert.equal(cache.get('a'), 'alice');
    now += 1;
    assert.equal(cache.get('a'), undefined);
    assert.equal(cache.size, 0, 'an expired entry is dropped');
  });

  test('the size is bounded: the oldest entry goes first', () => {
    const cache = new TokenCache<number>(60_000, 3);
    for (let i = 0; i < 5; i++) cache.set(`k${i}`, i);
    assert.equal(cache.size, 3);
    assert.equal(cache.get('k0'), undefined);
    assert.equal(cache.get('k1'), undefined);
    assert.equal(cache.get('k4'), 4);
  });

  test('deleteWhere drops matching entries; a TTL of 0 caches nothing', () => {
    const cache = new TokenCache<{ username: string }>(60_000, 10);
    cache.set('1', { username: 'alice' });
    cache.set('2', { username: 'bob' });
    cache.set('3', { username: 'alice' });
    cache.deleteWhere((user) => user.username === 'alice');
    assert.equal(cache.size, 1);
    assert.deepEqual(cache.get('2'), { username: 'bob' });
    const off = new TokenCache<string>(0, 10);
    off.set('a', 'x');
    assert.equal(off.get('a'), undefined);
  });
});

test('prefersJson: browsers get pages, API clients JSON', () => {
  assert.equal(prefersJson(undefined), true);
  assert.equal(prefersJson('*/*'), true, 'curl');
  assert.equal(prefersJson('application/json'), true);
  assert.equal(prefersJson('application/json, text/html;q=0.5'), true);
  assert.equal(prefersJson('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'), false, 'a browser');
  assert.equal(prefersJson('text/html, application/json'), false, 'a tie goes to the page');
  assert.equal(prefersJson('text/html;q=0, application/json'), true);
});

test('the token endpoint answer is read as JSON or as a form', () => {
  assert.deepEqual(parseTokenAnswer('access_token=gho_1&scope=user%3Aemail&token_type=bearer', 'application/x-www-form-urlencoded'), {
    access_token: 'gho_1',
    scope: 'user:email',
    token_type: 'bearer',
  });
  assert.equal(parseTokenAnswer('{"access_token":"gho_2"}', 'application/json').access_token, 'gho_2');
  assert.equal(parseTokenAnswer('{"access_token":"gho_3"}', 'text/plain').access_token, 'gho_3');
  assert.deepEqual(parseTokenAnswer('{broken', 'application/json'), {});
});

describe('configuration', () => {
  test('defaults', () => {
    const config = readApiGatewayConfig({});
    assert.equal(config.GITHUB_OAUTH_URL, 'https://github.com');
    assert.equal(config.GITHUB_API_URL, 'https://api.github.com');
    assert.equal(config.DEV_LOGIN, false);
    assert.equal(config.BODY_LIMIT, 65536);
    assert.equal(config.RATE_LIMIT_PER_MINUTE, 600);
    assert.equal(config.TOKEN_CACHE_TTL, 5000);
    assert.equal(config.DOWNSTREAM_TIMEOUT, 5000);
    assert.equal(config.PUBLIC_URL, undefined);
  });

  test('bad values stop start-up with a line naming the variable', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ GITHUB_CLIENT_ID: 'id' }, /^GITHUB_CLIENT_SECRET is required/],
      [{ GITHUB_CLIENT_SECRET: 's' }, /^GITHUB_CLIENT_ID is required/],
      [{ GITHUB_OAUTH_URL: 'ftp://github.example' }, /^GITHUB_OAUTH_URL must be a http or https URL/],
      [{ PUBLIC_URL: 'not a url' }, /^PUBLIC_URL is not a valid URL/],
      [{ SESSION_SECRET: 'short' }, /^SESSION_SECRET must be at least 32 characters/],
      [{ DEV_LOGIN: 'maybe' }, /^DEV_LOGIN must be true or false/],
      [{ BODY_LIMIT: '10' }, /^BODY_LIMIT must be between/],
      [{ RATE_LIMIT_PER_MINUTE: 'lots' }, /^RATE_LIMIT_PER_MINUTE must be a whole number/],
      [{ TOKEN_CACHE_TTL: '5m' }, /^TOKEN_CACHE_TTL must be at most 60s/],
    ];
    for (const [env, message] of cases) {
      assert.throws(() => readApiGatewayConfig(env), (error: unknown) => error instanceof ConfigError && message.test(error.message));
    }
    assert.equal(readApiGatewayConfig({ GITHUB_API_URL: 'https://ghe.example.com/api/v3/' }).GITHUB_API_URL, 'https://ghe.example.com/api/v3');
  });
});
