/**
 * A DATA_DIR in the old layout (a PGlite folder per service) is upgraded into the one
 * embedded instance at start, with nothing lost, and an interrupted upgrade is finished
 * by the next start.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import {
  acquireEmbeddedInstance,
  loadMigrations,
  migrate,
  openPglite,
  openServiceDatabase,
  upgradeOldLayout,
  type Database,
} from '../src/index.ts';

const migrationsOf = (service: string) => fileURLToPath(new URL(`../../../services/${service}/migrations`, import.meta.url));
const services = {
  link_manager: migrationsOf('link-service'),
  user_manager: migrationsOf('user-service'),
  social_graph_manager: migrationsOf('social-graph-service'),
  news_manager: migrationsOf('news-service'),
} as const;
type Name = keyof typeof services;

const base = mkdtempSync(join(tmpdir(), 'layout-upgrade-'));
after(() => rmSync(base, { recursive: true, force: true }));
let dirs = 0;

/** What the previous release left: a PGlite folder per service, with rows in every table. */
async function oldLayout(only: Name[] = Object.keys(services) as Name[]): Promise<string> {
  const dataDir = join(base, `d${dirs++}`);
  const seed: Record<Name, (db: Database) => Promise<void>> = {
    async link_manager(db) {
      // Each migrated only as far as an older release did: the upgrade applies the rest (004: lower-case usernames) first.
      await migrate(db, (await loadMigrations(services.link_manager)).filter((m) => m.version <= 3));
      await db.exec(`
        INSERT INTO links (username, url, title, tags, created_at, updated_at) VALUES
          ('Alice', 'https://a.example/', 'A', '{x,y}', now(), now()),
          ('bob', 'https://b.example/', 'B', '{}', now(), now()),
          ('bob', 'https://gone.example/', 'gone', '{}', now(), now());
        DELETE FROM links WHERE url = 'https://gone.example/';
        INSERT INTO link_counts VALUES ('Alice', 1), ('bob', 1);
        INSERT INTO outbox (event_id, subject, payload) VALUES ('e1', 'link.added', '{"id":"e1"}'), ('e2', 'link.added', '{"id":"e2"}');
        INSERT INTO url_checks (url, requested_at, status, checked_at) VALUES ('https://a.example/', now(), 'valid', now());`);
    },
    async user_manager(db) {
      await migrate(db, (await loadMigrations(services.user_manager)).filter((m) => m.version <= 2));
      await db.exec(`
        INSERT INTO users (username, created_at, updated_at) VALUES ('alice', now(), now()), ('bob', now(), now());
        INSERT INTO sessions VALUES ('${'a'.repeat(64)}', 'alice', now(), now() + interval '1 day');
        INSERT INTO api_tokens (id, username, name, token_hash, created_at) VALUES ('t1', 'bob', 'cli', '${'b'.repeat(64)}', now());`);
    },
    async social_graph_manager(db) {
      await migrate(db, (await loadMigrations(services.social_graph_manager)).filter((m) => m.version <= 1));
      await db.exec(`INSERT INTO social_graph VALUES ('alice', 'bob'), ('bob', 'alice')`);
    },
    async news_manager(db) {
      await migrate(db, (await loadMigrations(services.news_manager)).filter((m) => m.version <= 1));
      await db.exec(`
        INSERT INTO news_feed VALUES ('bob', 'e1', 1, 'LINK_ADDED', 'alice', 'https://a.example/', 'A');
        INSERT INTO news_delivered (event_id) VALUES ('e1');`);
    },
  };
  for (const name of only) {
    const db = await openPglite(join(dataDir, name));
    await seed[name](db);
    await db.close();
  }
  return dataDir;
}

const logged: Array<{ detail: object; message: string }> = [];
const log = { info: (detail: object, message: string) => logged.push({ detail, message }), warn: () => undefined };

const openService = (dataDir: string, name: Name) => openServiceDatabase({ database: name, dataDir }, services[name], log);

async function count(db: Database, table: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return rows[0]!.n;
}

