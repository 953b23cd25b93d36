/**
 * The separate deployment: one `delinkcious start --service <name>` process
 * per service (by default all six), as on a fleet. Each service with a
 * database gets a temporary PostgreSQL database of its own; they share a
 * mutual-auth file and find each other through <NAME>_SERVICE_HOST/_PORT;
 * news feeds live in Redis under a key prefix of this deployment, and events
 * go through a private nats-server, so no run shares a JetStream stream or a
 * durable consumer with another.
 *
 * Nothing here knows GitHub: a caller that wants the gateway pointed at a
 * stand-in passes its GITHUB_* variables (`extraEnv`, `serviceEnv`).
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceName } from '@delinkcious/kit';
import { defaultLogLevel, defaultStartTimeoutMs, localSignIn, whenReady, type Deployment } from './deployment.ts';
import { startNatsServer, type NatsServer } from './nats-server.ts';
import { freePort, type RunningCommand } from './process.ts';
import { isRunning, killProcess, Registry, stopProcess } from './registry.ts';

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
  /** The environment a service runs with (e.g. to run a one-off command, such as rebuild-feeds, with its configuration). */
  env(name: SeparateService): Record<string, string>;
  /** The caller token a service presents downstream (to call a service directly as it would, e.g. in the benchmark). */
  callerToken(name: SeparateService): string;
  process(name: SeparateService): RunningCommand;
  /** Ends a service abruptly (SIGKILL), as a crash or a lost node would. */
  kill(name: SeparateService): Promise<void>;
  /** Stops a service gracefully (SIGTERM). */
  stopService(name: SeparateService): Promise<void>;
  /** Starts a service again, on the same ports, database and settings; resolves once it is ready. */
  restart(name: SeparateService): Promise<void>;
}

/** Every caller of docs/design.md §3, each with its own random token (at least 16 characters). */
function callerTokens(): Record<SeparateService, string> {
  return Object.fromEntries(allServices.map((caller) => [caller, randomBytes(24).toString('hex')])) as Record<SeparateService, string>;
}

function mutualAuthYaml(tokens: Record<SeparateService, string>): string {
  return allServices.map((caller) => `${caller}: ${tokens[caller]}\n`).join('');
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

  const registry = new Registry();
  const running = new Map<SeparateService, RunningCommand>();
  const urls = new Map<SeparateService, string>();
  const redisKeyPrefix = runsNews ? `e2e:${randomBytes(6).toString('hex')}:` : undefined;
  let nats: NatsServer | undefined;

  const stop = async () => {
    // The gateway first (no new requests), then the rest.
    const gateway = running.get('api-gateway');
    if (gateway) await stopProcess(gateway);
    await registry.release();
  };

  try {
    const dir = registry.temporaryDirectory('delinkcious-e2e-separate-');
    const authFile = join(dir, 'mutual-auth.yaml');
    const tokens = callerTokens();
    writeFileSync(authFile, mutualAuthYaml(tokens), { mode: 0o600 });
    if (redisKeyPrefix && options.redisUrl) registry.redisKeys(options.redisUrl, redisKeyPrefix);
    if (withNats) {
      const started = await startNatsServer({ binary: options.natsServerBinary, storeDir: join(dir, 'nats'), startTimeoutMs });
      nats = started;
      registry.onRelease(() => started.remove());
    }

    const created = await Promise.all(
      services.flatMap((name) => {
        const database = databaseOf[name];
        return database ? [registry.temporaryDatabase(options.databaseUrl, database.prefix).then((db) => [name, db.url] as const)] : [];
      }),
    );
    const databaseUrls = new Map(created);

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
      // Tests never reach the internet: no archive lookups unless a test serves a stand-in.
      'link-checker': { LINK_CHECKER_ALLOW_PRIVATE_NETWORKS: 'true', WAYBACK_API_URL: '' },
      'news-service': { REDIS_URL: options.redisUrl ?? '', NEWS_REDIS_KEY_PREFIX: redisKeyPrefix ?? '', NEWS_HTTP_PORT: String(newsHttpPort) },
      'api-gateway': { DEV_LOGIN: 'true', SESSION_SECRET: randomBytes(32).toString('hex'), PUBLIC_URL: `http://127.0.0.1:${ports['api-gateway']}` },
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
      if (previous && isRunning(previous.child)) throw new Error(`${name} is still running`);
      const run = registry.spawnDelinkcious(['start', '--service', name], envOf(name));
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
      pids: () => registry.pids(),
      stop,
      url: (name) => {
        const url = urls.get(name);
        if (!url) throw new Error(`${name} is not part of this deployment`);
        return url;
      },
      callerToken: (name) => tokens[name],
      env: envOf,
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
