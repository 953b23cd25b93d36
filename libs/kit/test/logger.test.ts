import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

test('a logged error that wraps another shows the root cause', () => {
  const fixture = fileURLToPath(new URL('./support/log-wrapped-error.ts', import.meta.url));
  const run = spawnSync(process.execPath, ['--import', 'tsx', fixture], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const line = JSON.parse(run.stderr.trim().split('\n').at(-1)!) as { err: { type: string; message: string; stack: string } };
  assert.equal(line.err.type, 'UnavailableError');
  assert.match(line.err.message, /database is unavailable: connect ECONNREFUSED/);
  assert.match(line.err.stack, /caused by: Error: connect ECONNREFUSED/);
});
