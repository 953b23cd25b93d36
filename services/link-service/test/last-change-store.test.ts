/**
 * Pinboard's posts/update and posts/dates in link-service (docs/design.md §20): lastChange, the
 * kept time of a user's latest add, change or deletion, and linkDates, the count per UTC day,
 * through the LinkManager over every store (memory, PGlite, PostgreSQL). On SQL the time is kept
 * by triggers, so a write the store's code does not know of moves it too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as delinkciousDb from '@delinkcious/db';
import { ValidationError, type ImportLinkEntry } from '@delinkcious/object-model';
import { storeDatabases } from '@delinkcious/testing';
import type { Database } from '@delinkcious/db';
import { ImportWorker } from '../src/imports/import-worker.ts';
import type { ImportStore } from '../src/imports/import-store.ts';
import { Importer } from '../src/imports/importer.ts';
import { MemoryImportStore } from '../src/imports/memory-import-store.ts';
import { SqlImportStore } from '../src/imports/sql-import-store.ts';
import { migrationsDir } from '../src/main.ts';
import { DefaultLinkManager } from '../src/manager.ts';
import type { LinkStore } from '../src/stores/link-store.ts';
import { MemoryLinkStore } from '../src/stores/memory-link-store.ts';
import { SqlLinkStore } from '../src/stores/sql-link-store.ts';

interface Fixture {
  links: LinkStore;
  imports: ImportStore;
  /** SQL only: the database, to write as no store method does. */
  db?: Database;
  close(): Promise<void>;
}

const databases = await storeDatabases({ db: delinkciousDb, migrationsDir, label: 'link_manager', prefix: 'test_last_change' });
const fixtures: Array<{ name: string; skip: string | false; open: () => Promise<Fixture> }> = [
  {
    name: 'memory',
    skip: false,
    async open() {
      const links = new MemoryLinkStore();
      return { links, imports: new MemoryImportStore(links), close: async () => {} };
    },
  },
  ...databases.map(({ name, skip, open }) => ({
    name,
    skip,
    async open(): Promise<Fixture> {
      const { db, close } = await open();
      return { links: new SqlLinkStore(db), imports: new SqlImportStore(db), db, close };
    },
  })),
];

/** Past the clock's resolution (ms in memory, µs in SQL, ms once read as a Date). */
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

