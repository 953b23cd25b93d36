/** freePort(): ports a child can bind, drawn where no client socket of a parallel test can take them. */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { freePort } from '../src/process.ts';

test('a free port under the ephemeral range, bindable, never handed out twice', async () => {
  const ports = await Promise.all(Array.from({ length: 40 }, () => freePort()));
  assert.equal(new Set(ports).size, ports.length, 'each port once');
  for (const port of ports) assert.ok(port >= 10_000 && port <= 32_767, `${port} lies under 32768, where the OS picks no source port`);
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(ports[0], '127.0.0.1', resolve);
  });
  await new Promise((resolve) => server.close(resolve));
});
