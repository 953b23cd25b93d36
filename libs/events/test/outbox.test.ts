import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openPglite, openPostgres, loadMigrations, migrate, type Database } from '@delinkcious/db';
import { runInTrace } from '@delinkcious/kit';
import { UnavailableError } from '@delinkcious/object-model';
import { createTemporaryDatabase, externalService, waitFor } from '@delinkcious/testing';
import { fileURLToPath } from 'node:url';
import { OutboxRelay, appendToOutbox, type Bus, type BusEvent } from '../src/index.ts';

// The outbox table as link-service creates it.
const linkMigrations = fileURLToPath(new URL('../../../services/link-service/migrations', import.meta.url));

/** A bus whose availability the test switches, recording what it was given. */
class SwitchableBus implements Bus {
  readonly kind = 'in-process';
  up = true;
  readonly published: Array<{ subject: string; id: string }> = [];
  /** Events this bus refuses while up. */
  readonly refused = new Set<string>();
  async publish(subject: string, event: BusEvent) {
    if (!this.up || this.refused.has(event.id)) throw new UnavailableError('bus down');
    this.published.push({ subject, id: event.id });
  }
  async subscribe(): Promise<never> {
    throw new Error('not used');
  }
  async ping() {}
  async close() {}
}

/** A bus that can lose what it stored (NATS without its volume): the relay keeps published rows for it. */
class StoringBus extends SwitchableBus {
  onStreamReplaced(): () => void {
    return () => {};
  }
}

const outboxRows = async (db: Database) =>
  (await db.query<{ id: string; published: boolean; claimed: boolean }>(
    `SELECT payload->>'id' AS id, published_at IS NOT NULL AS published, claimed_until IS NOT NULL AS claimed FROM outbox ORDER BY id`,
  )).rows;

async function write(db: Database, ids: string[]) {
  for (const id of ids) await db.transaction((tx) => appendToOutbox(tx, 'link.added', { id }));
}

function relaySuite(name: string, open: () => Promise<{ db: Database; fresh: () => Promise<Database>; close: () => Promise<void> }>, skip: string | false = false) {
  describe(`outbox relay: ${name}`, { skip }, () => {
    test('publishes in order and marks what went out; a rerun publishes nothing again', async () => {
      const { db, close } = await open();
      try {
        const bus = new SwitchableBus();
        await write(db, ['a', 'b', 'c']);
        const relay = new OutboxRelay({ db, bus });
        assert.equal(await relay.relayOnce(), 3);
        assert.equal(await relay.relayOnce(), 0);
        assert.deepEqual(bus.published.map((p) => p.id), ['a', 'b', 'c']);
        assert.equal(await relay.backlog(), 0);
      } finally {
        await close();
      }
    });

    test('a published row is deleted, unless the bus can lose what it stored; a row not published stays, released', async () => {
      const { db, close } = await open();
      try {
        const bus = new SwitchableBus();
        bus.refused.add('b');
        await write(db, ['a', 'b', 'c']);
        assert.equal(await new OutboxRelay({ db, bus }).relayOnce(), 2);
        assert.deepEqual(await outboxRows(db), [{ id: 'b', published: false, claimed: false }], 'b waits for the next pass');
        bus.refused.clear();
        assert.equal(await new OutboxRelay({ db, bus }).relayOnce(), 1);
        assert.deepEqual(await outboxRows(db), []);

        const storing = new StoringBus();
        storing.refused.add('e');
        await write(db, ['d', 'e']);
        assert.equal(await new OutboxRelay({ db, bus: storing }).relayOnce(), 1);
        assert.deepEqual(
          await outboxRows(db),
          [{ id: 'd', published: true, claimed: false }, { id: 'e', published: false, claimed: false }],
          'kept for republishSince, marked',
        );
      } finally {
        await close();
      }
    });

    test('bus down: writes still commit, nothing is lost, and all go out in order once it is back', async () => {
      const { db, close } = await open();
      try {
        const bus = new SwitchableBus();
        bus.up = false;
        const backlogs: number[] = [];
        const relay = new OutboxRelay({ db, bus, idleMs: 20, onBacklog: (n) => backlogs.push(n) });
        relay.start();
        await write(db, ['e1', 'e2', 'e3', 'e4']);
        await waitFor(() => backlogs.at(-1) === 4, { what: 'a backlog of 4 reported', intervalMs: 20 });
        assert.equal(bus.published.length, 0);
        bus.up = true;
        relay.notify();
        await waitFor(() => bus.published.length === 4, { what: 'all 4 published', intervalMs: 20 });
        assert.deepEqual(bus.published.map((p) => p.id), ['e1', 'e2', 'e3', 'e4']);
        await relay.stop();
        assert.equal(await relay.backlog(), 0);
      } finally {
        await close();
      }
    });

    test('a relay stopped with events left behind: a new one (after a restart) publishes them', async () => {
      const { db, fresh, close } = await open();
      try {
        const bus = new SwitchableBus();
        bus.up = false;
        await write(db, ['r1', 'r2']);
        const first = new OutboxRelay({ db, bus });
        assert.equal(await first.relayOnce(), 0);
        const reopened = await fresh();
        bus.up = true;
        const second = new OutboxRelay({ db: reopened, bus });
        assert.equal(await second.relayOnce(), 2, 'a failed publish releases its claim at once');
        assert.deepEqual(bus.published.map((p) => p.id), ['r1', 'r2']);
      } finally {
        await close();
      }
    });

    test('an event written inside a request carries that request\'s trace to the bus', async () => {
      const { db, close } = await open();
      try {
        const seen: Array<Record<string, string>> = [];
        const bus = new SwitchableBus();
        bus.publish = async (_subject, _event, headers = {}) => void seen.push(headers);
        const trace = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: true };
        await runInTrace(trace, () => db.transaction((tx) => appendToOutbox(tx, 'link.added', { id: 'traced' })));
        await new OutboxRelay({ db, bus }).relayOnce();
        assert.match(seen[0]?.traceparent ?? '', /^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
      } finally {
        await close();
      }
    });

    test('stop() publishes what was written just before shutdown', async () => {
      const { db, close } = await open();
      try {
        const bus = new SwitchableBus();
        const relay = new OutboxRelay({ db, bus, idleMs: 60_000 });
        relay.start();
        await new Promise((resolve) => setTimeout(resolve, 50));
        await write(db, ['last']);
        await relay.stop();
        assert.deepEqual(bus.published.map((p) => p.id), ['last']);
      } finally {
        await close();
      }
    });
  });
}

