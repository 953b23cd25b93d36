/**
 * Whole deployments of Delinkcious for end-to-end tests and benchmarks, each
 * started with the `delinkcious` command as an operator would:
 * - embedded: one `delinkcious start` process, PGlite under a temporary DATA_DIR;
 * - separate: one `delinkcious start --service <name>` process per service
 *   (by default all six), each on its own temporary PostgreSQL database, a
 *   shared mutual-auth file, discovery through <NAME>_SERVICE_HOST/_PORT,
 *   news feeds in Redis under a key prefix of its own, and events on a private
 *   nats-server (so no run shares a JetStream stream or a durable consumer
 *   with another).
 *
 * Every port is a free one, so runs in parallel do not collide. Children are
 * stopped by the handles (PIDs) this module started, never by name; whatever
 * is left when the test process exits is killed by PID.
 *
 * Nothing here knows GitHub: a caller that wants the gateway pointed at a
 * stand-in passes its GITHUB_* variables (`extraEnv`, `serviceEnv`).
 */
import { deleteRedisKeys } from './redis.ts';
import { spawn as spawnChild, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { ServiceName } from '@delinkcious/kit';
import { createTemporaryDatabase, type TemporaryDatabase } from './postgres.ts';
import { embeddedPorts, freePort, runDelinkcious, type RunningCommand } from './process.ts';

/** Generous: on a slow shared machine PGlite alone can take ~10 s to open a database. */
const defaultStartTimeoutMs = 90_000;
const defaultLogLevel = () => process.env.TEST_LOG_LEVEL ?? 'warn';

export interface Deployment {
  readonly mode: 'embedded' | 'separate';
  /** The gateway, the only public entry. */
  readonly baseUrl: string;
  /** The local sign-in (DEV_LOGIN=true): the user's Delinkcious token. */
  signIn(username: string): Promise<string>;
  /** PIDs of the Delinkcious processes running now (not nats-server, PostgreSQL or Redis), e.g. to sum their RSS. */
  pids(): number[];
  /** Stops every process and removes what the deployment made (directories, databases, keys). */
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Children, by PID

/** The children this process started; whatever is left at exit is killed by PID. */
const children = new Set<ChildProcess>();
const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;
function killChildren(): void {
  for (const child of children) if (alive(child)) child.kill('SIGKILL');
}
let cleanupInstalled = false;
function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.once('exit', killChildren);
  // Ended by a signal (the runner cancelling, say), 'exit' does not run: kill them, then end as that signal would.
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killChildren();
      process.kill(process.pid, signal);
    });
  }
}

function track(child: ChildProcess, exited: Promise<unknown>): void {
  installCleanup();
  children.add(child);
  void exited.then(() => children.delete(child));
}

function spawnDelinkcious(args: string[], env: Record<string, string>): RunningCommand {
  const run = runDelinkcious(args, env);
  track(run.child, run.exited);
  return run;
}

/** Stops one child: SIGTERM (graceful), SIGKILL if it is still there after `graceMs`. */
export async function stopProcess(run: { child: ChildProcess; exited: Promise<unknown> }, graceMs = 15_000): Promise<void> {
  if (!alive(run.child)) return;
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
export async function killProcess(run: { child: ChildProcess; exited: Promise<unknown> }): Promise<void> {
  if (alive(run.child)) run.child.kill('SIGKILL');
  await run.exited;
}

/** Thrown by a waitUntil check: no point waiting any longer (the process is gone). */
class GaveUp extends Error {}

/** Polls `check` until it holds (true) or `timeoutMs` passes (false); a check that throws counts as not yet, GaveUp as never. */
async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const done = await check().catch((error: unknown) => {
      if (error instanceof GaveUp) throw error;
      return false;
    });
    if (done) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Waits for the process's "running at <url>" line, then for its /readyz to answer 200. */
async function whenReady(run: RunningCommand, what: string, timeoutMs: number): Promise<string> {
  const started = Date.now();
  const [, url] = await run.waitFor(/running at (\S+)/, timeoutMs);
  let last = 'no answer';
  const ready = await waitUntil(
    async () => {
      if (!alive(run.child)) throw new GaveUp(`exited (${run.child.exitCode ?? run.child.signalCode})`);
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5_000) });
      last = String(response.status);
      await response.body?.cancel();
      return response.status === 200;
    },
    Math.max(5_000, timeoutMs - (Date.now() - started)),
  ).catch((error: unknown) => {
    throw new Error(`${what} at ${url} ${error instanceof Error ? error.message : String(error)} before it was ready; stderr: ${run.stderr().slice(-2000)}`);
  });
  if (!ready) throw new Error(`${what} at ${url} is not ready after ${Date.now() - started} ms (${last}); stderr: ${run.stderr().slice(-2000)}`);
  return url!;
}

