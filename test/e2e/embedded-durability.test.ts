/**
 * The embedded process keeps every write it answered: links saved (many at once,
 * as a busy user would), the process killed with SIGKILL the moment the last
 * 200 arrives (no shutdown, nothing flushed), and a restart on the same DATA_DIR
 * lists every one of them; the one embedded database also holds the sessions.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startEmbedded } from '@delinkcious/testing';

const dataDir = mkdtempSync(join(tmpdir(), 'delinkcious-durable-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

const saved = 40;
const env = { DATA_DIR: dataDir, RATE_LIMIT_PER_MINUTE: '0' };

test(`${saved} links answered 200 survive kill -9 right after the last answer`, async () => {
  const first = await startEmbedded({ extraEnv: env });
  let token: string;
  try {
    token = await first.signIn('keeper');
    const answers = await Promise.all(
      Array.from({ length: saved }, (_, n) =>
        fetch(`${first.baseUrl}/v1/links`, {
          method: 'POST',
          headers: { 'access-token': token, 'content-type': 'application/json' },
          body: JSON.stringify({ url: `https://kept.example/${n}`, title: `kept ${n}`, tags: 'durable' }),
        }).then((response) => response.status),
      ),
    );
    const [pid] = first.pids();
    process.kill(pid!, 'SIGKILL');
    assert.deepEqual(answers, Array(saved).fill(200));
  } finally {
    await first.stop();
  }

  assert.deepEqual(readdirSync(dataDir).filter((name) => !name.startsWith('.')).sort(), ['pglite'], 'one embedded database, no folder per service');
  const second = await startEmbedded({ extraEnv: env });
  try {
    // The session token of before the kill still signs in: user-service's rows survived too.
    const response = await fetch(`${second.baseUrl}/v1/links?limit=100`, { headers: { 'access-token': token } });
    assert.equal(response.status, 200);
    const page = (await response.json()) as { links: Array<{ Url: string }> };
    const urls = new Set(page.links.map((link) => link.Url));
    const missing = Array.from({ length: saved }, (_, n) => `https://kept.example/${n}`).filter((url) => !urls.has(url));
    assert.deepEqual(missing, []);
    assert.ok(existsSync(join(dataDir, 'pglite', 'PG_VERSION')));
  } finally {
    await second.stop();
  }
});
