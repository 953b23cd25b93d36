/**
 * NATS restarted without its store (a pod back without its volume): the bus
 * re-creates its stream and consumers, the outbox drains and publishes again
 * what the lost stream held, and readiness says so while a consumer cannot
 * consume. Against a private nats-server this test kills and empties.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { loadMigrations, migrate, openPglite, type Database } from '@delinkcious/db';
import { natsServerBinary, startNatsServer, waitFor, type NatsServer } from '@delinkcious/testing';
import { NatsBus, OutboxRelay, appendToOutbox, type BusMessage } from '../src/index.ts';

const linkMigrations = fileURLToPath(new URL('../../../services/link-service/migrations', import.meta.url));
const binary = natsServerBinary();
// A bound against a hang only: recovery is driven by the reconnect, well under it.
const recoveryTimeoutMs = 60_000;

describe('NATS back without its store', { skip: binary.skip }, () => {
  let nats: NatsServer;
  let storeParent: string;
  let db: Database;
  const buses: NatsBus[] = [];
  const bus = (name: string) => {
    const b = new NatsBus({ url: nats.url, name, ackWaitMs: 2000 });
    buses.push(b);
    return b;
  };

  before(async () => {
    storeParent = mkdtempSync(join(tmpdir(), 'delinkcious-nats-loss-'));
    nats = await startNatsServer({ binary: binary.path, storeDir: join(storeParent, 'store') });
    db = await openPglite('memory://');
    await migrate(db, await loadMigrations(linkMigrations));
  });
  after(async () => {
    await Promise.all(buses.map((b) => b.close()));
    await db?.close();
    await nats?.remove();
    rmSync(storeParent, { recursive: true, force: true });
  });

  const write = async (ids: string[]) => {
    for (const id of ids) await db.transaction((tx) => appendToOutbox(tx, 'link.added', { id }));
  };
  const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);

  /** Kills nats-server, runs `whileDown`, then starts it again on an empty store. */
  async function loseTheStore(whileDown: () => Promise<void> = async () => undefined) {
    await nats.kill();
    await whileDown();
    nats.emptyStore();
    await nats.start();
  }

  test('a live consumer and the outbox recover: events written before, during and after reach the consumer; readiness fails meanwhile', async () => {
    const publisher = bus('publisher');
    const consumer = bus('consumer');
    const relay = new OutboxRelay({ db, bus: publisher, idleMs: 50 });
    relay.start();
    const handled: string[] = [];
    const sub = await consumer.subscribe<{ id: string }>({ group: 'followers', subjects: ['link.added'] }, async (m: BusMessage<{ id: string }>) => {
      handled.push(m.data.id);
    });
    try {
      const before = ids('before', 5);
      await write(before);
      relay.notify();
      await waitFor(() => before.every((id) => handled.includes(id)), { what: 'the first events consumed', timeoutMs: 20_000, intervalMs: 20 });
      await waitFor(() => consumer.assertConsuming('followers').then(() => true), { what: 'the consumer to be consuming', intervalMs: 50 });

      const during = ids('during', 5);
      await loseTheStore(async () => {
        await write(during);
        relay.notify();
        await assert.rejects(consumer.assertConsuming('followers'), /not consuming|not on the event bus/);
      });
      const afterwards = ids('after', 5);
      await write(afterwards);
      relay.notify();

      const all = [...before, ...during, ...afterwards];
      await waitFor(() => all.every((id) => handled.includes(id)), {
        what: 'every event consumed after NATS came back empty',
        timeoutMs: recoveryTimeoutMs,
        intervalMs: 50,
      });
      await waitFor(() => consumer.assertConsuming('followers').then(() => true, () => false), {
        what: 'readiness back once the consumer is re-created',
        timeoutMs: recoveryTimeoutMs,
        intervalMs: 100,
      });
      assert.equal(await relay.backlog(), 0, 'the outbox drained');
      assert.deepEqual([...new Set(handled)].sort(), [...all].sort(), 'nothing but these events');
    } finally {
      await sub.close();
      await relay.stop();
    }
  });

  test('events published but not yet consumed when the store was lost are published again by the outbox', async () => {
    const publisher = bus('publisher-replay');
    const replays: number[] = [];
    const relay = new OutboxRelay({ db, bus: publisher, idleMs: 50, onReplay: (rows) => replays.push(rows) });
    relay.start();
    try {
      const unconsumed = ids('unconsumed', 5);
      await write(unconsumed);
      relay.notify();
      await waitFor(async () => (await relay.backlog()) === 0, { what: 'the events published', timeoutMs: 20_000, intervalMs: 50 });

      await loseTheStore();
      await waitFor(() => replays.length > 0, { what: 'the relay told the stream was replaced', timeoutMs: recoveryTimeoutMs, intervalMs: 50 });
      await waitFor(async () => (await relay.backlog()) === 0, { what: 'the replay published', timeoutMs: recoveryTimeoutMs, intervalMs: 50 });

      // A consumer that subscribes only now finds them on the new stream.
      const handled = new Set<string>();
      const late = bus('late');
      const sub = await late.subscribe<{ id: string }>({ group: 'late', subjects: ['link.added'] }, async (m) => void handled.add(m.data.id));
      try {
        await waitFor(() => unconsumed.every((id) => handled.has(id)), { what: 'the unconsumed events on the new stream', timeoutMs: 20_000, intervalMs: 50 });
      } finally {
        await sub.close();
      }
    } finally {
      await relay.stop();
    }
  });

  test('NATS killed and restarted on the same store: the stream is the same one, nothing is published again', async () => {
    const publisher = bus('publisher-same-store');
    const replays: number[] = [];
    const relay = new OutboxRelay({ db, bus: publisher, idleMs: 50, onReplay: (rows) => replays.push(rows) });
    relay.start();
    try {
      await write(ids('kept', 3));
      relay.notify();
      await waitFor(async () => (await relay.backlog()) === 0, { what: 'the events published', timeoutMs: 20_000, intervalMs: 50 });
      await nats.kill();
      await nats.start();
      await write(ids('kept-after', 3));
      relay.notify();
      await waitFor(async () => (await relay.backlog()) === 0, { what: 'the later events published', timeoutMs: recoveryTimeoutMs, intervalMs: 50 });
      assert.deepEqual(replays, []);
    } finally {
      await relay.stop();
    }
  });
});
