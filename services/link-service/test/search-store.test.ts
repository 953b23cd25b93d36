/** The search contract (docs/design.md §14) against memory, PGlite and PostgreSQL. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import * as delinkciousDb from '@delinkcious/db';
import { searchFold } from '@delinkcious/object-model';
import { storeDatabases } from '@delinkcious/testing';
import { migrationsDir } from '../src/main.ts';
import { MemoryLinkStore } from '../src/stores/memory-link-store.ts';
import { SqlLinkStore } from '../src/stores/sql-link-store.ts';
import { searchContract } from './support/search-contract.ts';

const databases = await storeDatabases({ db: delinkciousDb, migrationsDir, label: 'link_manager', prefix: 'test_search' });

searchContract('memory', async () => ({ store: new MemoryLinkStore(), events: async () => [], close: async () => {} }), { sql: false });
for (const { name, skip, open } of databases) {
  searchContract(
    name,
    async () => {
      const { db, close } = await open();
      return { store: new SqlLinkStore(db), events: async () => [], close };
    },
    { skip, sql: true },
  );
}

test('migration 007 folds with the same table as searchFold', async () => {
  const sql = await readFile(join(migrationsDir, '007_search.sql'), 'utf8');
  const quoted = (text: string) => `'${text.replaceAll("'", "''")}'`;
  assert.ok(sql.includes(`translate(t,\n    ${quoted(searchFold.from)},\n    ${quoted(searchFold.to)})`), 'letters');
  assert.ok(sql.includes(`${quoted(searchFold.punctuation)}, ${quoted(' '.repeat(searchFold.punctuation.length))}`), 'punctuation');
});
