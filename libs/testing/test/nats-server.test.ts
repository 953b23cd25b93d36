/** The private nats-server of the separate deployment: its own port and store, stopped and started again on both. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect as natsConnect } from '@nats-io/transport-node';
import { natsServerBinary, startNatsServer } from '../src/index.ts';

const binary = natsServerBinary();
const dir = mkdtempSync(join(tmpdir(), 'delinkcious-nats-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

test('a private nats-server: JetStream on its own port; stopped and started again on the same port and store; removed with its store', { skip: binary.skip }, async () => {
  const storeDir = join(dir, 'store');
  const nats = await startNatsServer({ binary: binary.path!, storeDir });
  try {
    assert.match(nats.url, /^nats:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(nats.running, true);
    assert.equal(typeof nats.pid, 'number');
    assert.notEqual(nats.port, 4222, 'never the default port another run may use');

    // A stream made now is still there after a restart: the store is kept.
    const nc = await natsConnect({ servers: nats.url, timeout: 3000 });
    await (await jetstreamManager(nc)).streams.add({ name: 'KEPT', subjects: ['kept.>'] });
    await nc.close();

    await nats.stop();
    assert.equal(nats.running, false);
    assert.equal(nats.pid, undefined);
    assert.equal(await accepts(nats.port), false, 'stopped: nothing listens on its port');

    await nats.start();
    assert.equal(await accepts(nats.port), true, 'started again on the same port');
    const again = await natsConnect({ servers: nats.url, timeout: 3000 });
    try {
      assert.equal((await (await jetstreamManager(again)).streams.info('KEPT')).config.name, 'KEPT', 'the store survived');
    } finally {
      await again.close();
    }
    assert.ok(readdirSync(storeDir).length > 0);
  } finally {
    await nats.remove();
  }
  assert.equal(existsSync(storeDir), false, 'remove() deletes the store');
  assert.equal(await accepts(nats.port), false);
});