relaySuite('PGlite', async () => {
  const db = await openPglite('memory://');
  await migrate(db, await loadMigrations(linkMigrations));
  return { db, fresh: async () => db, close: () => db.close() };
});

test('a relay alone on its outbox (PGlite) claims nothing, and passes asked at once publish each event once, in order', async () => {
  const db = await openPglite('memory://');
  try {
    await migrate(db, await loadMigrations(linkMigrations));
    const ids = Array.from({ length: 30 }, (_, i) => `s${String(i).padStart(2, '0')}`);
    await write(db, ids);
    const bus = new SwitchableBus();
    bus.refused.add('s29');
    const relay = new OutboxRelay({ db, bus, batchSize: 20 });
    const sent = await Promise.all([relay.relayOnce(), relay.relayOnce(), relay.relayOnce()]);
    assert.deepEqual(sent, [20, 9, 0]);
    assert.deepEqual(bus.published.map((p) => p.id), ids.slice(0, 29), 'each once, in order');
    assert.deepEqual(await outboxRows(db), [{ id: 's29', published: false, claimed: false }], 'the refused one waits, never claimed');
    bus.refused.clear();
    assert.equal(await relay.relayOnce(), 1);
    assert.deepEqual(await outboxRows(db), []);
  } finally {
    await db.close();
  }
});

/** An in-process bus whose publishes wait until released, counting how many are in flight at once. */
class HeldBus extends SwitchableBus {
  inFlight = 0;
  mostInFlight = 0;
  private releases: Array<() => void> = [];
  override async publish(subject: string, event: BusEvent) {
    this.inFlight++;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    await new Promise<void>((resolve) => this.releases.push(resolve));
    this.inFlight--;
    await super.publish(subject, event);
  }
  release() {
    for (const resolve of this.releases.splice(0)) resolve();
  }
}

