/**
 * `delinkcious start`: every service in one process (the embedded default), or
 * only the `--service` ones, as in a Kubernetes pod (docs/design.md §1a).
 * Embedded, the services call each other in-process and only the gateway
 * listens (EMBEDDED_INTERNAL_PORTS=true opens the others' ports for debugging).
 */
import {
  ConfigError,
  IdleCollector,
  Lifecycle,
  LocalServices,
  callersOf,
  commonConfig,
  createLogger,
  envVar,
  generateCallerTokens,
  inProcessUrl,
  loadMutualAuth,
  mutualAuthDisabled,
  mutualAuthFromTokens,
  readConfig,
  returnsFreedMemory,
  serviceCatalog,
  servicePort,
  serviceUrl,
  type Env,
  type ServiceDefinition,
  type ServiceName,
} from '@delinkcious/kit';
import v8 from 'node:v8';
import { InProcessBus, NatsBus, natsConnectionSettings, type Bus } from '@delinkcious/events';
import { definitions } from './registry.ts';

/**
 * Embedded, WebAssembly (PGlite's Postgres) is tiered up to V8's optimizing compiler only where that
 * costs little memory (docs/design.md §13): on V8 12 and later (Node.js 22+), in a process started with
 * glibc's thresholds for returning freed memory (libs/kit allocator.ts; `npm start` sets them). There,
 * saves at full speed gain ~25% (CPU per save 0.99 ms against 1.23) for ~15 MB. Anywhere else it stays on
 * the baseline compiler: on Node.js 20 tiering up stalled the restart ~0.6 s and held 60-85 MB more,
 * kept by the C allocator. Set before PGlite compiles its module.
 */
export function wasmTiersUp(env: Env, v8Version = process.versions.v8, returnsMemory = returnsFreedMemory): boolean {
  return Number(v8Version.split('.')[0]) >= 12 && returnsMemory(env);
}

function wasmOnBaselineCompiler(): void {
  v8.setFlagsFromString('--no-wasm-tier-up');
  v8.setFlagsFromString('--no-wasm-dynamic-tiering');
}

export interface Started {
  lifecycle: Lifecycle;
  urls: Partial<Record<ServiceName, string>>;
}

export function resolveDefinitions(names: string[]): ServiceDefinition[] {
  const known = Object.keys(definitions).join(', ');
  return names.map((name) => {
    // hasOwn: a name such as "constructor" must not find Object's prototype.
    const definition = Object.hasOwn(definitions, name) ? definitions[name as ServiceName] : undefined;
    if (!definition) throw new ConfigError(`unknown service "${name}"; known services: ${known}`);
    return definition;
  });
}

/** Starts `names` (all services when empty). Stops what started if one fails. */
export async function start(names: string[], env: Env = process.env): Promise<Started> {
  const embedded = names.length === 0;
  if (embedded && !wasmTiersUp(env)) wasmOnBaselineCompiler();
  const selected = embedded ? Object.values(definitions) : resolveDefinitions([...new Set(names)]);
  const single = selected.length === 1 && !embedded;
  const config = readConfig(
    {
      ...commonConfig,
      HOST: envVar.string(embedded ? '127.0.0.1' : '0.0.0.0'),
      PORT: envVar.optionalString(),
      NATS_URL: envVar.url(['nats', 'tls']),
      /** How long a consumer may hold an event before JetStream redelivers it (tests shorten it). */
      NATS_ACK_WAIT: envVar.durationMs(30_000),
      NATS_STREAM_REPLICAS: envVar.int(1, 1, 5),
      /** Embedded: the internal services listen on their ports too, for debugging (they are called in-process regardless). */
      EMBEDDED_INTERNAL_PORTS: envVar.bool(false),
    },
    env,
  );
  for (const definition of selected) definition.checkConfig(env);
  const port = single && config.PORT !== undefined ? envVar.port(0)('PORT', env) : undefined;

  // Embedded: the services call each other in-process; with EMBEDDED_INTERNAL_PORTS they also listen on
  // loopback, with generated caller tokens.
  const local = embedded ? new LocalServices(config.EMBEDDED_INTERNAL_PORTS) : undefined;
  const tokens = embedded && config.DELINKCIOUS_MUTUAL_AUTH ? generateCallerTokens(Object.keys(serviceCatalog)) : undefined;
  const urlOf = (name: ServiceName) => (embedded ? `http://127.0.0.1:${servicePort(name, env)}` : serviceUrl(name, env));
  const lifecycle = new Lifecycle();
  const urls: Started['urls'] = {};
  const bus = openBus(config.NATS_URL, selected.map((d) => d.name).join(','), embedded, { ackWaitMs: config.NATS_ACK_WAIT, streamReplicas: config.NATS_STREAM_REPLICAS }, env);
  lifecycle.onClose('event bus', () => bus.close()); // registered first: closes last
  // After a burst of work, the heap's garbage goes when the process falls quiet (libs/kit idle-collector.ts).
  const collector = new IdleCollector().start();
  lifecycle.onClose('idle collector', () => collector.stop());
  try {
    // Credentials NATS refuses stop the start with one line; an unreachable NATS does not.
    if (bus instanceof NatsBus) await bus.checkCredentials();
    for (const definition of selected) {
      const name = definition.name;
      const mutualAuth = !config.DELINKCIOUS_MUTUAL_AUTH
        ? mutualAuthDisabled
        : tokens
          ? mutualAuthFromTokens(name, ownAndCallerTokens(name, tokens))
          : loadMutualAuth({ self: name, file: config.MUTUAL_AUTH_FILE, enabled: true });
      // The gateway is the only public entry; internal services stay on loopback when embedded.
      const host = embedded && name !== 'api-gateway' ? '127.0.0.1' : config.HOST;
      const started = await definition.start({
        env,
        host,
        port: port ?? (embedded && name === 'api-gateway' ? envVar.port(5000)('PORT', env) : servicePort(name, env)),
        embedded,
        mutualAuth,
        bus,
        lifecycle,
        logger: createLogger(name),
        urlOf,
        ...(local && { local: local.for(name) }),
      });
      if (started.url !== inProcessUrl) urls[name] = started.url;
    }
  } catch (error) {
    await lifecycle.close();
    throw error;
  }
  return { lifecycle, urls };
}

/** What a pod mounts, embedded too: its own token and those of the callers authorization.ts lets in. */
function ownAndCallerTokens(name: ServiceName, tokens: Record<string, string>): Record<string, string> {
  return Object.fromEntries([name, ...callersOf(name)].map((service) => [service, tokens[service]!]));
}

function openBus(natsUrl: string | undefined, name: string, embedded: boolean, stream: { ackWaitMs: number; streamReplicas: number }, env: Env): Bus {
  const logger = createLogger('event-bus');
  if (natsUrl) {
    const { servers, auth } = natsConnectionSettings(natsUrl, env);
    return new NatsBus({ url: servers, auth, name: name || 'delinkcious', ...stream, log: (level, message, detail) => logger[level](detail ?? {}, message) });
  }
  if (!embedded) logger.warn('NATS_URL is not set: events stay inside this process (fine for one process, not for a cluster)');
  return new InProcessBus();
}
