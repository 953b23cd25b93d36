/**
 * A redis-server of the test's own, without persistence (`--save '' --appendonly no`),
 * so a test can kill it and start it again empty, as a Redis without a volume
 * would come back, without touching the machine's shared Redis.
 */
import { freePort } from './process.ts';
import { isRunning, killProcess, stopProcess } from './registry.ts';
import { findBinary, serverBinary, spawnServer, type ServerBinary, type ServerProcess } from './server-binary.ts';
import { GiveUp, waitFor } from './wait.ts';

const notInstalled = 'redis-server is not installed (PATH or REDIS_SERVER_BIN)';

/** Where redis-server is, or why tests needing it are skipped (with DELINKCIOUS_REQUIRE_SERVICES=1 they fail). */
export function redisServerBinary(): ServerBinary {
  return serverBinary(findBinary('redis-server', [process.env.REDIS_SERVER_BIN]), notInstalled);
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
  let current: ServerProcess | undefined;
  const start = async () => {
    if (current && isRunning(current.child)) return;
    current = spawnServer(binary, ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'], 10_000);
    const { child, output } = current;
    await waitFor(
      () => {
        if (!isRunning(child)) throw new GiveUp(`redis-server exited: ${output().slice(-1000)}`);
        return /Ready to accept connections/.test(output());
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
