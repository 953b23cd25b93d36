/**
 * Embedded, the services call each other in-process: only the gateway listens,
 * unless EMBEDDED_INTERNAL_PORTS=true opens the internal ports for debugging.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { embeddedPorts, localSignIn, runDelinkcious, waitFor, type RunningCommand } from '@delinkcious/testing';

const dir = mkdtempSync(join(tmpdir(), 'delinkcious-ports-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const canList = existsSync('/proc/net/tcp');

/** The TCP ports process `pid` listens on (Linux: its socket inodes matched against /proc/net/tcp{,6}). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // closed while we looked
    }
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [local, state, inode] = [fields[1]!, fields[3], fields[9]!];
      if (state === '0A' && inodes.has(inode)) ports.add(parseInt(local.split(':').at(-1)!, 16));
    }
  }
  return [...ports].sort((a, b) => a - b);
}

async function startedAndReady(env: Record<string, string>): Promise<RunningCommand> {
  const run = runDelinkcious(['start'], { DATA_DIR: join(dir, 'data'), DEV_LOGIN: 'true', LOG_LEVEL: 'silent', ...env });
  const [, url] = await run.waitFor(/running at (\S+)/, 90_000);
  // The gateway's /readyz answers for every service of the process.
  await waitFor(async () => (await fetch(`${url}/readyz`)).status, { what: 'the gateway to be ready', until: (status) => status === 200, timeoutMs: 60_000 });
  return run;
}

async function stop(run: RunningCommand): Promise<void> {
  run.child.kill('SIGTERM');
  assert.equal(await run.exited, 0);
}

test('an embedded start listens on the gateway\'s port only', { skip: !canList && 'needs /proc/net/tcp' }, async () => {
  const ports = await embeddedPorts();
  const run = await startedAndReady(ports);
  try {
    assert.deepEqual(listeningPorts(run.child.pid!), [Number(ports.PORT)]);
    const token = await localSignIn(`http://127.0.0.1:${ports.PORT}`, 'alice');
    const saved = await fetch(`http://127.0.0.1:${ports.PORT}/v1/links`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'access-token': token },
      body: JSON.stringify({ url: 'https://in-process.example/', title: 'in process' }),
    });
    assert.equal(saved.status, 200, 'the gateway reaches link-service without its port');
  } finally {
    await stop(run);
  }
});

test('EMBEDDED_INTERNAL_PORTS=true also opens every internal port', { skip: !canList && 'needs /proc/net/tcp' }, async () => {
  const ports = await embeddedPorts();
  const run = await startedAndReady({ ...ports, EMBEDDED_INTERNAL_PORTS: 'true' });
  try {
    assert.deepEqual(listeningPorts(run.child.pid!), Object.values(ports).map(Number).sort((a, b) => a - b));
    const internal = await fetch(`http://127.0.0.1:${ports.LINK_MANAGER_SERVICE_PORT}/readyz`);
    assert.equal(internal.status, 200);
  } finally {
    await stop(run);
  }
});