/** The gateway's local sign-in (DEV_LOGIN=true): answers the user's Delinkcious token. */
export async function localSignIn(baseUrl: string, username: string): Promise<string> {
  const response = await fetch(new URL('/login/dev', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ username }),
    redirect: 'manual',
    signal: AbortSignal.timeout(20_000),
  });
  const text = await response.text();
  let token: unknown;
  try {
    token = (JSON.parse(text) as { access_token?: unknown }).access_token;
  } catch {
    token = undefined;
  }
  if (response.status !== 200 || typeof token !== 'string') {
    throw new Error(`local sign-in of ${username} answered ${response.status}: ${text.slice(0, 300)}`);
  }
  return token;
}

function pidsOf(runs: Iterable<RunningCommand>): number[] {
  return [...runs].filter((run) => alive(run.child) && run.child.pid !== undefined).map((run) => run.child.pid!);
}

// ---------------------------------------------------------------------------
// Embedded

export interface EmbeddedOptions {
  /** Added to the process's environment (after the defaults, so it wins). */
  extraEnv?: Record<string, string>;
  startTimeoutMs?: number;
}

export async function startEmbedded(options: EmbeddedOptions = {}): Promise<Deployment> {
  const dir = mkdtempSync(join(tmpdir(), 'delinkcious-e2e-embedded-'));
  const env = {
    DATA_DIR: join(dir, 'data'),
    DEV_LOGIN: 'true',
    LOG_LEVEL: defaultLogLevel(),
    ...(await embeddedPorts()),
    ...options.extraEnv,
  };
  const run = spawnDelinkcious(['start'], env);
  const stop = async () => {
    await stopProcess(run);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const baseUrl = await whenReady(run, 'delinkcious start', options.startTimeoutMs ?? defaultStartTimeoutMs);
    return { mode: 'embedded', baseUrl, signIn: (username) => localSignIn(baseUrl, username), pids: () => pidsOf([run]), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

// ---------------------------------------------------------------------------
// A private nats-server

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
  const problem = 'nats-server is not installed (/usr/sbin/nats-server, PATH, or NATS_SERVER_BIN)';
  if (process.env.DELINKCIOUS_REQUIRE_SERVICES === '1') throw new Error(`DELINKCIOUS_REQUIRE_SERVICES=1 but ${problem}`);
  const skip = `skipped: ${problem}`;
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
  /** Stops it and deletes its store. */
  remove(): Promise<void>;
}

/** A nats-server with JetStream of its own, on 127.0.0.1 and a free port, its store under `storeDir`. */
export async function startNatsServer(options: { binary?: string; storeDir: string; startTimeoutMs?: number }): Promise<NatsServer> {
  const binary = options.binary ?? findNatsServer();
  if (!binary) throw new Error('nats-server is not installed (/usr/sbin/nats-server, PATH, or NATS_SERVER_BIN)');
  const port = await freePort();
  mkdirSync(options.storeDir, { recursive: true });
  let current: { child: ChildProcess; exited: Promise<unknown>; output: () => string } | undefined;

  const start = async () => {
    if (current && alive(current.child)) return;
    const child = spawnChild(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', options.storeDir], {
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
    track(child, exited);
    current = { child, exited, output: () => output };
    const timeoutMs = options.startTimeoutMs ?? 30_000;
    const ready = await waitUntil(async () => {
      if (!alive(child) || child.pid === undefined) throw new GaveUp('exited');
      return /Server is ready/.test(output) && (await tcpOpen(port));
    }, timeoutMs, 100).catch(() => false);
    if (!ready) {
      await killProcess(current);
      throw new Error(`nats-server on port ${port} did not get ready (waited up to ${timeoutMs} ms): ${output.slice(-2000)}`);
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
      return current !== undefined && alive(current.child);
    },
    get pid() {
      return current && alive(current.child) ? current.child.pid : undefined;
    },
    start,
    stop,
    async remove() {
      await stop();
      rmSync(options.storeDir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------
// Separate processes

export type SeparateService = ServiceName;

/** Every service of docs/design.md §1, in start order. */
export const allServices: readonly SeparateService[] = ['user-service', 'social-graph-service', 'link-service', 'link-checker', 'news-service', 'api-gateway'];

export interface SeparateOptions {
  /** A PostgreSQL server: each service with a database gets a temporary one there, dropped at stop. */
  databaseUrl: string;
  /** Redis for news-service's feeds (required with news-service): keys under a prefix of this deployment, deleted at stop. */
  redisUrl?: string;
  /** The services to run, each its own process (default: all six). The gateway is always among them. */
  services?: readonly SeparateService[];
  /**
   * A private nats-server for the events (default: when link-checker or news-service runs; without one,
   * each process keeps its events to itself).
   */
  nats?: boolean;
  /** Where nats-server is (default: findNatsServer()). */
  natsServerBinary?: string;
  /** Added to every process's environment. */
  extraEnv?: Record<string, string>;
  /** Added to one service's environment (after extraEnv), e.g. GITHUB_* for the gateway. */
  serviceEnv?: Partial<Record<SeparateService, Record<string, string>>>;
  startTimeoutMs?: number;
}

export interface SeparateDeployment extends Deployment {
  readonly mode: 'separate';
  readonly services: readonly SeparateService[];
  /** Each service's port (news-service: its gRPC port), also for those not running (a closed port). */
  readonly ports: Readonly<Record<SeparateService, number>>;
  /** The private nats-server, when there is one. */
  readonly nats: NatsServer | undefined;
  /** news-service's Redis key prefix, when it runs. */
  readonly redisKeyPrefix: string | undefined;
  /** The URL a service printed (its HTTP side: /healthz, /readyz, /metrics). */
  url(name: SeparateService): string;
  process(name: SeparateService): RunningCommand;
  /** Ends a service abruptly (SIGKILL), as a crash or a lost node would. */
  kill(name: SeparateService): Promise<void>;
  /** Stops a service gracefully (SIGTERM). */
  stopService(name: SeparateService): Promise<void>;
  /** Starts a service again, on the same ports, database and settings; resolves once it is ready. */
  restart(name: SeparateService): Promise<void>;
}

/** Every caller of docs/design.md §3, each with its own random token (at least 16 characters). */
function mutualAuthYaml(): string {
  return allServices
    .map((caller) => `${caller}: ${randomBytes(24).toString('hex')}\n`)
    .join('');
}

/** Which variable names a service's own database, and the prefix of its temporary one. */
const databaseOf: Partial<Record<SeparateService, { variable: string; prefix: string }>> = {
  'user-service': { variable: 'USER_DATABASE_URL', prefix: 'e2e_user' },
  'social-graph-service': { variable: 'SOCIAL_GRAPH_DATABASE_URL', prefix: 'e2e_social_graph' },
  'link-service': { variable: 'LINK_DATABASE_URL', prefix: 'e2e_link' },
};


export async function startSeparate(options: SeparateOptions): Promise<SeparateDeployment> {
  const services = [...new Set(options.services ?? allServices)];
  if (!services.includes('api-gateway')) throw new Error('startSeparate: the api-gateway is the entry, it must be among the services');
  const runsNews = services.includes('news-service');
  if (runsNews && !options.redisUrl) throw new Error('startSeparate: news-service needs redisUrl');
  const withNats = options.nats ?? (runsNews || services.includes('link-checker'));
  const startTimeoutMs = options.startTimeoutMs ?? defaultStartTimeoutMs;
  // Loaded here, not at the top: most users of this library never start a deployment.
  const { serviceCatalog } = await import('@delinkcious/kit');

  const dir = mkdtempSync(join(tmpdir(), 'delinkcious-e2e-separate-'));
  const authFile = join(dir, 'mutual-auth.yaml');
  writeFileSync(authFile, mutualAuthYaml(), { mode: 0o600 });
  const databases: TemporaryDatabase[] = [];
  const running = new Map<SeparateService, RunningCommand>();
  const urls = new Map<SeparateService, string>();
  const redisKeyPrefix = runsNews ? `e2e:${randomBytes(6).toString('hex')}:` : undefined;
  let nats: NatsServer | undefined;

  const stop = async () => {
    // The gateway first (no new requests), then the rest together.
    const gateway = running.get('api-gateway');
    if (gateway) await stopProcess(gateway);
    await Promise.all([...running.values()].map((run) => stopProcess(run)));
    const cleanups = [
      ...(nats ? [nats.remove()] : []),
      ...databases.map((database) => database.drop()),
      ...(redisKeyPrefix && options.redisUrl ? [deleteRedisKeys(options.redisUrl, redisKeyPrefix)] : []),
    ];
    const results = await Promise.allSettled(cleanups);
    rmSync(dir, { recursive: true, force: true });
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  };

  try {
    if (withNats) nats = await startNatsServer({ binary: options.natsServerBinary, storeDir: join(dir, 'nats'), startTimeoutMs });

    const created = await Promise.all(
      services.flatMap((name) => {
        const database = databaseOf[name];
        return database ? [createTemporaryDatabase(options.databaseUrl, database.prefix).then((db) => [name, db] as const)] : [];
      }),
    );
    databases.push(...created.map(([, db]) => db));
    const databaseUrls = new Map(created.map(([name, db]) => [name, db.url]));

    // Every service gets a port, running or not: discovery of one not running points at a closed port
    // of this machine, never at a default one another run may use.
    const ports = {} as Record<SeparateService, number>;
    for (const name of Object.keys(serviceCatalog) as SeparateService[]) ports[name] = await freePort();
    const newsHttpPort = await freePort();

    const discovery: Record<string, string> = {};
    for (const [name, { envPrefix }] of Object.entries(serviceCatalog) as Array<[SeparateService, { envPrefix: string }]>) {
      if (name === 'api-gateway') continue;
      discovery[`${envPrefix}_SERVICE_HOST`] = '127.0.0.1';
      discovery[`${envPrefix}_SERVICE_PORT`] = String(ports[name]);
    }
    const common: Record<string, string> = {
      MUTUAL_AUTH_FILE: authFile,
      HOST: '127.0.0.1',
      DATA_DIR: join(dir, 'unused-data'),
      LOG_LEVEL: defaultLogLevel(),
      ...discovery,
      ...(nats ? { NATS_URL: nats.url } : {}),
    };
    const own: Record<SeparateService, Record<string, string>> = {
      'user-service': {},
      'social-graph-service': {},
      'link-service': {},
      'link-checker': { LINK_CHECKER_ALLOW_PRIVATE_NETWORKS: 'true' },
      'news-service': { REDIS_URL: options.redisUrl ?? '', NEWS_REDIS_KEY_PREFIX: redisKeyPrefix ?? '', NEWS_HTTP_PORT: String(newsHttpPort) },
      'api-gateway': { DEV_LOGIN: 'true', SESSION_SECRET: randomBytes(32).toString('hex') },
    };
    const envOf = (name: SeparateService): Record<string, string> => {
      const database = databaseOf[name];
      return {
        ...common,
        PORT: String(ports[name]),
        ...(database ? { [database.variable]: databaseUrls.get(name)! } : {}),
        ...own[name],
        ...options.extraEnv,
        ...options.serviceEnv?.[name],
      };
    };

    const launch = async (name: SeparateService): Promise<void> => {
      const previous = running.get(name);
      if (previous && alive(previous.child)) throw new Error(`${name} is still running`);
      const run = spawnDelinkcious(['start', '--service', name], envOf(name));
      running.set(name, run);
      const url = await whenReady(run, name, startTimeoutMs);
      const expected = `http://127.0.0.1:${name === 'news-service' ? newsHttpPort : ports[name]}`;
      if (url !== expected) throw new Error(`${name} says it runs at ${url}, expected ${expected}`);
      urls.set(name, url);
    };
    await Promise.all(services.map(launch));
    const baseUrl = urls.get('api-gateway')!;
    const runningOf = (name: SeparateService) => {
      const run = running.get(name);
      if (!run) throw new Error(`${name} is not part of this deployment`);
      return run;
    };

    return {
      mode: 'separate',
      baseUrl,
      services,
      ports,
      nats,
      redisKeyPrefix,
      signIn: (username) => localSignIn(baseUrl, username),
      pids: () => pidsOf(running.values()),
      stop,
      url: (name) => {
        const url = urls.get(name);
        if (!url) throw new Error(`${name} is not part of this deployment`);
        return url;
      },
      process: runningOf,
      kill: (name) => killProcess(runningOf(name)),
      stopService: (name) => stopProcess(runningOf(name)),
      async restart(name) {
        runningOf(name);
        await launch(name);
      },
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
