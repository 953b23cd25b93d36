import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { Lifecycle } from '../src/index.ts';

test('closers run in reverse order of registration, once, even when one fails', async () => {
  const lifecycle = new Lifecycle();
  const order: string[] = [];
  lifecycle.onClose('pool', () => void order.push('pool'));
  lifecycle.onClose('consumer', () => {
    order.push('consumer');
    throw new Error('consumer failed to stop');
  });
  lifecycle.onClose('server', async () => void order.push('server'));
  await Promise.all([lifecycle.close(), lifecycle.close()]);
  assert.deepEqual(order, ['server', 'consumer', 'pool']);
  assert.equal(lifecycle.isClosing, true);
});

test('SIGTERM during in-flight requests lets them finish, refuses new ones, then exits 0', async () => {
  const fixture = fileURLToPath(new URL('./support/slow-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  while (!/listening (\S+)/.test(out)) await once(child.stdout, 'data');
  const url = /listening (\S+)/.exec(out)![1];

  const inFlight = [fetch(`${url}/slow`), fetch(`${url}/slow`)];
  await new Promise((resolve) => setTimeout(resolve, 200)); // both requests are now being handled
  child.kill('SIGTERM');
  const responses = await Promise.all(inFlight);
  assert.deepEqual(responses.map((r) => r.status), [200, 200]);
  assert.deepEqual(await responses[0]!.json(), { done: true });

  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
  assert.match(out, /resources closed/);
  await assert.rejects(fetch(`${url}/healthz`), 'the server no longer accepts connections');
});

test('on close every drain starts at once, before anything closes, and lasts at most the drain period', async () => {
  const lifecycle = new Lifecycle();
  const events: string[] = [];
  lifecycle.onClose('pool', () => void events.push('pool closed'));
  lifecycle.onDrain('server a', () => {
    events.push('a draining');
    return new Promise(() => undefined); // a connection that never goes away
  });
  lifecycle.onDrain('server b', async () => void events.push('b draining'));
  lifecycle.onClose('server', () => void events.push('server closed'));
  const started = Date.now();
  await lifecycle.close({ drainMs: 200 });
  assert.ok(Date.now() - started >= 190, 'the drain lasted its period');
  assert.deepEqual(events, ['a draining', 'b draining', 'server closed', 'pool closed']);
});

test('the drain ends early once nothing is left to drain', async () => {
  const lifecycle = new Lifecycle();
  lifecycle.onDrain('idle server', async () => undefined);
  const started = Date.now();
  await lifecycle.close({ drainMs: 60_000 });
  assert.ok(Date.now() - started < 30_000, 'closing did not wait for the whole drain period');
});
