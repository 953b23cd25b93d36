/**
 * Import jobs (docs/design.md §19 B) on every store: memory, PGlite and
 * PostgreSQL. The rules of an import, its counts and errors, no news, the
 * link limit, another user's job, and a job stopped midway that completes
 * after a restart with nothing lost or repeated.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as delinkciousDb from '@delinkcious/db';
import { NotFoundError, ValidationError, type ImportLinkEntry, type LinkEvent } from '@delinkcious/object-model';
import { storeDatabases } from '@delinkcious/testing';
import { ImportWorker } from '../src/imports/import-worker.ts';
import type { ImportStore } from '../src/imports/import-store.ts';
import { Importer } from '../src/imports/importer.ts';
import { MemoryImportStore } from '../src/imports/memory-import-store.ts';
import { SqlImportStore } from '../src/imports/sql-import-store.ts';
import { mergeInto } from '../src/imports/import-rules.ts';
import { migrationsDir } from '../src/main.ts';
import { DefaultLinkManager } from '../src/manager.ts';
import type { LinkStore } from '../src/stores/link-store.ts';
import { MemoryLinkStore } from '../src/stores/memory-link-store.ts';
import { SqlLinkStore } from '../src/stores/sql-link-store.ts';

interface Fixture {
  links: LinkStore;
  imports: ImportStore;
  events(): Promise<LinkEvent[]>;
  close(): Promise<void>;
}

const databases = await storeDatabases({ db: delinkciousDb, migrationsDir, label: 'link_manager', prefix: 'test_imports' });
const fixtures: Array<{ name: string; skip: string | false; open: () => Promise<Fixture> }> = [
  {
    name: 'memory',
    skip: false,
    async open() {
      const links = new MemoryLinkStore();
      return { links, imports: new MemoryImportStore(links), events: async () => links.outbox, close: async () => {} };
    },
  },
  ...databases.map(({ name, skip, open }) => ({
    name,
    skip,
    async open(): Promise<Fixture> {
      const { db, close } = await open();
      return {
        links: new SqlLinkStore(db),
        imports: new SqlImportStore(db),
        async events() {
          const { rows } = await db.query<{ payload: LinkEvent }>('SELECT payload FROM outbox ORDER BY id');
          return rows.map((row) => row.payload);
        },
        close,
      };
    },
  })),
];

const t0 = new Date('2026-03-01T12:00:00.000Z');
const day = 24 * 3600 * 1000;

function entries(count: number, from = 0): ImportLinkEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    url: `https://example.com/${from + i}`,
    title: `Link ${from + i}`,
    description: '',
    tags: ['imported'],
    createdAt: new Date(Date.UTC(2020, 0, 1) + (from + i) * day),
    updatedAt: new Date(Date.UTC(2020, 0, 1) + (from + i) * day + 3600_000),
  }));
}

for (const { name, skip, open } of fixtures) {
  describe(`import jobs: ${name}`, { skip }, () => {
    let fixture: Fixture;
    let n = 0;
    before(async () => {
      fixture = await open();
    });
    after(async () => fixture?.close());

    const setup = (options: { maxLinksPerUser?: number; batchSize?: number; owner?: string; now?: () => Date } = {}) => {
      const max = options.maxLinksPerUser ?? 1000;
      const importer = new Importer({ store: fixture.imports, maxEntries: max, now: options.now ?? (() => t0) });
      const manager = new DefaultLinkManager({ store: fixture.links, maxLinksPerUser: max, imports: importer, now: options.now ?? (() => t0) });
      const added: string[] = [];
      const worker = new ImportWorker({
        store: fixture.imports,
        maxLinksPerUser: max,
        batchSize: options.batchSize ?? 200,
        owner: options.owner ?? `worker-${++n}`,
        leaseMs: 60_000,
        now: options.now ?? (() => t0),
        onAdded: (links) => added.push(...links.map((link) => link.url)),
      });
      return { manager, worker, added };
    };
    const user = () => `importer${++n}`;
    const allLinks = async (manager: DefaultLinkManager, username: string) => {
      const found = [];
      let startToken: string | undefined;
      do {
        const page = await manager.getLinks({ username, limit: 100, ...(startToken && { startToken }) });
        found.push(...page.links);
        startToken = page.nextPageToken || undefined;
      } while (startToken);
      return found;
    };

    test('new links keep their dates, get the option tags and privacy, and make no news', async () => {
      const { manager, worker, added } = setup();
      const username = user();
      const before = (await fixture.events()).length;
      const id = await manager.startImport({
        username,
        entries: [...entries(3), { url: 'https://example.com/private', title: 'Mine', tags: ['a'], private: true, description: 'kept' }],
        private: false,
        tags: ['from-file'],
      });
      assert.equal((await manager.getImport(username, id)).state, 'running');
      await worker.drain();
      const status = await manager.getImport(username, id);
      assert.deepEqual(
        { state: status.state, total: status.total, processed: status.processed, imported: status.imported, updated: status.updated, skipped: status.skipped },
        { state: 'done', total: 4, processed: 4, imported: 4, updated: 0, skipped: 0 },
      );
      assert.deepEqual(added.sort(), ['https://example.com/0', 'https://example.com/1', 'https://example.com/2', 'https://example.com/private']);
      const links = await allLinks(manager, username);
      const first = links.find((link) => link.url === 'https://example.com/0')!;
      assert.equal(first.createdAt.toISOString(), '2020-01-01T00:00:00.000Z');
      assert.equal(first.updatedAt.toISOString(), '2020-01-01T01:00:00.000Z');
      assert.deepEqual(first.tags, ['imported', 'from-file']);
      assert.equal(first.status, 'pending');
      const mine = links.find((link) => link.url === 'https://example.com/private')!;
      assert.equal(mine.private, true);
      assert.equal(mine.description, 'kept');
      assert.equal(await manager.countPublicLinks(username), 3, 'public links counted like any link');
      assert.equal((await fixture.events()).length, before, 'an import makes no news');
    });

    test('private=true makes every new link private', async () => {
      const { manager, worker } = setup();
      const username = user();
      await manager.startImport({ username, entries: entries(2), private: true });
      await worker.drain();
      assert.ok((await allLinks(manager, username)).every((link) => link.private));
      assert.equal(await manager.countPublicLinks(username), 0);
    });

    test('a re-import duplicates nothing; an existing link gains tags and a missing description only', async () => {
      const { manager, worker } = setup();
      const username = user();
      await manager.addLink({ username, url: 'https://example.com/1', title: 'My own title', description: '', tags: ['mine'], private: true });
      await manager.addLink({ username, url: 'https://example.com/2', title: 'Two', description: 'my words', tags: [] });
      const file = entries(3).map((entry) => ({ ...entry, description: 'from the file' }));
      const first = await manager.startImport({ username, entries: file });
      await worker.drain();
      const status = await manager.getImport(username, first);
      assert.deepEqual([status.imported, status.updated, status.unchanged, status.skipped], [1, 2, 0, 0]);
      const links = await allLinks(manager, username);
      assert.equal(links.length, 3);
      const one = links.find((link) => link.url === 'https://example.com/1')!;
      assert.deepEqual(one.tags, ['mine', 'imported']);
      assert.equal(one.title, 'My own title', 'title never overwritten');
      assert.equal(one.description, 'from the file', 'an empty description is filled');
      assert.equal(one.private, true, 'privacy untouched');
      const two = links.find((link) => link.url === 'https://example.com/2')!;
      assert.equal(two.description, 'my words', 'a description is never replaced');

      const again = await manager.startImport({ username, entries: file });
      await worker.drain();
      const second = await manager.getImport(username, again);
      assert.deepEqual([second.state, second.imported, second.updated, second.unchanged, second.processed], ['done', 0, 0, 3, 3]);
      assert.equal((await allLinks(manager, username)).length, 3);
    });

    test('a bad entry is an error and never fails the rest; the file reader’s skips are recorded', async () => {
      const { manager, worker } = setup();
      const username = user();
      const id = await manager.startImport({
        username,
        entries: [
          ...entries(2),
          { url: 'ftp://example.com/file', title: 'ftp' },
          { url: 'https://example.com/ctl', title: 'bad\u0001title' },
          { url: 'https://example.com/tags', title: 't', tags: ['has space'] },
          { url: 'https://example.com/date', title: 'd', createdAt: new Date('nope') },
        ],
        skipped: [{ url: 'mailto:someone@example.com', reason: 'not an http or https URL: mailto' }],
      });
      await worker.drain();
      const status = await manager.getImport(username, id);
      assert.equal(status.state, 'done');
      assert.equal(status.total, 7);
      assert.equal(status.imported, 3, 'the two good ones, and the spaced tag split in two');
      assert.equal(status.skipped, 4);
      assert.equal(status.processed, 7);
      const byUrl = new Map(status.errors.map((error) => [error.url, error.err]));
      assert.match(byUrl.get('mailto:someone@example.com')!, /mailto/);
      assert.match(byUrl.get('ftp://example.com/file')!, /http or https/);
      assert.match(byUrl.get('https://example.com/ctl')!, /control characters/);
      assert.match(byUrl.get('https://example.com/date')!, /created_at/);
    });

    test('entries past the link limit are errors', async () => {
      const { manager, worker } = setup({ maxLinksPerUser: 3, batchSize: 2 });
      const username = user();
      await manager.addLink({ username, url: 'https://example.com/own', title: 'own' });
      const id = await manager.startImport({ username, entries: entries(3) });
      await worker.drain();
      const status = await manager.getImport(username, id);
      assert.deepEqual([status.imported, status.skipped], [2, 1]);
      assert.deepEqual(status.errors.map((error) => error.err), ['link limit reached']);
      assert.equal((await allLinks(manager, username)).length, 3);
    });

    test("another user's import, or no such import, is not found", async () => {
      const { manager, worker } = setup();
      const owner = user();
      const id = await manager.startImport({ username: owner, entries: entries(1) });
      await assert.rejects(manager.getImport(user(), id), NotFoundError);
      await assert.rejects(manager.getImport(owner, 'not-a-uuid'), NotFoundError);
      await assert.rejects(manager.getImport(owner, '00000000-0000-4000-8000-000000000000'), NotFoundError);
      await assert.rejects(manager.startImport({ username: owner, entries: [] }), ValidationError);
      await assert.rejects(manager.startImport({ username: owner, entries: entries(1), tags: ['x'.repeat(65)] }), ValidationError);
      await worker.drain();
    });

    test('a job stopped midway completes after a restart: committed batches stay, nothing is repeated', async () => {
      let clock = t0;
      const now = () => clock;
      const first = setup({ batchSize: 2, owner: 'replica-a', now });
      const username = user();
      const id = await first.manager.startImport({ username, entries: entries(5) });
      // Replica A claims the job and commits one batch, then dies without giving the lease back.
      const claimed = await fixture.imports.claimImport('replica-a', clock, new Date(clock.getTime() + 60_000));
      assert.equal(claimed, id);
      const batch = await fixture.imports.runBatch(id, 'replica-a', { size: 2, maxLinksPerUser: 1000, now: clock, leaseUntil: new Date(clock.getTime() + 60_000), merge: mergeInto });
      assert.equal(batch.kind, 'progress');
      const midway = await first.manager.getImport(username, id);
      assert.deepEqual([midway.state, midway.processed, midway.imported], ['running', 2, 2]);
      assert.equal((await allLinks(first.manager, username)).length, 2, 'the committed batch is there');

      // While A's lease holds, nobody else takes the job.
      const second = setup({ batchSize: 2, owner: 'replica-b', now });
      assert.equal(await second.worker.runOne(), 'none');
      // After it lapses, B goes on at the next batch.
      clock = new Date(t0.getTime() + 61_000);
      assert.equal(await second.worker.runOne(), 'done');
      const status = await second.manager.getImport(username, id);
      assert.deepEqual([status.state, status.processed, status.imported, status.unchanged], ['done', 5, 5, 0]);
      const links = await allLinks(second.manager, username);
      assert.deepEqual(links.map((link) => link.url).sort(), entries(5).map((entry) => entry.url).sort());
      // A, back, has lost the job: its batch is refused.
      assert.equal((await fixture.imports.runBatch(id, 'replica-a', { size: 2, maxLinksPerUser: 1000, now: clock, leaseUntil: clock, merge: mergeInto })).kind, 'lost');
    });

    test('a batch that keeps failing fails its job, with why, after three tries; committed batches stay', async () => {
      let clock = t0;
      const { manager } = setup({ now: () => clock });
      const username = user();
      const id = await manager.startImport({ username, entries: entries(4) });
      let calls = 0;
      // The second batch fails every time (a database refusing it, say).
      const flaky: ImportStore = Object.assign(Object.create(fixture.imports) as ImportStore, {
        runBatch: (jobId: string, owner: string, rules: Parameters<ImportStore['runBatch']>[2]) => {
          calls++;
          return calls === 1 ? fixture.imports.runBatch(jobId, owner, rules) : Promise.reject(new Error('disk full'));
        },
      });
      const worker = new ImportWorker({ store: flaky, maxLinksPerUser: 1000, batchSize: 2, owner: 'flaky', leaseMs: 1000, now: () => clock, onError: () => {} });
      assert.equal(await worker.runOne(), 'lost');
      assert.equal(await worker.runOne(), 'none', 'not again before the lease lapses');
      clock = new Date(clock.getTime() + 2000);
      assert.equal(await worker.runOne(), 'lost');
      clock = new Date(clock.getTime() + 2000);
      assert.equal(await worker.runOne(), 'failed');
      const status = await manager.getImport(username, id);
      assert.deepEqual([status.state, status.failure, status.processed, status.imported], ['failed', 'disk full', 2, 2]);
      assert.equal((await allLinks(manager, username)).length, 2);
      assert.equal(await worker.runOne(), 'none', 'a failed job is not taken again');
    });

    test('a worker stopping gives the job back at a batch boundary; another goes on at once', async () => {
      const a = setup({ batchSize: 2, owner: 'stopper' });
      const username = user();
      const id = await a.manager.startImport({ username, entries: entries(5) });
      assert.equal(await a.worker.runOne(1), 'stopped');
      assert.equal((await a.manager.getImport(username, id)).processed, 2);
      const b = setup({ batchSize: 2, owner: 'resumer' });
      assert.equal(await b.worker.runOne(), 'done');
      const status = await b.manager.getImport(username, id);
      assert.deepEqual([status.processed, status.imported], [5, 5]);
      assert.equal((await allLinks(b.manager, username)).length, 5);
    });
  });
}
