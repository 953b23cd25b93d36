/**
 * Baselines measured in the same run as the system, so figures are ratios and
 * survive a noisy machine: the bare-Node HTTP ceiling, the raw PostgreSQL rate
 * of the page query, and the raw Redis pipeline rate of feed writes.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import Redis from 'ioredis';
import { load, type LoadResult } from './load.ts';

/** A bare node:http server answering `body` (the same bytes as a page of links): the ceiling for any Node HTTP service here. */
export async function bareNodeCeiling(body: string, durationSeconds: number): Promise<LoadResult> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await load({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, durationSeconds });
  } finally {
    server.close();
  }
}

/** Page queries per second straight through `pg`, with the services' pool size and the same concurrency. */
export async function rawPostgresPageRate(databaseUrl: string, username: string, durationSeconds: number, poolSize = 10): Promise<number> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  // The database is dropped (WITH FORCE) right after; a connection still closing then must not end the run.
  pool.on('error', () => undefined);
  // A page as link-service reads it: the links and their health (migration 018).
  const query = `SELECT l.id, l.username, l.url, l.title, l.description, l.tags, h.status, h.checked_at, l.created_at, l.updated_at
                 FROM links l LEFT JOIN link_health h ON h.link_id = l.id WHERE l.username = $1 ORDER BY l.id DESC LIMIT 11`;
  let done = 0;
  const deadline = Date.now() + durationSeconds * 1000;
  const worker = async () => {
    while (Date.now() < deadline) {
      await pool.query(query, [username]);
      done++;
    }
  };
  await Promise.all(Array.from({ length: poolSize }, worker));
  await pool.end();
  return Math.round(done / durationSeconds);
}

/** Feed items written per second with pipelined ZADD + ZREMRANGEBYRANK, as a fan-out writes them. */
export async function rawRedisFeedWriteRate(redisUrl: string, followers: number, rounds: number): Promise<number> {
  const redis = new Redis(redisUrl);
  const prefix = `bench:${Date.now()}:`;
  const started = performance.now();
  for (let round = 0; round < rounds; round++) {
    const pipeline = redis.pipeline();
    for (let i = 0; i < followers; i++) {
      pipeline.zadd(`${prefix}feed:f${i}`, Date.now(), `item-${round}`);
      pipeline.zremrangebyrank(`${prefix}feed:f${i}`, 0, -1001);
    }
    await pipeline.exec();
  }
  const seconds = (performance.now() - started) / 1000;
  const keys = await redis.keys(`${prefix}*`);
  for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
  await redis.quit();
  return Math.round((followers * rounds) / seconds);
}
