/**
 * The embedded process starts without the clients of back-ends it does not use (docs/design.md
 * §13): its services call each other in-process and keep their data in PGlite, so the HTTP client
 * between services (undici), gRPC, NATS, Redis and the PostgreSQL driver are loaded only where a
 * connection to one is made. Loading them took ~0.35 s of a start. This starts the embedded
 * system as `delinkcious start` does and lists the packages it loaded.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { embeddedPorts } from '@delinkcious/testing';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Entry modules of the clients an embedded process must not load. */
const clients = {
  undici: '/node_modules/undici/index.js',
  gRPC: '/node_modules/@grpc/grpc-js/',
  NATS: '/node_modules/@nats-io/',
  ioredis: '/node_modules/ioredis/',
  'the PostgreSQL driver': '/node_modules/pg/lib/client.js',
  'pino-pretty': '/node_modules/pino-pretty/',
};

test('an embedded start loads no client of a back-end it does not use', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'delinkcious-lazy-'));
  try {
    const script = `
      const { start } = await import('./cli/src/start.ts');
      const { lifecycle } = await start([]);
      const { createRequire } = await import('node:module');
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      await lifecycle.close();
      console.log(JSON.stringify(loaded));
    `;
    const env: NodeJS.ProcessEnv = { ...process.env, ...(await embeddedPorts()), DATA_DIR: dataDir, LOG_LEVEL: 'warn', LOG_FORMAT: 'json' };
    for (const name of ['NATS_URL', 'REDIS_URL', 'DATABASE_URL']) delete env[name];
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
    const loaded = JSON.parse(out.trim().split('\n').at(-1)!) as string[];
    assert.ok(loaded.some((file) => file.includes('/node_modules/fastify/')), 'CommonJS packages are seen (fastify served the gateway)');
    const found = Object.entries(clients).filter(([, path]) => loaded.some((file) => file.includes(path)));
    assert.deepEqual(found.map(([name]) => name), []);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
