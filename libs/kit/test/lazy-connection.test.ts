/** A connection opened with its first call, and closed exactly once however close and open interleave. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LazyConnection } from '../src/index.ts';

function harness() {
  const log: string[] = [];
  let made = 0;
  const connection = new LazyConnection(
    async () => {
      log.push('connect');
      return { id: ++made };
    },
    (c) => void log.push(`disconnect ${c.id}`),
  );
  return { log, connection };
}
const settle = () => new Promise((resolve) => setImmediate(resolve));

test('nothing connects before the first call; calls at once share one connection', async () => {
  const { log, connection } = harness();
  assert.equal(connection.current, undefined);
  assert.deepEqual(log, []);
  const [a, b] = await Promise.all([connection.open(), connection.open()]);
  assert.equal(a, b);
  assert.equal(connection.current, a);
  assert.deepEqual(log, ['connect']);
});

test('closed while it opens: closed once it is open, and only once', async () => {
  const { log, connection } = harness();
  const opening = connection.open();
  connection.close();
  connection.close();
  await opening;
  await settle();
  assert.deepEqual(log, ['connect', 'disconnect 1']);
});

test('closed when open: closed once; never opened: nothing to close', async () => {
  const open = harness();
  await open.connection.open();
  open.connection.close();
  open.connection.close();
  await settle();
  assert.deepEqual(open.log, ['connect', 'disconnect 1']);
  const never = harness();
  never.connection.close();
  await settle();
  assert.deepEqual(never.log, []);
});

test('a disconnect that fails is not an unhandled rejection', async () => {
  const connection = new LazyConnection(async () => 1, () => Promise.reject(new Error('already closed')));
  await connection.open();
  connection.close();
  await settle();
});
