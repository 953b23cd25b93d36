/**
 * What tests start and make, and how it is undone. Every child process is
 * tracked by its handle (PID), never found by name, and killed if it is still
 * there when the test process exits. A Registry records what one deployment
 * made (processes, temporary directories, databases, Redis keys) and undoes
 * all of it on release().
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTemporaryDatabase, type TemporaryDatabase } from './postgres.ts';
import { runDelinkcious, type RunningCommand } from './process.ts';
import { deleteRedisKeys } from './redis.ts';

/** A started child and the promise of its end. */
export interface ChildHandle {
  child: ChildProcess;
  exited: Promise<unknown>;
}

// ---------------------------------------------------------------------------
// Every child and temporary directory of this test process, for the exit

const children = new Set<ChildProcess>();
const directories = new Set<string>();

export const isRunning = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null;

function cleanUpAtExit(): void {
  for (const child of children) if (isRunning(child)) child.kill('SIGKILL');
  for (const dir of directories) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // A child killed just now may still hold files there; nothing more can be done at exit.
    }
  }
}

let exitHooksInstalled = false;
function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.once('exit', cleanUpAtExit);
  // Ended by a signal (the runner cancelling, say), 'exit' does not run: clean up, then end as that signal would.
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      cleanUpAtExit();
      process.kill(process.pid, signal);
    });
  }
}

/** Keeps `child` until it exits; if the test process ends first, the child is killed. */
export function trackChild(handle: ChildHandle): void {
  installExitHooks();
  children.add(handle.child);
  void handle.exited.then(() => children.delete(handle.child));
}

/** A fresh directory under the system's temporary directory, removed at exit if nobody removed it before. */
export function makeTemporaryDirectory(prefix: string): string {
  installExitHooks();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  directories.add(dir);
  return dir;
}

export function removeTemporaryDirectory(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  directories.delete(dir);
}

// ---------------------------------------------------------------------------
// Stopping children

/** Stops one child: SIGTERM (graceful), SIGKILL if it is still there after `graceMs`. */
export async function stopProcess(run: ChildHandle, graceMs = 15_000): Promise<void> {
  if (!isRunning(run.child)) return;
  run.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      run.child.kill('SIGKILL');
      resolve();
    }, graceMs);
  });
  await Promise.race([run.exited, killed]);
  clearTimeout(timer);
  await run.exited;
}

/** Ends a child abruptly (SIGKILL), as a crash or a lost node would; resolves once it is gone. */
export async function killProcess(run: ChildHandle): Promise<void> {
  if (isRunning(run.child)) run.child.kill('SIGKILL');
  await run.exited;
}

// ---------------------------------------------------------------------------
// What one deployment made

/** Records what one deployment makes, so that release() undoes all of it, whatever step failed. */
export class Registry {
  private readonly runs: RunningCommand[] = [];
  private readonly directories: string[] = [];
  private readonly cleanups: Array<() => Promise<void>> = [];

  /** Runs the `delinkcious` command, tracked. */
  spawnDelinkcious(args: string[], env: Record<string, string>): RunningCommand {
    const run = runDelinkcious(args, env);
    trackChild(run);
    this.runs.push(run);
    return run;
  }

  temporaryDirectory(prefix: string): string {
    const dir = makeTemporaryDirectory(prefix);
    this.directories.push(dir);
    return dir;
  }

  async temporaryDatabase(serverUrl: string, prefix: string): Promise<TemporaryDatabase> {
    const database = await createTemporaryDatabase(serverUrl, prefix);
    this.cleanups.push(() => database.drop());
    return database;
  }

  /** Every Redis key under `prefix` is deleted at release. */
  redisKeys(url: string, prefix: string): void {
    this.cleanups.push(() => deleteRedisKeys(url, prefix));
  }

  /** Anything else to undo at release (after the processes stop, before the directories go). */
  onRelease(cleanup: () => Promise<void>): void {
    this.cleanups.push(cleanup);
  }

  /** PIDs of the `delinkcious` processes running now. */
  pids(): number[] {
    return this.runs.filter((run) => isRunning(run.child) && run.child.pid !== undefined).map((run) => run.child.pid!);
  }

  /** Stops every process, then undoes the rest together, then removes the directories; throws the first failure. */
  async release(): Promise<void> {
    await Promise.all(this.runs.map((run) => stopProcess(run)));
    const results = await Promise.allSettled(this.cleanups.splice(0).map((cleanup) => cleanup()));
    for (const dir of this.directories.splice(0)) removeTemporaryDirectory(dir);
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
