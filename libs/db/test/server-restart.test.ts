/**
 * The PostgreSQL server restarting under load: no crash (a pooled client's
 * connection error must never be an unhandled 'error' event), every failed call
 * an UnavailableError, and service again by itself once the server is back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { UnavailableError } from '@delinkcious/object-model';
import { privatePostgresSkip, startPrivatePostgres, type PrivatePostgres } from '@delinkcious/testing';
import { openPostgres, type Database } from '../src/index.ts';

const skip = privatePostgresSkip();

describe('a PostgreSQL restart under load', { skip }, () => {
  let server: PrivatePostgres;
  let db: Database;

  before(async () => {
    server = await startPrivatePostgres();
    db = await openPostgres({ url: server.url, label: 'restart_test', poolSize: 8, connectTimeoutMs: 1000 });
    await db.exec('CREATE TABLE items (id serial PRIMARY KEY, n int NOT NULL)');
  });
  after(async () => {
    await db?.close().catch(() => undefined);
    server?.remove();
  });

  for (const mode of ['fast', 'immediate'] as const) {
    test(`stop -m ${mode} while transactions run: failures are UnavailableError, then it serves again`, async () => {
      const failures: unknown[] = [];
      let running = true;
      let committed = 0;
      // Writers hold transactions open across the restart, which is where a pooled client's error escapes.
      const writers = Array.from({ length: 8 }, async () => {
        while (running) {
          try {
            await db.transaction(async (tx) => {
              await tx.query('INSERT INTO items (n) VALUES (1)');
              await tx.query('SELECT pg_sleep(0.01)');
            });
            committed += 1;
          } catch (error) {
            failures.push(error);
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        }
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      server.stop(mode);
      await new Promise((resolve) => setTimeout(resolve, 500));
      server.start();
      const before = committed;
      const deadline = Date.now() + 15_000;
      while (committed <= before + 20 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      running = false;
      await Promise.all(writers);

      assert.ok(failures.length > 0, 'the outage was seen');
      const other = failures.filter((error) => !(error instanceof UnavailableError));
      assert.deepEqual(other.map(String), [], 'every failure during the outage is an UnavailableError');
      assert.ok(committed > before + 20, `writes commit again after the restart (${committed - before} since)`);
      const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM items');
      assert.ok(Number(rows[0]!.n) > 0);
    });
  }
});
