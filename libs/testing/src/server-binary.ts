/**
 * The private servers tests start (nats-server, redis-server): finding the
 * binary, and running it as a tracked child whose output is kept for errors.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { missing } from './external.ts';
import { trackChild } from './registry.ts';

export interface ServerBinary {
  path: string | undefined;
  /** Why tests needing it are skipped; false when it is there. */
  skip: string | false;
}

/** The first executable of `candidates`, then `name` on PATH; undefined when nowhere. */
export function findBinary(name: string, candidates: (string | undefined)[]): string | undefined {
  const onPath = (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, name));
  for (const candidate of [...candidates, ...onPath]) {
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

/** As externalService does for servers: missing, tests skip with a line that says so; with DELINKCIOUS_REQUIRE_SERVICES=1 they fail. */
export function serverBinary(path: string | undefined, notInstalled: string): ServerBinary {
  return path ? { path, skip: false } : { path: undefined, skip: missing(notInstalled) };
}

export interface ServerProcess {
  child: ChildProcess;
  exited: Promise<unknown>;
  /** The tail of what it wrote to stdout and stderr. */
  output(): string;
}

/** Spawns a server, tracked so that it is killed if the test run ends first. */
export function spawnServer(binary: string, args: string[], keepChars = 20_000): ServerProcess {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-keepChars));
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
  const server = { child, exited, output: () => output };
  trackChild(server);
  return server;
}
