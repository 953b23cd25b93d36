/**
 * `delinkcious export` (docs/design.md §19 A) on an embedded data directory: every one of the
 * user's links in each format, to stdout or to a file (written whole or not at all), and a bad
 * command line is one line, exit 2.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseBookmarkFile } from '@delinkcious/bookmark-files';
import { openServiceDatabase } from '@delinkcious/db';
import { createLogger } from '@delinkcious/kit';
import { DefaultLinkManager, SqlLinkStore, migrationsDir } from '@delinkcious/link-service';
import { runDelinkcious } from '@delinkcious/testing';

const dir = mkdtempSync(join(tmpdir(), 'delinkcious-export-'));
const dataDir = join(dir, 'data');
const env = { DATA_DIR: dataDir, LOG_LEVEL: 'silent' };

describe('delinkcious export', () => {
  before(async () => {
    const logger = createLogger('export-test');
    logger.level = 'silent';
    const db = await openServiceDatabase({ database: 'link_manager', dataDir }, migrationsDir, logger);
    try {
      const links = new DefaultLinkManager({ store: new SqlLinkStore(db), maxLinksPerUser: 1000 });
      // More than one page (100), so the export pages through them.
      for (let i = 0; i < 130; i++) {
        await links.addLink({ username: 'alice', url: `https://example.com/${i}`, title: `Link ${i}`, tags: ['bulk'], createdAt: new Date(Date.UTC(2020, 0, 1, 0, i)) });
      }
      await links.addLink({ username: 'alice', url: 'https://example.com/secret', title: 'Secret', description: 'Mine', tags: ['a', 'b'], private: true });
      await links.addLink({ username: 'bob', url: 'https://example.com/bob', title: 'Bob\'s' });
    } finally {
      await db.close();
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('json to stdout: every one of the user\'s links, private included, none of anyone else\'s', async () => {
    const run = runDelinkcious(['export', '--user', 'Alice', '--format', 'json'], env);
    assert.equal(await run.exited, 0, run.stderr());
    const parsed = parseBookmarkFile(run.stdout(), 'delinkcious');
    assert.equal(parsed.entries.length, 131);
    assert.equal(new Set(parsed.entries.map((e) => e.url)).size, 131);
    assert.ok(!parsed.entries.some((e) => e.url === 'https://example.com/bob'));
    const secret = parsed.entries.find((e) => e.url === 'https://example.com/secret');
    assert.deepEqual([secret?.private, secret?.description, secret?.tags], [true, 'Mine', ['a', 'b']]);
    assert.deepEqual(parsed.entries.find((e) => e.url === 'https://example.com/7')?.createdAt, new Date(Date.UTC(2020, 0, 1, 0, 7)));
    assert.match(run.stderr(), /export: 131 links of alice written \(json\)/);
  });

  test('netscape and csv to a file: complete, and no partial file left', async () => {
    const html = join(dir, 'alice.html');
    const run = runDelinkcious(['export', '--user', 'alice', '--format', 'netscape', '--output', html], env);
    assert.equal(await run.exited, 0, run.stderr());
    assert.match(run.stdout(), /export: 131 links of alice written to .*alice\.html \(netscape\)/);
    const parsed = parseBookmarkFile(readFileSync(html), 'auto');
    assert.equal(parsed.format, 'netscape');
    assert.equal(parsed.entries.length, 131);
    assert.equal(parsed.entries.find((e) => e.url === 'https://example.com/secret')?.private, true);

    const csv = join(dir, 'alice.csv');
    const csvRun = runDelinkcious(['export', '--user', 'alice', '--format', 'csv', '-o', csv], env);
    assert.equal(await csvRun.exited, 0, csvRun.stderr());
    const lines = readFileSync(csv, 'utf8').split('\r\n');
    assert.match(lines[0]!, /^url,title,description,tags,private,/);
    assert.equal(lines.length, 133, 'the header, 131 rows and the final line break');
    assert.deepEqual(readdirSync(dir).filter((name) => name.endsWith('.partial')), []);
  });

  test('a bad command line or no data: one line on stderr, exit 2, no file', async () => {
    const noUser = runDelinkcious(['export', '--format', 'json'], env);
    assert.equal(await noUser.exited, 2);
    assert.equal(noUser.stderr().trim(), 'delinkcious: export needs --user NAME');
    const noFormat = runDelinkcious(['export', '--user', 'alice'], env);
    assert.equal(await noFormat.exited, 2);
    assert.equal(noFormat.stderr().trim(), 'delinkcious: export needs --format netscape|json|csv');
    const badFormat = runDelinkcious(['export', '--user', 'alice', '--format', 'xml'], env);
    assert.equal(await badFormat.exited, 2);
    assert.equal(badFormat.stderr().trim(), 'delinkcious: --format must be one of netscape, json, csv');
    const out = join(dir, 'none.json');
    const noData = runDelinkcious(['export', '--user', 'alice', '--format', 'json', '--output', out], { DATA_DIR: join(dir, 'empty'), LOG_LEVEL: 'silent' });
    assert.equal(await noData.exited, 2);
    assert.match(noData.stderr().trim(), /^delinkcious: export: no embedded database under DATA_DIR/);
    assert.equal(existsSync(out), false);
  });
});