describe('outbox relay on the in-process bus (embedded)', () => {
  const withOutbox = async (fn: (db: Database) => Promise<void>) => {
    const db = await openPglite('memory://');
    try {
      await migrate(db, await loadMigrations(linkMigrations));
      await fn(db);
    } finally {
      await db.close();
    }
  };

  for (const [kind, most] of [['in-process', 20], ['nats', 8]] as const) {
    test(`${kind} bus: ${most} of a pass's 20 events in flight at once`, async () => {
      await withOutbox(async (db) => {
        const ids = Array.from({ length: 20 }, (_, i) => `e${String(i).padStart(2, '0')}`);
        await write(db, ids);
        const bus = Object.assign(new HeldBus(), { kind });
        const pass = new OutboxRelay({ db, bus, batchSize: 50 }).relayOnce();
        await waitFor(() => bus.inFlight > 0, { what: 'the first publishes' });
        await new Promise((resolve) => setTimeout(resolve, 50));
        assert.equal(bus.mostInFlight, most);
        while (bus.published.length < ids.length) {
          bus.release();
          await new Promise((resolve) => setImmediate(resolve));
        }
        assert.equal(await pass, ids.length);
        assert.deepEqual(bus.published.map((p) => p.id), ids);
        assert.deepEqual(await outboxRows(db), [], 'each deleted once published');
      });
    });
  }

  /** A running relay on a fresh outbox; stopped (publishing what waits) before `fn`'s bus is returned. */
  const withRunningRelay = async (flowCoalesceMs: number, fn: (written: (ids: string[]) => Promise<void>, bus: SwitchableBus) => Promise<void>) => {
    const bus = new SwitchableBus();
    await withOutbox(async (db) => {
      const relay = new OutboxRelay({ db, bus, idleMs: 60_000, coalesceMs: 5, flowCoalesceMs });
      relay.start();
      try {
        await fn(async (ids) => {
          await write(db, ids);
          relay.notify();
        }, bus);
      } finally {
        await relay.stop();
      }
    });
    return bus;
  };

  test('while events flow, a write waits flowCoalesceMs for company', async () => {
    const bus = await withRunningRelay(10_000, async (written, bus) => {
      // Quiet: a pass soon after the write.
      await written(['a', 'b', 'c']);
      await waitFor(() => bus.published.length === 3, { what: 'the first three', timeoutMs: 5_000 });
      // That pass published three: events flow, so the next writes wait for company.
      await written(['d']);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await written(['e']);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(bus.published.length, 3, 'd and e wait while events flow');
    });
    assert.deepEqual(bus.published.map((p) => p.id), ['a', 'b', 'c', 'd', 'e'], 'stop() publishes what waited');
  });

  test('after a pass of one event, a write goes out at once again', async () => {
    await withRunningRelay(60_000, async (written, bus) => {
      for (const id of ['one', 'two', 'three']) {
        await written([id]);
        // Far sooner than flowCoalesceMs: one event per pass is no flow.
        await waitFor(() => bus.published.some((p) => p.id === id), { what: id, timeoutMs: 10_000 });
      }
    });
  });
});

const postgres = await externalService('TEST_DATABASE_URL');
relaySuite(
  'PostgreSQL',
  async () => {
    const temp = await createTemporaryDatabase(postgres.url!, 'test_outbox');
    const opened: Database[] = [];
    const open = async () => {
      const db = await openPostgres({ url: temp.url, label: 'outbox' });
      opened.push(db);
      return db;
    };
    const db = await open();
    await migrate(db, await loadMigrations(linkMigrations));
    return {
      db,
      fresh: open,
      close: async () => {
        await Promise.all(opened.map((d) => d.close()));
        await temp.drop();
      },
    };
  },
  postgres.skip,
);

describe('outbox relays on several replicas', { skip: postgres.skip }, () => {
  test('relays running at once publish every event, none twice', async () => {
    const temp = await createTemporaryDatabase(postgres.url!, 'test_outbox_replicas');
    const dbs = await Promise.all([1, 2, 3].map(() => openPostgres({ url: temp.url, label: 'outbox' })));
    try {
      await migrate(dbs[0]!, await loadMigrations(linkMigrations));
      await write(dbs[0]!, Array.from({ length: 300 }, (_, i) => `p${i}`));
      const bus = new SwitchableBus();
      const relays = dbs.map((db) => new OutboxRelay({ db, bus, batchSize: 25, idleMs: 10 }));
      relays.forEach((relay) => relay.start());
      await waitFor(() => bus.published.length >= 300, { what: 'all 300 published', timeoutMs: 20_000, intervalMs: 20 });
      await Promise.all(relays.map((relay) => relay.stop()));
      assert.equal(bus.published.length, 300);
      assert.equal(new Set(bus.published.map((p) => p.id)).size, 300);
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
      await temp.drop();
    }
  });
});
