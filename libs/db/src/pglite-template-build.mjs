/**
 * Child process of pglite-template.ts: runs initdb once and leaves the new cluster at `<dir>`
 * (a folder, copied for a new database on disk) and `<dir>.tar.gz` (loaded for one in memory), each
 * put in place by rename, so a reader never sees half of one.
 *
 *   node pglite-template-build.mjs <dir> '<initdb parameters as a JSON array>'
 *
 * Plain JavaScript: it runs where tsx may not be installed (the container image's bundle).
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

const [dir, params] = process.argv.slice(2);
if (!dir || !params) {
  console.error('usage: node pglite-template-build.mjs <dir> <initdb parameters as JSON>');
  process.exit(2);
}
mkdirSync(dirname(dir), { recursive: true });
const partial = `${dir}.${process.pid}.partial`;
rmSync(partial, { recursive: true, force: true });
const pg = await PGlite.create(partial, { initDbStartParams: JSON.parse(params) });
// A checkpoint first: a copy then has no WAL to replay.
await pg.exec('CHECKPOINT');
const tarball = await pg.dumpDataDir('gzip');
await pg.close();
writeFileSync(`${partial}.tar.gz`, Buffer.from(await tarball.arrayBuffer()));
renameSync(`${partial}.tar.gz`, `${dir}.tar.gz`);
try {
  renameSync(partial, dir);
} catch (error) {
  // Another process built the same template at the same time: keep its folder.
  if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
  rmSync(partial, { recursive: true, force: true });
}
