/** The raw PostgreSQL baseline: link-service's own table and page query, straight through `pg`, on a database of its own. */
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadMigrations, migrate, openPostgres } from '@delinkcious/db';
import { createTemporaryDatabase } from '@delinkcious/testing';
import { rawPostgresPageRate } from './baselines.ts';

const linkMigrations = fileURLToPath(new URL('../services/link-service/migrations', import.meta.url));

export async function rawPostgresBaseline(serverUrl: string, links: number, seconds: number): Promise<number> {
  const temp = await createTemporaryDatabase(serverUrl, 'bench_raw');
  try {
    const db = await openPostgres({ url: temp.url, label: 'bench' });
    await migrate(db, await loadMigrations(linkMigrations));
    await db.close();
    const client = new pg.Client({ connectionString: temp.url });
    await client.connect();
    await client.query(
      `INSERT INTO links (username, url, title, tags, created_at, updated_at)
       SELECT 'reader', 'https://seed.example/' || i, 'Seed ' || i, ARRAY['bench'], now(), now() FROM generate_series(1, $1) AS i`,
      [links],
    );
    await client.query('ANALYZE links');
    await client.end();
    return await rawPostgresPageRate(temp.url, 'reader', seconds);
  } finally {
    await temp.drop();
  }
}
