/**
 * `delinkcious import` (docs/design.md §19 B) on an embedded data directory:
 * counts and skipped reasons printed, a re-import adds nothing, and a bad
 * command line is one line, exit 2.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runDelinkcious } from '@delinkcious/testing';

const dir = mkdtempSync(join(tmpdir(), 'delinkcious-import-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const file = join(dir, 'bookmarks.html');
writeFileSync(
  file,
  `<!DOCTYPE NETSCAPE-Bookmark-file-1>
<TITLE>Bookmarks</TITLE>
<DL><p>
  <DT><H3>Reading</H3>
  <DL><p>
    <DT><A HREF="https://example.com/one" ADD_DATE="1577836800">One</A>
    <DT><A HREF="https://example.com/two" ADD_DATE="1577923200" TAGS="x">Two</A>
  </DL><p>
  <DT><A HREF="javascript:alert(1)">Bookmarklet</A>
</DL>
`,
);

test('import: counts and skipped reasons; a second run imports nothing again', async () => {
  const env = { DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'silent' };
  const first = runDelinkcious(['import', '--user', 'Alice', '--tags', 'moved', file], env);
  assert.equal(await first.exited, 0, first.stderr());
  assert.match(first.stdout(), /read as netscape: 2 links, 1 skipped/);
  assert.match(first.stdout(), /import: done, 3 entries: 2 imported, 0 updated, 0 unchanged, 1 skipped/);
  assert.match(first.stdout(), /skipped javascript:alert\(1\): .*javascript/);

  const again = runDelinkcious(['import', '--user', 'alice', file], env);
  assert.equal(await again.exited, 0, again.stderr());
  assert.match(again.stdout(), /import: done, 3 entries: 0 imported, 0 updated, 2 unchanged, 1 skipped/);
});

test('import without --user or with an unreadable file: one line, exit 2', async () => {
  const env = { DATA_DIR: join(dir, 'unused'), LOG_LEVEL: 'silent' };
  const noUser = runDelinkcious(['import', file], env);
  assert.equal(await noUser.exited, 2);
  assert.equal(noUser.stderr().trim(), 'delinkcious: import needs --user NAME');
  const missing = runDelinkcious(['import', '--user', 'a', join(dir, 'absent.html')], env);
  assert.equal(await missing.exited, 2);
  assert.match(missing.stderr().trim(), /^delinkcious: cannot read .*absent\.html: ENOENT$/);
  const junk = join(dir, 'junk.txt');
  writeFileSync(junk, 'not a bookmark file');
  const unknown = runDelinkcious(['import', '--user', 'a', junk], env);
  assert.equal(await unknown.exited, 2);
  assert.equal(unknown.stderr().trim().split('\n').length, 1);
});
