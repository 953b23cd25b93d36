/**
 * The two deployments the public API suite runs against, each started with
 * the `delinkcious` command as an operator would:
 * - embedded: one `delinkcious start` process, PGlite under a temporary DATA_DIR;
 * - separate: one `delinkcious start --service <name>` process per service, each
 *   on its own temporary PostgreSQL database, sharing a mutual-auth file, the
 *   gateway finding the others through <NAME>_SERVICE_HOST/_PORT.
 * Every port is a free one, so runs in parallel do not collide. Children are
 * stopped by the handles (PIDs) this module started, never by name.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTemporaryDatabase, embeddedPorts, freePort, runDelinkcious, type RunningCommand, type TemporaryDatabase } from '@delinkcious/testing';
import { GitHub } from './github.ts';
import { localSignIn, poll } from './http.ts';

/** Generous: on a slow shared machine PGlite alone can take ~10 s to open a database. */
const startTimeoutMs = 90_000;
const logLevel = process.env.TEST_LOG_LEVEL ?? 'warn';

export interface Deployment {
  readonly mode: 'embedded' | 'separate';
  /** The gateway, the only public entry. */
  readonly baseUrl: string;
  readonly github: GitHub;
  /** The local sign-in (DEV_LOGIN=true): the user's Delinkcious token. */
  signIn(username: string): Promise<string>;
  stop(): Promise<void>;
}

/** The children this test process started; whatever is left at exit is killed by PID. */
const children = new Set<RunningCommand>();
function killChildren(): void {
  for (const run of children) if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
}
process.once('exit', killChildren);
// Ended by a signal (the runner cancelling, say), 'exit' does not run: kill them, then end as that signal would.
for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killChildren();
    process.kill(process.pid, signal);
  });
}

function spawn(args: string[], env: Record<string, string>): RunningCommand {
  const run = runDelinkcious(args, env);
  children.add(run);
  void run.exited.then(() => children.delete(run));
  return run;
}

/** Stops one child: SIGTERM (graceful), SIGKILL if it is still there after `graceMs`. */
export async function stopProcess(run: RunningCommand, graceMs = 15_000): Promise<void> {
  if (run.child.exitCode !== null || run.child.signalCode !== null) return;
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

/** Waits for the process's "running at <url>" line, then for its /readyz to answer 200. */
async function whenReady(run: RunningCommand, what: string): Promise<string> {
  const started = Date.now();
  const [, url] = await run.waitFor(/running at (\S+)/, startTimeoutMs);
  const remaining = Math.max(5_000, startTimeoutMs - (Date.now() - started));
  const ready = await poll(
    () => fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5_000) }).then((response) => response.status),
    (status) => status === 200,
    { timeoutMs: remaining, intervalMs: 250 },
  ).catch((error: unknown) => error);
  if (ready !== 200) throw new Error(`${what} at ${url} is not ready after ${Date.now() - started} ms (${String(ready)}); stderr: ${run.stderr().slice(-2000)}`);
  return url!;
}

