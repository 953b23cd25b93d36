import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createPglite, initCluster, pgliteTemplate } from '../src/index.ts';

const scratch = mkdtempSync(join(tmpdir(), 'delinkcious-template-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

test('the template is built once, with the initdb parameters, as a folder and a tarball', async () => {
  const dir = join(scratch, 'cache');
  const template = await pgliteTemplate(['--wal-segsize=2'], dir);
  assert.ok(template, 'the template was built');
  assert.ok(existsSync(join(template.folder, 'PG_VERSION')));
  const built = statSync(join(template.folder, 'PG_VERSION')).mtimeMs;
  assert.equal((await pgliteTemplate(['--wal-segsize=2'], dir))?.folder, template.folder);
  assert.equal(statSync(join(template.folder, 'PG_VERSION')).mtimeMs, built, 'not built again');
  // Other parameters, another template: a cluster made with 1 MB segments is not handed out for 2 MB.
  assert.notEqual((await pgliteTemplate(['--wal-segsize=1'], dir))?.folder, template.folder);
});

test('a new database, on disk or in memory, starts from the template: the settings initdb set, and it keeps what it is given', async () => {
  const folder = join(scratch, 'disk');
  const onDisk = await createPglite(folder);
  assert.deepEqual((await onDisk.query('SHOW wal_segment_size')).rows, [{ wal_segment_size: '1MB' }]);
  await onDisk.exec("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('yes')");
  await onDisk.close();
  const reopened = await createPglite(folder);
  assert.deepEqual((await reopened.query('SELECT v FROM kept')).rows, [{ v: 'yes' }]);
  await reopened.close();

  const inMemory = await createPglite('memory://');
  assert.deepEqual((await inMemory.query('SHOW wal_segment_size')).rows, [{ wal_segment_size: '1MB' }]);
  await inMemory.close();
});

test('a copy cut short (no PG_VERSION yet) is completed, not taken for a database', async () => {
  const template = await pgliteTemplate(['--wal-segsize=1']);
  assert.ok(template);
  const folder = join(scratch, 'cut-short');
  cpSync(template.folder, folder, { recursive: true, filter: (source) => !source.endsWith('PG_VERSION') });
  rmSync(join(folder, 'global'), { recursive: true, force: true });
  await initCluster(folder);
  const db = await createPglite(folder);
  assert.deepEqual((await db.query<{ n: number }>('SELECT 1 AS n')).rows, [{ n: 1 }]);
  await db.close();
});

test('a template that cannot be built is no error: the caller runs initdb itself', async () => {
  const notAFolder = join(scratch, 'a-file');
  writeFileSync(notAFolder, '');
  assert.equal(await pgliteTemplate(['--wal-segsize=1'], join(notAFolder, 'cache')), undefined);
});
