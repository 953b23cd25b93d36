/**
 * A private nats-server with JetStream, for a deployment whose events must
 * not share a stream or a durable consumer with any other run: its own free
 * port on 127.0.0.1 and its own store directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { freePort } from './process.ts';
import { isRunning, killProcess, stopProcess, trackChild } from './registry.ts';
import { GiveUp, waitFor } from './wait.ts';

const notInstalled = 'nats-server is not installed (/usr/sbin/nats-server, PATH, or NATS_SERVER_BIN)';

/** Where nats-server is: NATS_SERVER_BIN, /usr/sbin/nats-server, or on PATH; undefined when nowhere. */
export function findNatsServer(): string | undefined {
  const candidates = [
    process.env.NATS_SERVER_BIN,
    '/usr/sbin/nats-server',
    ...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'nats-server')),
  ];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not there
    }
  }
  return undefined;
}

export interface NatsServerBinary {
  path: string | undefined;
  /** Why tests needing it are skipped; false when it is there. */
  skip: string | false;
}

/** As externalService does for servers: missing, tests skip with a line that says so; with DELINKCIOUS_REQUIRE_SERVICES=1 they fail. */
export function natsServerBinary(): NatsServerBinary {
  const path = findNatsServer();
  if (path) return { path, skip: false };
  if (process.env.DELINKCIOUS_REQUIRE_SERVICES === '1') throw new Error(`DELINKCIOUS_REQUIRE_SERVICES=1 but ${notInstalled}`);
  const skip = `skipped: ${notInstalled}`;
  console.log(`# ${skip}`);
  return { path: undefined, skip };
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
export async function startNatsServer(options: { binary?: string; storeDir: string; startTimeoutMs?: number }): Promise<NatsServer> {
  const binary = options.binary ?? findNatsServer();
  if (!binary) throw new Error(notInstalled);
  const port = await freePort();
  mkdirSync(options.storeDir, { recursive: true });
  let current: { child: ChildProcess; exited: Promise<unknown> } | undefined;

  const start = async () => {
    if (current && isRunning(current.child)) return;
    const child = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', options.storeDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const exited = new Promise<unknown>((resolve) => {
      child.once('exit', resolve);
      // Not started at all (no such binary, say): there is no 'exit' to wait for.
      child.once('error', (error) => {
        output += `\n${error.message}`;
        if (child.pid === undefined) resolve(error);
      });
    });
    current = { child, exited };
    trackChild(current);
    try {
      await waitFor(
        async () => {
          if (!isRunning(child) || child.pid === undefined) throw new GiveUp('it exited');
          return /Server is ready/.test(output) && (await tcpOpen(port));
        },
        { what: `nats-server on port ${port} to accept connections`, timeoutMs: options.startTimeoutMs ?? 30_000, intervalMs: 100 },
      );
    } catch (error) {
      await killProcess(current);
      throw new Error(`${error instanceof Error ? error.message : String(error)}: ${output.slice(-2000)}`, { cause: error });
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
