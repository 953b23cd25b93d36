/**
 * Issue 15's round trip through the API: GET /v1/export from one user, POST /v1/import of that
 * file into a fresh user, and the second user has the same links, tags, privacy, read-later
 * flags, dates and descriptions, for each importable format (Netscape to the second, as the
 * format counts seconds, and a URL saved with characters a URI may not hold comes back as a
 * browser encodes it: docs/design.md §19 A). Then a second import of the same file changes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DefaultLinkManager, Importer, ImportWorker, MemoryImportStore, MemoryLinkStore } from '@delinkcious/link-service';
import { startGateway, type GatewayHarness } from './support/harness.ts';

interface WireLink {
  Url: string;
  Title: string;
  Description: string;
  Tags: Record<string, boolean>;
  Private: boolean;
  Unread: boolean;
  CreatedAt: string;
  UpdatedAt: string;
}

describe('export, then import into a fresh user', () => {
  let gateway: GatewayHarness;
  let worker: ImportWorker;
  let source: string;
  before(async () => {
    const store = new MemoryLinkStore();
    const imports = new MemoryImportStore(store);
    worker = new ImportWorker({ store: imports, maxLinksPerUser: 1000 });
    const links = new DefaultLinkManager({ store, maxLinksPerUser: 1000, imports: new Importer({ store: imports, maxEntries: 1000, onStarted: () => worker.notify() }) });
    gateway = await startGateway({ links });
    source = await gateway.signIn('origin');
    const add = (fields: Record<string, unknown>) => gateway.links.addLink({ username: 'origin', title: 'Title', ...fields } as never);
    await add({ url: 'https://example.com/plain', title: 'Plain', createdAt: new Date('2019-03-04T05:06:07Z') });
    await add({
      url: 'https://example.com/rich?q=1&r=<2>',
      title: 'Rich & <odd> "title"',
      description: 'Two lines,\nwith <markup> & "quotes"',
      tags: ['web-dev', 'c++', 'ünï'],
      private: true,
      unread: true,
      createdAt: new Date('2010-01-02T03:04:05Z'),
    });
    await add({ url: 'https://例え.example/パス', title: '😀 unicode', tags: ['emoji'], createdAt: new Date('2015-06-07T08:09:10Z') });
    for (let i = 0; i < 120; i++) await add({ url: `https://example.org/${i}`, title: `Bulk ${i}`, tags: ['bulk'], createdAt: new Date(Date.UTC(2020, 0, 1, 0, i)) });
  });
  after(async () => {
    await worker.stop();
    await gateway?.close();
  });

  async function allLinks(token: string): Promise<WireLink[]> {
    const links: WireLink[] = [];
    let start = '';
    do {
      const page = await gateway.call('GET', '/v1/links', { token, query: { limit: '100', ...(start && { start_token: start }) } });
      assert.equal(page.status, 200, page.text);
      links.push(...page.body.links);
      start = page.body.next_page_token;
    } while (start);
    return links.sort((a, b) => (a.Url < b.Url ? -1 : 1));
  }

  const byUrl = (a: { url: string }, b: { url: string }) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0);

  async function importFile(token: string, file: string, contentType: string) {
    const started = await gateway.call('POST', '/v1/import', { token, body: file, headers: { 'content-type': contentType } });
    assert.equal(started.status, 202, started.text);
    for (let i = 0; i < 200; i++) {
      const status = await gateway.call('GET', `/v1/imports/${started.body.import_id}`, { token });
      if (status.body.state !== 'running') return status.body;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('the import did not finish');
  }

  /** The two URLs saved with characters a URI may not hold, as a Netscape file brings them back. */
  const browserEncoded: Record<string, string> = {
    'https://example.com/rich?q=1&r=<2>': 'https://example.com/rich?q=1&r=%3C2%3E',
    'https://xn--r8jz45g.example/パス': 'https://xn--r8jz45g.example/%E3%83%91%E3%82%B9',
  };

  const what = (link: WireLink, netscape: boolean) => {
    const date = (text: string) => (netscape ? new Date(Math.floor(Date.parse(text) / 1000) * 1000).toISOString() : text);
    return {
      url: netscape ? (browserEncoded[link.Url] ?? link.Url) : link.Url,
      title: link.Title,
      description: link.Description,
      tags: Object.keys(link.Tags),
      private: link.Private,
      unread: link.Unread,
      createdAt: date(link.CreatedAt),
      updatedAt: date(link.UpdatedAt),
    };
  };

  for (const [format, contentType, netscape] of [
    ['json', 'application/json', false],
    ['netscape', 'text/html', true],
  ] as const) {
    test(`${format}: the same links come back, and importing the file again changes nothing`, async () => {
      const original = await allLinks(source);
      assert.equal(original.length, 123);
      const file = await gateway.call('GET', '/v1/export', { token: source, query: { format } });
      assert.equal(file.status, 200);

      const token = await gateway.signIn(`copy-${format}`);
      const first = await importFile(token, file.text, contentType);
      assert.deepEqual([first.state, first.imported, first.skipped], ['done', 123, 0], JSON.stringify(first.errors));
      const copy = await allLinks(token);
      assert.deepEqual(copy.map((link) => what(link, false)).sort(byUrl), original.map((link) => what(link, netscape)).sort(byUrl));

      const again = await importFile(token, file.text, contentType);
      assert.deepEqual([again.state, again.imported, again.updated, again.unchanged], ['done', 0, 0, 123]);
      assert.deepEqual(await allLinks(token), copy);
    });
  }
});
