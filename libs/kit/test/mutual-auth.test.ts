import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigError, callerTokenHash, generateCallerTokens, loadMutualAuth, mutualAuthFromTokens } from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'mutual-auth-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

test('a token identifies its caller; an unknown, empty or missing token identifies nobody', () => {
  const auth = mutualAuthFromTokens('link-service', { 'api-gateway': 'a'.repeat(32), 'link-service': 'b'.repeat(32) });
  assert.equal(auth.verify('a'.repeat(32)), 'api-gateway');
  assert.equal(auth.verify('b'.repeat(32)), 'link-service');
  assert.equal(auth.verify('a'.repeat(31)), undefined);
  assert.equal(auth.verify(''), undefined);
  assert.equal(auth.verify(undefined), undefined);
  assert.equal(auth.outboundToken, 'b'.repeat(32));
});

test('the mounted YAML file gives each caller its token', () => {
  const path = file('ok.yaml', 'api-gateway: gateway-secret-token-123\nnews-service: "news-secret-token-4567"\n');
  const auth = loadMutualAuth({ self: 'news-service', file: path, enabled: true });
  assert.equal(auth.enabled, true);
  assert.equal(auth.outboundToken, 'news-secret-token-4567');
  assert.equal(auth.verify('gateway-secret-token-123'), 'api-gateway');
});

test('a missing, malformed or weak file is a ConfigError that says what to do', () => {
  assert.throws(() => loadMutualAuth({ self: 'x', file: join(dir, 'absent.yaml'), enabled: true }), (error: Error) =>
    error instanceof ConfigError && /cannot be read \(ENOENT\).*DELINKCIOUS_MUTUAL_AUTH=false/.test(error.message) &&
    (error.cause as NodeJS.ErrnoException).code === 'ENOENT');
  assert.throws(() => loadMutualAuth({ self: 'x', file: file('list.yaml', '- a\n- b\n'), enabled: true }), /must map each caller to its token/);
  assert.throws(() => loadMutualAuth({ self: 'x', file: file('bad.yaml', 'a: [unclosed'), enabled: true }), /is not valid YAML/);
  assert.throws(() => loadMutualAuth({ self: 'x', file: file('short.yaml', 'api-gateway: short'), enabled: true }), /at least 16 characters/);
});

test('disabled, nothing is read and every request passes', () => {
  const auth = loadMutualAuth({ self: 'x', file: join(dir, 'absent.yaml'), enabled: false });
  assert.equal(auth.enabled, false);
  assert.equal(auth.outboundToken, undefined);
});

test('generated tokens are distinct, long and random', () => {
  const first = generateCallerTokens(['a', 'b']);
  const second = generateCallerTokens(['a', 'b']);
  assert.notEqual(first.a, first.b);
  assert.notEqual(first.a, second.a);
  assert.ok((first.a ?? '').length >= 43);
});

test('the hashed file: the service\'s own token, and its callers known by SHA-256 only', () => {
  const gateway = 'gateway-secret-token-0123456789';
  const gatewayNext = 'gateway-next-token-0123456789';
  const path = file(
    'hashed.yaml',
    [
      'token: link-service-own-token-0123456789',
      'callers:',
      `  api-gateway: [${callerTokenHash(gateway)}, ${callerTokenHash(gatewayNext).toUpperCase().replace('SHA256', 'sha256')}]`,
      `  news-service: ${callerTokenHash('news-secret-token-4567')}`,
      '',
    ].join('\n'),
  );
  const auth = loadMutualAuth({ self: 'link-service', file: path, enabled: true });
  assert.equal(auth.outboundToken, 'link-service-own-token-0123456789');
  assert.equal(auth.verify(gateway), 'api-gateway');
  assert.equal(auth.verify(gatewayNext), 'api-gateway', 'either token while it rotates');
  assert.equal(auth.verify('news-secret-token-4567'), 'news-service');
  assert.equal(auth.verify('link-service-own-token-0123456789'), undefined, 'its own token is not a caller\'s');
  assert.equal(auth.verify(callerTokenHash(gateway)), undefined, 'the hash itself is no token');

  const checker = loadMutualAuth({ self: 'link-checker', file: file('no-token.yaml', `callers:\n  link-service: ${callerTokenHash(gateway)}\n`), enabled: true });
  assert.equal(checker.outboundToken, undefined, 'a service that calls none holds no token');
  assert.equal(loadMutualAuth({ self: 'api-gateway', file: file('no-callers.yaml', `token: ${gateway}\ncallers: {}\n`), enabled: true }).verify(gateway), undefined);
});

test('a malformed hashed file is a ConfigError naming the entry', () => {
  const load = (name: string, text: string) => () => loadMutualAuth({ self: 'x', file: file(name, text), enabled: true });
  assert.throws(load('plain.yaml', 'callers:\n  api-gateway: gateway-secret-token-0123456789\n'), /callers\.api-gateway must be "sha256:" and 64 hex digits/);
  assert.throws(load('short-hash.yaml', 'callers:\n  api-gateway: sha256:abcd\n'), /callers\.api-gateway must be "sha256:"/);
  assert.throws(load('empty-list.yaml', 'callers:\n  api-gateway: []\n'), /callers\.api-gateway lists no hash/);
  assert.throws(load('weak-own.yaml', 'token: short\ncallers: {}\n'), /token must be a string of at least 16 characters/);
  assert.throws(load('stray.yaml', 'token: long-enough-token-0123456789\ncallers: {}\ntokens: {}\n'), /unknown key tokens/);
});
