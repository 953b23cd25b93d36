import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, commonConfig, envVar, readConfig, serviceUrl } from '../src/index.ts';

const spec = {
  PORT: envVar.port(5000),
  ENABLED: envVar.bool(false),
  LEVEL: envVar.oneOf('info', ['info', 'debug'] as const),
  TIMEOUT: envVar.durationMs(10_000),
  DB: envVar.url(['postgres']),
  COUNT: envVar.int(3, 1, 10),
};

test('defaults apply when variables are unset or empty', () => {
  assert.deepEqual(readConfig(spec, { PORT: '', ENABLED: '  ' }), {
    PORT: 5000,
    ENABLED: false,
    LEVEL: 'info',
    TIMEOUT: 10_000,
    DB: undefined,
    COUNT: 3,
  });
});

test('values are parsed: ports, booleans, durations with units, URLs', () => {
  const config = readConfig(spec, { PORT: '8080', ENABLED: 'TRUE', LEVEL: 'debug', TIMEOUT: '5m', DB: 'postgres://u:p@h/db', COUNT: '10' });
  assert.equal(config.PORT, 8080);
  assert.equal(config.ENABLED, true);
  assert.equal(config.LEVEL, 'debug');
  assert.equal(config.TIMEOUT, 300_000);
  assert.equal(config.DB, 'postgres://u:p@h/db');
  assert.equal(config.COUNT, 10);
  assert.equal(readConfig(spec, { TIMEOUT: '250' }).TIMEOUT, 250);
  assert.equal(readConfig(spec, { TIMEOUT: '2h' }).TIMEOUT, 7_200_000);
});

const bad: Array<[Record<string, string>, string]> = [
  [{ PORT: 'abc' }, 'PORT must be a whole number, got "abc"'],
  [{ PORT: '70000' }, 'PORT must be between 1 and 65535'],
  [{ ENABLED: 'maybe' }, 'ENABLED must be true or false, got "maybe"'],
  [{ LEVEL: 'loud' }, 'LEVEL must be one of info, debug, got "loud"'],
  [{ TIMEOUT: 'soon' }, 'TIMEOUT must be a duration such as 500ms, 30s, 5m or 1h, got "soon"'],
  [{ DB: 'not a url' }, 'DB is not a valid URL'],
  [{ DB: 'mysql://secret@h/db' }, 'DB must be a postgres URL, got a mysql URL'],
  [{ COUNT: '0' }, 'COUNT must be between 1 and 10'],
  [{ COUNT: '99999999999999999999' }, 'COUNT must be between 1 and 10'],
  [{ COUNT: '2.5' }, 'COUNT must be a whole number, got "2.5"'],
];
for (const [env, message] of bad) {
  test(`a bad value stops with one line naming the variable: ${message}`, () => {
    assert.throws(
      () => readConfig(spec, env),
      (error: unknown) => error instanceof ConfigError && error.message === message && !error.message.includes('\n'),
    );
  });
}

test('a URL variable never echoes its value, which may hold a password', () => {
  assert.throws(() => readConfig(spec, { DB: 'mysql://user:hunter2@h/db' }), (error: Error) => !error.message.includes('hunter2'));
});

test('service discovery uses Kubernetes-style variables, defaulting to localhost and the table port', () => {
  assert.equal(serviceUrl('link-service', {}), 'http://localhost:8080');
  assert.equal(serviceUrl('news-service', { NEWS_MANAGER_SERVICE_HOST: '10.0.0.7', NEWS_MANAGER_SERVICE_PORT: '7000' }), 'http://10.0.0.7:7000');
  assert.equal(serviceUrl('user-service', { USER_MANAGER_SERVICE_HOST: 'fd00::1' }), 'http://[fd00::1]:7070');
  assert.throws(() => serviceUrl('link-checker', { LINK_CHECKER_SERVICE_PORT: 'x' }), ConfigError);
});

test('SHUTDOWN_DRAIN defaults to 3s and must end before SHUTDOWN_TIMEOUT', () => {
  assert.equal(readConfig(commonConfig, {}).SHUTDOWN_DRAIN, 3000);
  assert.equal(readConfig(commonConfig, { SHUTDOWN_DRAIN: '10s', SHUTDOWN_TIMEOUT: '30s' }).SHUTDOWN_DRAIN, 10_000);
  assert.throws(() => readConfig(commonConfig, { SHUTDOWN_DRAIN: '5s', SHUTDOWN_TIMEOUT: '5s' }), (error: Error) =>
    error instanceof ConfigError && /^SHUTDOWN_DRAIN must be shorter than SHUTDOWN_TIMEOUT/.test(error.message));
});