describe('the old data-directory layout', () => {
  test('is upgraded at start into a schema per service, every row and sequence kept, the old folders removed', async () => {
    const dataDir = await oldLayout();
    logged.length = 0;
    const dbs = Object.fromEntries(await Promise.all(Object.keys(services).map(async (name) => [name, await openService(dataDir, name as Name)]))) as Record<Name, Database>;
    try {
      const links = dbs.link_manager;
      assert.deepEqual((await links.query('SELECT username, url, tags FROM links ORDER BY id')).rows, [
        { username: 'alice', url: 'https://a.example/', tags: ['x', 'y'] }, // 004 ran on the old database
        { username: 'bob', url: 'https://b.example/', tags: [] },
      ]);
      assert.equal(await count(links, 'outbox'), 2);
      assert.equal(await count(links, 'url_checks'), 1);
      // The identity goes on where it was: the deleted row's id is not handed out again.
      const next = await links.query<{ id: number }>(
        "INSERT INTO links (username, url, title, created_at, updated_at) VALUES ('bob', 'https://c.example/', 'C', now(), now()) RETURNING id",
      );
      assert.equal(Number(next.rows[0]!.id), 4);
      assert.deepEqual(
        (await links.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => r.version).slice(0, 4),
        [1, 2, 3, 4],
      );

      assert.equal(await count(dbs.user_manager, 'users'), 2);
      assert.equal(await count(dbs.user_manager, 'sessions'), 1);
      assert.equal(await count(dbs.user_manager, 'api_tokens'), 1);
      assert.equal(await count(dbs.social_graph_manager, 'social_graph'), 2);
      assert.equal(await count(dbs.news_manager, 'news_feed'), 1);
      assert.equal(await count(dbs.news_manager, 'news_delivered'), 1);

      for (const name of Object.keys(services)) assert.ok(!existsSync(join(dataDir, name)), `${name}'s old folder removed`);
      const upgraded = logged.filter((entry) => entry.message === 'upgraded from the old data-directory layout into the embedded database');
      assert.deepEqual(upgraded.map((entry) => (entry.detail as { database: string }).database).sort(), Object.keys(services).sort());
      assert.deepEqual((upgraded.find((e) => (e.detail as { database: string }).database === 'social_graph_manager')!.detail as { rows: object }).rows, {
        schema_migrations: 2,
        social_graph: 2,
      });
    } finally {
      await Promise.all(Object.values(dbs).map((db) => db.close()));
    }
  });

  test('an upgrade interrupted in the middle of the copy changes nothing, and the next start does it all', async () => {
    const dataDir = await oldLayout(['user_manager']);
    const migrations = await loadMigrations(services.user_manager);
    const { instance, release } = await acquireEmbeddedInstance(dataDir);
    try {
      let tables = 0;
      await assert.rejects(
        upgradeOldLayout(instance, 'user_manager', migrations, {
          onTableCopied: () => {
            if (++tables === 2) throw new Error('crash');
          },
        }),
        /crash/,
      );
      assert.ok(existsSync(join(dataDir, 'user_manager', 'PG_VERSION')), 'the old folder is kept');
      const leftovers = await instance.asSuperuser((tx) => tx.query("SELECT 1 FROM pg_namespace WHERE nspname = 'user_manager'"));
      assert.equal(leftovers.rowCount, 0, 'nothing of the upgrade is in the new instance');
    } finally {
      await release();
    }

    const db = await openService(dataDir, 'user_manager');
    try {
      assert.equal(await count(db, 'users'), 2);
      assert.equal(await count(db, 'sessions'), 1);
      assert.equal(await count(db, 'api_tokens'), 1);
      assert.ok(!existsSync(join(dataDir, 'user_manager')));
    } finally {
      await db.close();
    }
  });

  test('a process stopped after the upgrade committed but before the old folder went: the next start only removes it', async () => {
    const dataDir = await oldLayout(['social_graph_manager']);
    const kept = join(base, `kept-${dirs++}`);
    cpSync(join(dataDir, 'social_graph_manager'), kept, { recursive: true });
    await (await openService(dataDir, 'social_graph_manager')).close();
    cpSync(kept, join(dataDir, 'social_graph_manager'), { recursive: true }); // as if rmSync never ran

    logged.length = 0;
    const db = await openService(dataDir, 'social_graph_manager');
    try {
      assert.equal(await count(db, 'social_graph'), 2, 'not copied twice');
      assert.ok(!existsSync(join(dataDir, 'social_graph_manager')));
      assert.ok(logged.some((entry) => entry.message === 'old-layout folder removed: its upgrade had completed'));
    } finally {
      await db.close();
    }
  });
});