for (const { name, skip, open } of fixtures) {
  describe(`lastChange and linkDates (${name})`, { skip }, () => {
    let fixture: Fixture;
    let manager: DefaultLinkManager;
    let n = 0;
    const user = () => `changer${++n}-${Math.random().toString(36).slice(2, 8)}`;

    before(async () => {
      fixture = await open();
      manager = new DefaultLinkManager({ store: fixture.links, maxLinksPerUser: 1000 });
    });
    after(async () => fixture?.close());

    /** Runs `change` and answers lastChange after it, asserting whether it moved (and then to a time within the call). */
    const expectMoved = async (username: string, moved: boolean, change: () => Promise<unknown>, what: string) => {
      const was = await manager.lastChange(username);
      await tick();
      const started = Date.now();
      await change();
      const ended = Date.now();
      const now = await manager.lastChange(username);
      if (!moved) {
        assert.deepEqual(now, was, `${what}: lastChange did not move`);
        return now;
      }
      assert.ok(now, `${what}: lastChange is set`);
      assert.ok(now.getTime() >= started && now.getTime() <= ended, `${what}: lastChange ${now.toISOString()} is the time of the change`);
      assert.ok(!was || now > was, `${what}: lastChange moved forward`);
      return now;
    };

    test('adding, editing and deleting a link move it, private links too; reading and no-op edits do not; other users are apart', async () => {
      const alice = user();
      const bob = user();
      assert.equal(await manager.lastChange(alice), null, 'never changed anything');
      await expectMoved(alice, true, () => manager.addLink({ username: alice, url: 'https://example.com/a', title: 'A' }), 'add');
      // An older date brought along (Pinboard's dt, an import) is still a change now.
      await expectMoved(alice, true, () => manager.addLink({ username: alice, url: 'https://example.com/old', title: 'Old', createdAt: new Date('2001-01-01T00:00:00Z') }), 'add dated 2001');
      await expectMoved(alice, true, () => manager.addLink({ username: alice, url: 'https://example.com/secret', title: 'S', private: true }), 'private add');
      await expectMoved(alice, false, () => manager.getLinks({ username: alice }), 'read');
      await expectMoved(alice, false, () => manager.updateLink({ username: alice, url: 'https://example.com/a', title: 'A' }), 'edit that changes nothing');
      await expectMoved(alice, true, () => manager.updateLink({ username: alice, url: 'https://example.com/a', title: 'A2' }), 'title');
      await expectMoved(alice, true, () => manager.updateLink({ username: alice, url: 'https://example.com/secret', unread: true }), 'unread (Pinboard toread)');
      await expectMoved(alice, true, () => manager.updateLink({ username: alice, url: 'https://example.com/secret', private: false }), 'made public');
      await expectMoved(bob, false, () => manager.addLink({ username: alice, url: 'https://example.com/b', title: 'B' }), "alice's add, for bob");
      await assert.rejects(manager.addLink({ username: alice, url: 'https://example.com/a', title: 'again' }));
      await expectMoved(alice, true, () => manager.deleteLink(alice, 'https://example.com/secret'), 'delete of a private link');
      for (const url of ['https://example.com/a', 'https://example.com/old', 'https://example.com/b']) await manager.deleteLink(alice, url);
      const emptied = await manager.lastChange(alice);
      assert.ok(emptied, 'a user with no links left still has the time of the last deletion');
      assert.deepEqual(await manager.lastChange(alice.toUpperCase()), emptied, 'usernames are case-insensitive');
    });

    test('tag renames and deletions and bulk edits move it when they change a link', async () => {
      const alice = user();
      await manager.addLink({ username: alice, url: 'https://example.com/1', title: 'One', tags: ['go'] });
      await manager.addLink({ username: alice, url: 'https://example.com/2', title: 'Two', tags: ['go'] });
      await expectMoved(alice, true, () => manager.renameTag(alice, 'go', 'golang'), 'rename');
      await expectMoved(alice, false, () => manager.renameTag(alice, 'absent', 'other'), 'rename of a tag no link has');
      await expectMoved(alice, false, () => manager.deleteTag(alice, 'absent'), 'deletion of a tag no link has');
      await expectMoved(alice, true, () => manager.deleteTag(alice, 'golang'), 'tag deletion');
      const urls = ['https://example.com/1', 'https://example.com/2'];
      await expectMoved(alice, true, () => manager.bulkEdit({ username: alice, action: 'add_tags', urls, tags: ['x'] }), 'bulk add_tags');
      await expectMoved(alice, false, () => manager.bulkEdit({ username: alice, action: 'mark_read', urls }), 'bulk mark_read of read links');
      await expectMoved(alice, true, () => manager.bulkEdit({ username: alice, action: 'set_private', urls }), 'bulk set_private');
      await expectMoved(alice, true, () => manager.bulkEdit({ username: alice, action: 'delete', urls }), 'bulk delete');
    });

    test("a check moves it when it fills in a link's title, not when it only sets the status", async () => {
      const alice = user();
      const url = `https://checked.example/${alice}`;
      await manager.addLink({ username: alice, url, title: 'Mine' });
      await manager.addLink({ username: alice, url: `${url}/untitled` });
      await expectMoved(alice, false, () => manager.applyCheckResult({ url, status: 'valid', checkedAt: new Date(), httpStatus: 200, title: 'The page' }), 'status only (title kept)');
      await expectMoved(alice, false, () => manager.applyCheckResult({ url, status: 'invalid', checkedAt: new Date(), httpStatus: 404, error: '404 Not Found' }), 'turned invalid');
      await expectMoved(alice, true, () => manager.applyCheckResult({ url: `${url}/untitled`, status: 'valid', checkedAt: new Date(), httpStatus: 200, title: 'Found title' }), 'title filled in');
    });

    test('an import moves it, for the links it adds and those it updates', async () => {
      const alice = user();
      const importer = new Importer({ store: fixture.imports, maxEntries: 1000, now: () => new Date() });
      const importing = new DefaultLinkManager({ store: fixture.links, maxLinksPerUser: 1000, imports: importer });
      const worker = new ImportWorker({ store: fixture.imports, maxLinksPerUser: 1000, batchSize: 10, owner: `worker-${alice}`, leaseMs: 60_000, onAdded: () => {} });
      const entry = (i: number, tags: string[]): ImportLinkEntry => ({
        url: `https://imported.example/${i}`,
        title: `Imported ${i}`,
        description: '',
        tags,
        createdAt: new Date(Date.UTC(2015, 0, 1 + i)),
        updatedAt: new Date(Date.UTC(2015, 0, 1 + i)),
      });
      const importOf = async (entries: ImportLinkEntry[]) => {
        await importing.startImport({ username: alice, entries });
        await worker.drain();
      };
      const first = await expectMoved(alice, true, () => importOf([entry(1, ['a']), entry(2, ['a'])]), 'import of new links');
      assert.ok(first! > new Date(Date.UTC(2016, 0, 1)), 'the time of the import, not the dates the file brought');
      await expectMoved(alice, true, () => importOf([entry(1, ['b'])]), 'import adding a tag to a link');
    });

    test('linkDates: per UTC day of createdAt, newest day first, private links too, all of the tags, the user alone', async () => {
      const alice = user();
      const bob = user();
      const add = (username: string, i: number, at: string, tags: string[], isPrivate = false) =>
        manager.addLink({ username, url: `https://dated.example/${i}`, title: `D${i}`, tags, private: isPrivate, createdAt: new Date(at) });
      await add(alice, 1, '2019-05-06T00:00:00.000Z', ['day', 'go']);
      await add(alice, 2, '2019-05-06T23:59:59.999Z', ['day'], true);
      await add(alice, 3, '2019-05-07T00:00:00.000Z', ['day', 'go']);
      await add(alice, 4, '2018-12-31T23:30:00.000Z', ['go']);
      await add(bob, 5, '2019-05-08T10:00:00.000Z', ['day', 'go']);
      assert.deepEqual(await manager.linkDates({ username: alice }), [
        { date: '2019-05-07', count: 1 },
        { date: '2019-05-06', count: 2 },
        { date: '2018-12-31', count: 1 },
      ]);
      assert.deepEqual(await manager.linkDates({ username: alice, tags: ['day'] }), [
        { date: '2019-05-07', count: 1 },
        { date: '2019-05-06', count: 2 },
      ]);
      assert.deepEqual(await manager.linkDates({ username: alice, tags: ['GO', 'day'] }), [
        { date: '2019-05-07', count: 1 },
        { date: '2019-05-06', count: 1 },
      ]);
      assert.deepEqual(await manager.linkDates({ username: alice, tags: ['nothing'] }), []);
      assert.deepEqual(await manager.linkDates({ username: user() }), []);
      await assert.rejects(manager.linkDates({ username: alice, tags: [42 as unknown as string] }), ValidationError);
    });

    // Raw SQL writes: the SQL stores only (the memory store has no SQL to bypass it with).
    if (name !== 'memory') {
      test('SQL: whoever writes links moves it in the same transaction (triggers), a status or updated_at alone does not', async () => {
        const db = fixture.db!;
        const alice = user();
        await manager.addLink({ username: alice, url: 'https://raw.example/1', title: 'One' });
        await expectMoved(
          alice,
          false,
          () => db.query(`UPDATE link_health SET status = 'valid', checked_at = now() WHERE link_id IN (SELECT id FROM links WHERE username = $1)`, [alice]),
          'raw status update',
        );
        await expectMoved(alice, false, () => db.query(`UPDATE links SET updated_at = now() WHERE username = $1`, [alice]), 'raw updated_at update');
        await expectMoved(alice, true, () => db.query(`UPDATE links SET description = 'written elsewhere' WHERE username = $1`, [alice]), 'raw description update');
        await expectMoved(alice, false, async () => {
          await db.transaction(async (tx) => {
            await tx.query(`DELETE FROM links WHERE username = $1`, [alice]);
            throw new Error('rolled back');
          }).catch(() => {});
        }, 'deletion rolled back');
        assert.equal((await manager.getLinks({ username: alice })).links.length, 1);
      });
    }

    test('concurrent writers of one user (edits, bulk edits, renames, deletions, imports, checks) all commit: no deadlock', async () => {
      const alice = user();
      const bob = user();
      const shared = `https://shared.example/${alice}`;
      const urls = Array.from({ length: 12 }, (_, i) => `https://busy.example/${alice}/${i}`);
      for (const url of urls) await manager.addLink({ username: alice, url, title: 'busy', tags: ['t'] });
      await manager.addLink({ username: alice, url: shared });
      await manager.addLink({ username: bob, url: shared });
      const importer = new Importer({ store: fixture.imports, maxEntries: 1000, now: () => new Date() });
      const importing = new DefaultLinkManager({ store: fixture.links, maxLinksPerUser: 1000, imports: importer });
      const worker = new ImportWorker({ store: fixture.imports, maxLinksPerUser: 1000, batchSize: 5, owner: `busy-${alice}`, leaseMs: 60_000, onAdded: () => {} });
      await importing.startImport({
        username: alice,
        entries: [...urls.slice(0, 6), ...Array.from({ length: 6 }, (_, i) => `https://busy.example/${alice}/new${i}`)].map((url) => ({ url, title: 'imported', description: '', tags: ['imp'] })),
      });
      const started = Date.now();
      const outcomes = await Promise.allSettled([
        ...urls.slice(0, 6).map((url, i) => manager.updateLink({ username: alice, url, title: `edited ${i}`, addTags: ['e'] })),
        manager.bulkEdit({ username: alice, action: 'add_tags', urls: [...urls].reverse(), tags: ['bulk'] }),
        manager.renameTag(alice, 't', 'renamed'),
        manager.deleteLink(alice, urls[11]!),
        manager.applyCheckResult({ url: shared, status: 'valid', checkedAt: new Date(), httpStatus: 200, title: 'Shared page' }),
        worker.drain(),
        manager.addLink({ username: alice, url: `https://busy.example/${alice}/late`, title: 'late' }),
      ]);
      const failed = outcomes.filter((outcome) => outcome.status === 'rejected');
      assert.deepEqual(failed, [], 'every concurrent write committed');
      const at = await manager.lastChange(alice);
      assert.ok(at && at.getTime() >= started);
      assert.ok((await manager.lastChange(bob))!.getTime() >= started, "the check filled in bob's title too");
    });
  });
}

