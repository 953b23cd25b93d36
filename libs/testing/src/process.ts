/** Runs the `delinkcious` command as a child process, as an operator would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const delinkciousBin = fileURLToPath(new URL('../../../cli/bin/delinkcious.js', import.meta.url));

export interface RunningCommand {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  /** Resolves once stdout holds a match of `pattern`; rejects if the process ends first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

export function runDelinkcious(args: string[], env: Record<string, string | undefined>): RunningCommand {
  const child = spawn(process.execPath, [delinkciousBin, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`timed out waiting for ${pattern}; stderr: ${err.slice(-2000)}`)), timeoutMs);
        const check = () => {
          const match = out.match(pattern);
          if (match) finish(undefined, match);
        };
        const onExit = () => finish(new Error(`process exited before printing ${pattern}; stderr: ${err.slice(-2000)}`));
        function finish(error?: Error, match?: RegExpMatchArray) {
          clearTimeout(timer);
          child.stdout!.off('data', check);
          child.off('exit', onExit);
          if (error) reject(error);
          else resolve(match!);
        }
        child.stdout!.on('data', check);
        child.once('exit', onExit);
        check();
      });
    },
  };
}

/**
 * Ports handed to children are drawn under Linux's ephemeral range (32768–60999 by default), from
 * which the OS takes both `listen(0)` ports and the source ports of outgoing connections: a port
 * from `listen(0)`, closed until the child bound it, could meanwhile become a client socket's of a
 * test running beside it (seen in CI: "listen EADDRINUSE" at a separate process's start).
 */
const childPorts = { min: 10_000, max: 32_767 };
/** Ports this process handed out or tried already: never handed out twice. */
const handedOut = new Set<number>();

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A TCP port free right now on 127.0.0.1, for a child process that must listen on a fixed port. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = childPorts.min + Math.floor(Math.random() * (childPorts.max - childPorts.min + 1));
    if (handedOut.has(port)) continue;
    // Taken before it is tried, so that calls at once never try (and hand out) the same port.
    handedOut.add(port);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port between ${childPorts.min} and ${childPorts.max} after 100 tries`);
}

/** Environment giving every service of an embedded process its own free port; `PORT` is the gateway's. */
export async function embeddedPorts(): Promise<Record<string, string>> {
  const { serviceCatalog } = await import('@delinkcious/kit');
  const env: Record<string, string> = {};
  for (const [name, { envPrefix }] of Object.entries(serviceCatalog)) {
    const port = String(await freePort());
    if (name === 'api-gateway') env.PORT = port;
    else env[`${envPrefix}_SERVICE_PORT`] = port;
  }
  env.NEWS_HTTP_PORT = String(await freePort());
  return env;
}
