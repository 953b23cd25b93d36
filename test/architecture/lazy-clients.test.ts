/**
 * The embedded process starts without the clients of back-ends it does not use (docs/design.md
 * §13): loading ioredis took ~0.1 s of a start. The modules that talk to Redis load it only
 * when REDIS_URL is set; this checks that importing them does not.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('importing the gateway and the news store loads no Redis client', () => {
  const script = `
    await import('./services/api-gateway/src/gateway.ts');
    await import('./services/news-service/src/stores/open.ts');
    const { createRequire } = await import('node:module');
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify({ modules: loaded.length, ioredis: loaded.filter((file) => file.includes('/node_modules/ioredis/')).length }));
  `;
  const out = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' })) as {
    modules: number;
    ioredis: number;
  };
  assert.ok(out.modules > 0, 'CommonJS modules were loaded and are seen');
  assert.equal(out.ioredis, 0);
});
