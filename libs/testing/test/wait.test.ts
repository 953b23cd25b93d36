/** waitFor: the value awaited, a check that throws taken as "not yet", and a timeout that says what it waited for. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GiveUp, WaitTimeout, waitFor } from '../src/index.ts';

test('answers the first value the condition accepts; a check that throws is asked again', async () => {
  let calls = 0;
  const value = await waitFor(
    () => {
      calls++;
      if (calls === 1) throw new Error('not listening yet');
      return calls;
    },
    { what: 'the third call', until: (n) => n === 3, intervalMs: 1 },
  );
  assert.equal(value, 3);
});

test('on timeout, names what it waited for and the last value, or the last error', async () => {
  await assert.rejects(
    waitFor(() => 'pending', { what: 'the link to be valid', until: (status) => status === 'valid', timeoutMs: 30, intervalMs: 5 }),
    (error: unknown) => error instanceof WaitTimeout && /waiting for the link to be valid \(last value: 'pending'\)/.test(error.message) && error.last === 'pending',
  );
  await assert.rejects(
    waitFor(
      () => {
        throw new Error('connection refused');
      },
      { what: 'the server', timeoutMs: 30, intervalMs: 5 },
    ),
    /waiting for the server \(last error: connection refused\)/,
  );
});

test('GiveUp ends the wait at once', async () => {
  const started = Date.now();
  await assert.rejects(
    waitFor(
      () => {
        throw new GiveUp('it exited');
      },
      { what: 'the process to be ready', timeoutMs: 10_000 },
    ),
    /gave up waiting for the process to be ready: it exited/,
  );
  assert.ok(Date.now() - started < 1000);
});