export async function startEmbedded(extraEnv: Record<string, string> = {}): Promise<Deployment> {
  const dir = mkdtempSync(join(tmpdir(), 'delinkcious-e2e-embedded-'));
  const github = await GitHub.start();
  const env = {
    DATA_DIR: join(dir, 'data'),
    DEV_LOGIN: 'true',
    LOG_LEVEL: logLevel,
    ...(await embeddedPorts()),
    ...github.env(),
    ...extraEnv,
  };
  const run = spawn(['start'], env);
  const stop = async () => {
    await stopProcess(run);
    await github.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const baseUrl = await whenReady(run, 'delinkcious start');
    return { mode: 'embedded', baseUrl, github, signIn: (username) => localSignIn(baseUrl, username), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export type SeparateService = 'user-service' | 'social-graph-service' | 'link-service' | 'api-gateway';

export interface SeparateDeployment extends Deployment {
  readonly mode: 'separate';
  process(name: SeparateService): RunningCommand;
  /** Ends a service abruptly (SIGKILL), as a crash or a lost node would. */
  kill(name: SeparateService): Promise<void>;
  /** Starts a service again, on the same port, database and settings; resolves once it is ready. */
  restart(name: SeparateService): Promise<void>;
}

/** Every caller of DESIGN.md §3, each with its own random token (at least 16 characters). */
function mutualAuthYaml(): string {
  const callers = ['api-gateway', 'user-service', 'social-graph-service', 'link-service', 'news-service', 'link-checker'];
  return callers.map((caller) => `${caller}: ${randomBytes(24).toString('hex')}\n`).join('');
}

export async function startSeparate(serverUrl: string): Promise<SeparateDeployment> {
  const dir = mkdtempSync(join(tmpdir(), 'delinkcious-e2e-separate-'));
  const authFile = join(dir, 'mutual-auth.yaml');
  writeFileSync(authFile, mutualAuthYaml(), { mode: 0o600 });
  const github = await GitHub.start();
  const databases: TemporaryDatabase[] = [];
  const running = new Map<SeparateService, RunningCommand>();

  const stop = async () => {
    await Promise.all([...running.values()].map((run) => stopProcess(run)));
    await Promise.all(databases.map((database) => database.drop()));
    await github.close();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const [users, socialGraph, links] = await Promise.all([
      createTemporaryDatabase(serverUrl, 'e2e_user'),
      createTemporaryDatabase(serverUrl, 'e2e_social_graph'),
      createTemporaryDatabase(serverUrl, 'e2e_link'),
    ]);
    databases.push(users, socialGraph, links);
    const port = {
      'user-service': await freePort(),
      'social-graph-service': await freePort(),
      'link-service': await freePort(),
      'api-gateway': await freePort(),
      // Not started here: kept pointing at a closed port of this machine, never at a default one another run may use.
      'news-service': await freePort(),
      'link-checker': await freePort(),
    };
    const common = { MUTUAL_AUTH_FILE: authFile, HOST: '127.0.0.1', DATA_DIR: join(dir, 'unused-data'), LOG_LEVEL: logLevel };
    const discovery = {
      USER_MANAGER_SERVICE_HOST: '127.0.0.1',
      USER_MANAGER_SERVICE_PORT: String(port['user-service']),
      SOCIAL_GRAPH_MANAGER_SERVICE_HOST: '127.0.0.1',
      SOCIAL_GRAPH_MANAGER_SERVICE_PORT: String(port['social-graph-service']),
      LINK_MANAGER_SERVICE_HOST: '127.0.0.1',
      LINK_MANAGER_SERVICE_PORT: String(port['link-service']),
      NEWS_MANAGER_SERVICE_HOST: '127.0.0.1',
      NEWS_MANAGER_SERVICE_PORT: String(port['news-service']),
      LINK_CHECKER_SERVICE_HOST: '127.0.0.1',
      LINK_CHECKER_SERVICE_PORT: String(port['link-checker']),
    };
    const envs: Record<SeparateService, Record<string, string>> = {
      'user-service': { ...common, PORT: String(port['user-service']), USER_DATABASE_URL: users.url },
      'social-graph-service': { ...common, PORT: String(port['social-graph-service']), SOCIAL_GRAPH_DATABASE_URL: socialGraph.url },
      'link-service': { ...common, ...discovery, PORT: String(port['link-service']), LINK_DATABASE_URL: links.url },
      'api-gateway': {
        ...common,
        ...discovery,
        PORT: String(port['api-gateway']),
        DEV_LOGIN: 'true',
        SESSION_SECRET: randomBytes(32).toString('hex'),
        ...github.env(),
      },
    };

    const launch = async (name: SeparateService): Promise<string> => {
      const run = spawn(['start', '--service', name], envs[name]);
      running.set(name, run);
      const url = await whenReady(run, name);
      const expected = `http://127.0.0.1:${port[name]}`;
      if (url !== expected) throw new Error(`${name} says it runs at ${url}, expected ${expected}`);
      return url;
    };
    const names: SeparateService[] = ['user-service', 'social-graph-service', 'link-service', 'api-gateway'];
    const [, , , baseUrl] = await Promise.all(names.map(launch));

    return {
      mode: 'separate',
      baseUrl: baseUrl!,
      github,
      signIn: (username) => localSignIn(baseUrl!, username),
      stop,
      process: (name) => running.get(name)!,
      async kill(name) {
        const run = running.get(name)!;
        if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
        await run.exited;
      },
      async restart(name) {
        await launch(name);
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