const backends = await storeDatabases({ db: delinkciousDb, migrationsDir, label: 'link_manager', prefix: 'test_last_change_migration', migrated: false });
for (const backend of backends) {
  describe(`link-service migration 11: lastChange backfilled (${backend.name})`, { skip: backend.skip }, () => {
    test("each user's latest save or edit before the migration; a user without links has none", async () => {
      const { db, close } = await backend.open();
      try {
        const all = await delinkciousDb.loadMigrations(migrationsDir);
        await delinkciousDb.migrate(db, all.filter((migration) => migration.version < 11));
        const at = (day: number) => new Date(Date.UTC(2024, 0, day));
        await db.query(
          `INSERT INTO links (username, url, title, created_at, updated_at) VALUES
             ('alice', 'https://a.example/1', 'edited later', $1, $3), ('alice', 'https://a.example/2', 'newest', $2, $2),
             ('bob', 'https://b.example/1', 'dated ahead of its update', $4, $1)`,
          [at(1), at(5), at(9), at(7)],
        );
        await db.query(`INSERT INTO link_counts (username, links, public_links) VALUES ('alice', 2, 2), ('bob', 1, 1), ('carol', 0, 0)`);
        await delinkciousDb.migrate(db, all.filter((migration) => migration.version <= 11));
        const manager = new DefaultLinkManager({ store: new SqlLinkStore(db), maxLinksPerUser: 10 });
        assert.deepEqual(await manager.lastChange('alice'), at(9));
        assert.deepEqual(await manager.lastChange('bob'), at(7));
        assert.equal(await manager.lastChange('carol'), null);
      } finally {
        await close();
      }
    });
  });
}
