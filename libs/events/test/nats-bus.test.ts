import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { UnavailableError } from '@delinkcious/object-model';
import { externalService, waitFor } from '@delinkcious/testing';
import { NatsBus, type BusMessage } from '../src/index.ts';

const nats = await externalService('TEST_NATS_URL');

/** A bus on a stream and subjects of its own, deleted after the tests. */
function isolatedBus(name: string, prefix: string) {
  return new NatsBus({ url: nats.url!, name, stream: `TEST_${prefix}`, streamSubjects: [`${prefix}.>`], ackWaitMs: 2000 });
}

/** Waits until `b` has connected to NATS (it connects in the background). */
const connected = (b: NatsBus) =>
  waitFor(() => (b as unknown as { connected?: unknown }).connected !== undefined, { what: 'the bus to connect to NATS', intervalMs: 20 });

/** Waits for `count()` to reach `n`. */
const reached = (count: () => number, n: number, what: string, timeoutMs = 10_000) =>
  waitFor(() => count() >= n, { what: `${n} ${what}`, timeoutMs, intervalMs: 20 });

describe('NATS JetStream bus', { skip: nats.skip }, () => {
  const prefix = `t${randomBytes(4).toString('hex')}`;
  const buses: NatsBus[] = [];
  const bus = (name = 'test') => {
    const b = isolatedBus(name, prefix);
    buses.push(b);
    return b;
  };
  after(async () => {
    await buses[0]?.destroyStream();
    await Promise.all(buses.map((b) => b.close()));
  });

  test('the stream is created with the configured copies; a stream with other copies is named in a warning', async () => {
    // A stream of its own, so that its messages reach no other test's consumer.
    const own = { stream: `TEST_${prefix}_R`, streamSubjects: [`${prefix}r.>`] };
    const warnings: string[] = [];
    const first = new NatsBus({ url: nats.url!, name: 'replicas-1', ...own });
    const second = new NatsBus({
      url: nats.url!,
      name: 'replicas-3',
      ...own,
      streamReplicas: 3,
      log: (level, message) => void (level === 'warn' && warnings.push(message)),
    });
    try {
      await connected(first);
      await first.publish(`${prefix}r.x`, { id: `r-${prefix}` });
      await connected(second);
      await second.publish(`${prefix}r.x`, { id: `r2-${prefix}` });
      // Said at each check of the stream: at the connect, and again after a reconnect (a loaded CI machine
      // saw one, and once the reconnect's own warning); never anything else.
      const expected = 'the event stream keeps 1 copies, not the 3 configured (NATS_STREAM_REPLICAS)';
      const aboutTheStream = warnings.filter((message) => message !== 'NATS unreachable; retrying');
      assert.ok(aboutTheStream.length >= 1, 'the mismatch is named');
      assert.deepEqual([...new Set(aboutTheStream)], [expected]);
    } finally {
      await first.destroyStream();
      await Promise.all([first.close(), second.close()]);
    }
  });

  test('a bus closed while it connects keeps no connection (one would reconnect forever and keep the process alive)', async () => {
    type Inside = { ready: Promise<unknown>; connected?: { nc: { isClosed(): boolean; close(): Promise<void> } } };
    // Closed at moments from before the connect to after it: some of them land while it is under way.
    const closedAt = [0, 1, 2, 3, 5, 8, 12, 20, 35, 60];
    const left: number[] = [];
    await Promise.all(
      closedAt.map(async (ms) => {
        const b = isolatedBus(`closed-after-${ms}`, prefix);
        await new Promise((resolve) => setTimeout(resolve, ms));
        await b.close();
        await (b as unknown as Inside).ready.catch(() => undefined);
        const connection = (b as unknown as Inside).connected;
        if (connection && !connection.nc.isClosed()) {
          left.push(ms);
          await connection.nc.close();
        }
      }),
    );
    assert.deepEqual(left, []);
  });

  test('publish and consume with headers; a duplicate id is stored once', async () => {
    const publisher = bus('publisher');
    const consumer = bus('consumer');
    const got: Array<BusMessage<{ id: string; n: number }>> = [];
    const sub = await consumer.subscribe<{ id: string; n: number }>({ group: 'g1', subjects: [`${prefix}.a`] }, async (m) => void got.push(m));
    await connected(publisher);
    await publisher.publish(`${prefix}.a`, { id: 'e1', n: 1 } as never, { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    await publisher.publish(`${prefix}.a`, { id: 'e1', n: 1 } as never);
    await publisher.publish(`${prefix}.a`, { id: 'e2', n: 2 } as never);
    await reached(() => got.length, 2, 'messages consumed');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(got.map((m) => m.data.id), ['e1', 'e2']);
    assert.equal(got[0]?.headers.traceparent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    assert.equal(got[0]?.deliveryCount, 1);
    await sub.close();
  });

  test('a handler that throws gets the message redelivered', async () => {
    const b = bus('redeliver');
    const counts: number[] = [];
    const sub = await b.subscribe<{ id: string }>({ group: 'g2', subjects: [`${prefix}.r`] }, async (m) => {
      counts.push(m.deliveryCount);
      if (m.deliveryCount === 1) throw new Error('transient');
    });
    await connected(b);
    await b.publish(`${prefix}.r`, { id: 'r1' });
    await reached(() => counts.length, 2, 'deliveries');
    assert.deepEqual(counts.slice(0, 2), [1, 2]);
    await sub.close();
  });

  test('replicas sharing a durable group handle each event exactly once between them', async () => {
    const [a, b, publisher] = [bus('replica-a'), bus('replica-b'), bus('pub')];
    const handled: string[] = [];
    const byReplica = { a: 0, b: 0 };
    const subA = await a.subscribe<{ id: string }>({ group: 'shared', subjects: [`${prefix}.s`] }, async (m) => {
      handled.push(m.data.id);
      byReplica.a++;
      await new Promise((resolve) => setTimeout(resolve, 2));
    });
    const subB = await b.subscribe<{ id: string }>({ group: 'shared', subjects: [`${prefix}.s`] }, async (m) => {
      handled.push(m.data.id);
      byReplica.b++;
      await new Promise((resolve) => setTimeout(resolve, 2));
    });
    await connected(publisher);
    for (let i = 0; i < 200; i++) await publisher.publish(`${prefix}.s`, { id: `s${i}` });
    await reached(() => handled.length, 200, 'events handled', 20_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(handled.length, 200, 'no event handled twice');
    assert.equal(new Set(handled).size, 200, 'every event handled');
    await Promise.all([subA.close(), subB.close()]);
  });

  test('a consumer stopped mid-stream and started again resumes where it was: nothing lost, nothing twice', async () => {
    const publisher = bus('pub-resume');
    const handled: string[] = [];
    const handler = async (m: BusMessage<{ id: string }>) => void handled.push(m.data.id);
    const first = bus('first');
    let sub = await first.subscribe({ group: 'resume', subjects: [`${prefix}.m`] }, handler);
    await connected(publisher);
    for (let i = 0; i < 50; i++) await publisher.publish(`${prefix}.m`, { id: `m${i}` });
    await reached(() => handled.length, 10, 'events handled');
    await sub.close();
    await first.close();
    for (let i = 50; i < 100; i++) await publisher.publish(`${prefix}.m`, { id: `m${i}` });
    sub = await bus('second').subscribe({ group: 'resume', subjects: [`${prefix}.m`] }, handler);
    await reached(() => new Set(handled).size, 100, 'distinct events handled', 20_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(new Set(handled).size, 100);
    await sub.close();
  });
});

test('with NATS unreachable, publish fails fast with UnavailableError and ping says so', async () => {
  const bus = new NatsBus({ url: 'nats://127.0.0.1:1', name: 'unreachable' });
  const started = Date.now();
  await assert.rejects(bus.publish('link.added', { id: 'x' }), UnavailableError);
  await assert.rejects(bus.ping(), UnavailableError);
  assert.ok(Date.now() - started < 1000);
  await bus.close();
});
