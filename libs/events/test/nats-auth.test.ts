/**
 * NATS authentication: the settings (./nats-auth.ts) and, against a private
 * nats-server that requires a password, a refused password as a clear error at
 * start-up and the right one carrying events.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigError } from '@delinkcious/kit';
import { freePort, natsServerBinary, runDelinkcious, startNatsServer, waitFor, type NatsServer } from '@delinkcious/testing';
import { NatsBus, natsConnectionSettings, type BusMessage } from '../src/index.ts';

describe('NATS authentication settings', () => {
  test('a user and password in NATS_URL leave the server address bare', () => {
    assert.deepEqual(natsConnectionSettings('nats://svc:p%40ss@nats:4222', {}), { servers: 'nats://nats:4222', auth: { user: 'svc', pass: 'p@ss' } });
  });
  test('NATS_USER and NATS_PASSWORD, or NATS_TOKEN; none for an open server', () => {
    assert.deepEqual(natsConnectionSettings('nats://nats:4222', { NATS_USER: 'svc', NATS_PASSWORD: 'pw' }).auth, { user: 'svc', pass: 'pw' });
    assert.deepEqual(natsConnectionSettings('tls://nats:4222', { NATS_TOKEN: 't0k' }), { servers: 'tls://nats:4222', auth: { token: 't0k' } });
    assert.deepEqual(natsConnectionSettings('nats://nats:4222', {}).auth, {});
  });
  test('NATS_CREDS_FILE gives its credentials; an unreadable file names the variable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'delinkcious-nats-creds-'));
    try {
      const file = join(dir, 'user.creds');
      writeFileSync(file, 'not read until the connection asks');
      assert.equal(Buffer.from(natsConnectionSettings('nats://nats:4222', { NATS_CREDS_FILE: file }).auth.creds ?? []).toString(), 'not read until the connection asks');
      assert.throws(() => natsConnectionSettings('nats://nats:4222', { NATS_CREDS_FILE: join(dir, 'absent') }), { name: 'ConfigError', message: 'NATS_CREDS_FILE cannot be read: ENOENT' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  test('contradictions are configuration errors naming the variables', () => {
    assert.throws(() => natsConnectionSettings('nats://nats:4222', { NATS_PASSWORD: 'pw' }), new ConfigError('NATS_PASSWORD is set without NATS_USER'));
    assert.throws(
      () => natsConnectionSettings('nats://a:b@nats:4222', { NATS_TOKEN: 't' }),
      new ConfigError('NATS authentication is given twice (a user in NATS_URL and NATS_TOKEN): use one'),
    );
  });
});

const binary = natsServerBinary();

describe('a nats-server that requires a password', { skip: binary.skip }, () => {
  let nats: NatsServer;
  let dir: string;
  const buses: NatsBus[] = [];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'delinkcious-nats-auth-'));
    nats = await startNatsServer({ binary: binary.path, storeDir: join(dir, 'store'), extraArgs: ['--user', 'delinkcious', '--pass', 'right-password'] });
  });
  after(async () => {
    await Promise.all(buses.map((bus) => bus.close()));
    await nats?.remove();
    rmSync(dir, { recursive: true, force: true });
  });
  const bus = (pass: string) => {
    const created = new NatsBus({ url: nats.url, name: 'auth-test', stream: 'AUTH_TEST', streamSubjects: ['auth.>'], auth: { user: 'delinkcious', pass } });
    buses.push(created);
    return created;
  };

  test('a wrong password is refused at once with an error that says so', async () => {
    await assert.rejects(bus('wrong-password').checkCredentials(), /NATS refused this process's credentials .*check NATS_URL, NATS_USER\/NATS_PASSWORD/);
  });

  test('the right password connects and carries events', async () => {
    const right = bus('right-password');
    await right.checkCredentials();
    const received: BusMessage<unknown>[] = [];
    await right.subscribe({ group: 'auth-test', subjects: ['auth.test'] }, async (message) => void received.push(message));
    await waitFor(() => right.publish('auth.test', { id: `auth-${Date.now()}` } as never).then(() => true, () => false), { what: 'the bus to publish', timeoutMs: 20_000 });
    await waitFor(() => received.length > 0, { what: 'the event to arrive', timeoutMs: 20_000 });
  });

  test('delinkcious start stops with one line when NATS refuses its password', async () => {
    const url = new URL(nats.url);
    url.username = 'delinkcious';
    url.password = 'wrong-password';
    const run = runDelinkcious(['start', '--service', 'link-checker'], { NATS_URL: url.href, DELINKCIOUS_MUTUAL_AUTH: 'false', PORT: String(await freePort()), LOG_LEVEL: 'silent' });
    assert.equal(await run.exited, 2);
    const lines = run.stderr().trim().split('\n');
    assert.equal(lines.length, 1, run.stderr());
    assert.match(lines[0]!, /^delinkcious: NATS refused this process's credentials/);
  });
});
