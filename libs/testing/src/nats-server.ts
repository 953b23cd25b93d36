/**
 * A private nats-server with JetStream, for a deployment whose events must
 * not share a stream or a durable consumer with any other run: its own free
 * port on 127.0.0.1 and its own store directory.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { freePort } from './process.ts';
import { isRunning, killProcess, stopProcess } from './registry.ts';
import { findBinary, serverBinary, spawnServer, type ServerBinary, type ServerProcess } from './server-binary.ts';
import { GiveUp, waitFor } from './wait.ts';

const notInstalled = 'nats-server is not installed (/usr/sbin/nats-server, PATH, or NATS_SERVER_BIN)';

/** Where nats-server is: NATS_SERVER_BIN, /usr/sbin/nats-server, or on PATH; undefined when nowhere. */
export function findNatsServer(): string | undefined {
  return findBinary('nats-server', [process.env.NATS_SERVER_BIN, '/usr/sbin/nats-server']);
}

export type NatsServerBinary = ServerBinary;

export function natsServerBinary(): NatsServerBinary {
  return serverBinary(findNatsServer(), notInstalled);
}

function tcpOpen(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: timeoutMs });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
  });
}

export interface NatsServer {
  /** nats://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** JetStream's store directory: kept across stop() and start(), removed by remove(). */
  readonly storeDir: string;
  readonly running: boolean;
  /** Its PID while running. */
  readonly pid: number | undefined;
  /** Starts it (again) on the same port and store; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it (SIGTERM); the store stays. */
  stop(): Promise<void>;
  /** Ends it abruptly (SIGKILL), as a crash would; the store stays. */
  kill(): Promise<void>;
  /** Empties the store while it is stopped, so the next start() has no stream: NATS back without its volume. */
  emptyStore(): void;
  /** Stops it and deletes its store. */
  remove(): Promise<void>;
}

/** A nats-server with JetStream of its own, on 127.0.0.1 and a free port, its store under `storeDir`. */
export async function startNatsServer(options: {
  binary?: string;
  storeDir: string;
  startTimeoutMs?: number;
  /** More nats-server arguments, e.g. `--user`/`--pass` for a server that requires them. */
  extraArgs?: string[];
}): Promise<NatsServer> {
  const binary = options.binary ?? findNatsServer();
  if (!binary) throw new Error(notInstalled);
  const port = await freePort();
  mkdirSync(options.storeDir, { recursive: true });
  let current: ServerProcess | undefined;

  const start = async () => {
    if (current && isRunning(current.child)) return;
    current = spawnServer(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', options.storeDir, ...(options.extraArgs ?? [])]);
    const { child, output } = current;
    try {
      await waitFor(
        async () => {
          if (!isRunning(child) || child.pid === undefined) throw new GiveUp('it exited');
          return /Server is ready/.test(output()) && (await tcpOpen(port));
        },
        { what: `nats-server on port ${port} to accept connections`, timeoutMs: options.startTimeoutMs ?? 30_000, intervalMs: 100 },
      );
    } catch (error) {
      await killProcess(current);
      throw new Error(`${error instanceof Error ? error.message : String(error)}: ${output().slice(-2000)}`, { cause: error });
    }
  };
  const stop = async () => {
    if (current) await stopProcess(current, 10_000);
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir: options.storeDir,
    get running() {
      return current !== undefined && isRunning(current.child);
    },
    get pid() {
      return current && isRunning(current.child) ? current.child.pid : undefined;
    },
    start,
    stop,
    async kill() {
      if (current) await killProcess(current);
    },
    emptyStore() {
      if (current && isRunning(current.child)) throw new Error('emptyStore: stop nats-server first');
      rmSync(options.storeDir, { recursive: true, force: true });
      mkdirSync(options.storeDir, { recursive: true });
    },
    async remove() {
      await stop();
      rmSync(options.storeDir, { recursive: true, force: true });
    },
  };
}
