/**
 * A redis-server of the test's own, without persistence (`--save '' --appendonly no`),
 * so a test can kill it and start it again empty, as a Redis without a volume
 * would come back, without touching the machine's shared Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { freePort, GiveUp, isRunning, killProcess, stopProcess, trackChild, waitFor } from '@delinkcious/testing';

const notInstalled = 'redis-server is not installed (PATH or REDIS_SERVER_BIN)';

/** Where redis-server is, or why tests needing it are skipped (with DELINKCIOUS_REQUIRE_SERVICES=1 they fail). */
export function redisServerBinary(): { path: string | undefined; skip: string | false } {
  const candidates = [process.env.REDIS_SERVER_BIN, ...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'redis-server'))];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return { path: candidate, skip: false };
    } catch {
      // not there
    }
  }
  if (process.env.DELINKCIOUS_REQUIRE_SERVICES === '1') throw new Error(`DELINKCIOUS_REQUIRE_SERVICES=1 but ${notInstalled}`);
  const skip = `skipped: ${notInstalled}`;
  console.log(`# ${skip}`);
  return { path: undefined, skip };
}

export interface PrivateRedis {
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  /** Starts it (again, empty) on the same port; resolves once it answers. */
  start(): Promise<void>;
  /** Ends it abruptly (SIGKILL): everything it held is gone. */
  kill(): Promise<void>;
  /** Stops it (SIGTERM). */
  stop(): Promise<void>;
}

export async function startPrivateRedis(binary: string): Promise<PrivateRedis> {
  const port = await freePort();
  let current: { child: ChildProcess; exited: Promise<unknown> } | undefined;
  const start = async () => {
    if (current && isRunning(current.child)) return;
    const child = spawn(binary, ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-10_000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const exited = new Promise<unknown>((resolve) => {
      child.once('exit', resolve);
      child.once('error', (error) => {
        output += `\n${error.message}`;
        if (child.pid === undefined) resolve(error);
      });
    });
    current = { child, exited };
    trackChild(current);
    await waitFor(
      () => {
        if (!isRunning(child)) throw new GiveUp(`redis-server exited: ${output.slice(-1000)}`);
        return /Ready to accept connections/.test(output);
      },
      { what: `redis-server on port ${port} to be ready`, timeoutMs: 30_000, intervalMs: 50 },
    );
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    kill: async () => {
      if (current) await killProcess(current);
    },
    stop: async () => {
      if (current) await stopProcess(current, 5_000);
    },
  };
}
