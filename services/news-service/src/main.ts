/**
 * Wires news-service: its store (Redis, or embedded PGlite), the manager, the
 * fan-out and the link-event consumer that feeds it, gRPC pb.News with gRPC
 * health on the service port, and an HTTP side (/healthz, /readyz, /metrics)
 * on NEWS_HTTP_PORT. Embedded, the gateway calls the manager in-process and
 * neither port is opened (unless EMBEDDED_INTERNAL_PORTS).
 */
import { SocialGraphClient, managerOf } from '@delinkcious/clients';
import { migrateServiceDatabase } from '@delinkcious/db';
import { ServiceMetrics, createServiceServer, inProcessUrl, opensOwnPort, serve, type Env, type ServiceDefinition } from '@delinkcious/kit';
import { readNewsServiceConfig } from './config.ts';
import { startNewsConsumer } from './consumer.ts';
import { FeedFanOut } from './fanout.ts';
import { DefaultNewsManager } from './manager.ts';
import { embeddedChoice, migrationsDir, openNewsStore } from './stores/open.ts';
import { bindGrpc, createNewsGrpcServer } from './transport/grpc.ts';
import type { ServingStatus } from './transport/health.ts';

export { migrationsDir };

/** Rejects when `promise` takes longer than `ms`: a probe must answer, not hang on a dead store. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function grpcMetrics(metrics: ServiceMetrics) {
  const handled = metrics.counter('grpc_server_handled_total', 'gRPC calls answered, by method and outcome (ok, err: a service error in `err`, unauthenticated)', [
    'method',
    'outcome',
  ]);
  const seconds = metrics.histogram('grpc_server_handling_seconds', 'gRPC call latency, by method', ['method'], [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);
  return (outcome: string, s: number) => {
    handled.inc({ method: 'GetNews', outcome });
    seconds.observe({ method: 'GetNews' }, s);
  };
}

export const newsService: ServiceDefinition = {
  name: 'news-service',
  checkConfig: (env: Env) => void readNewsServiceConfig(env),

  async start(context) {
    const config = readNewsServiceConfig(context.env);
    const { logger, lifecycle } = context;
    const { store, kind } = await openNewsStore(config, logger);
    lifecycle.onClose('news store', () => store.close());
    if (kind === 'pglite' && !context.embedded) {
      logger.warn('REDIS_URL is not set: feeds are kept in PGlite under DATA_DIR (fine for one process, not for replicas)');
    }

    const socialGraph = managerOf(
      context,
      'social-graph-service',
      () =>
        new SocialGraphClient({
          baseUrl: context.urlOf('social-graph-service'),
          callerToken: context.mutualAuth.outboundToken,
          timeoutMs: config.NEWS_DOWNSTREAM_TIMEOUT,
        }),
    );

    const metrics = new ServiceMetrics('news-service');
    const manager = new DefaultNewsManager({ store, pageSize: config.NEWS_PAGE_SIZE });
    const fanOut = new FeedFanOut({ store, socialGraph, batchSize: config.NEWS_FANOUT_BATCH });

    const storeReady = () => within(store.ping(), 1000, `the news store (${kind})`);
    const health = async (): Promise<ServingStatus> => {
      if (lifecycle.isClosing) return 'NOT_SERVING';
      return storeReady().then(
        () => 'SERVING',
        () => 'NOT_SERVING',
      );
    };

    const listens = opensOwnPort(context.local);
    let grpcPort = context.port;
    if (listens) {
      const grpcServer = await createNewsGrpcServer({ manager, mutualAuth: context.mutualAuth, health, logger, onCall: grpcMetrics(metrics) });
      grpcPort = await bindGrpc(grpcServer.server, context.host, context.port);
      lifecycle.onClose('news-service grpc', () => grpcServer.shutdown(config.SHUTDOWN_TIMEOUT / 2));
      logger.info({ host: context.host, port: grpcPort }, 'gRPC pb.News listening');
    }
    context.local?.provide(manager, logger);

    // Registered after the server, so it stops first: in-flight fan-outs finish, the rest is redelivered.
    const consumer = await startNewsConsumer({ bus: context.bus, fanOut, metrics, logger });
    lifecycle.onClose('link event consumer', () => consumer.close());

    const readiness = async () => {
      await storeReady();
      await within(context.bus.ping(), 1000, 'the event bus');
      // NATS up is not enough: after it lost its store the consumer is gone until it is re-created.
      await within(consumer.assertConsuming(), 1000, 'the link-event consumer');
    };
    context.local?.provideReadiness(readiness);
    if (!listens) return { url: inProcessUrl };

    const http = createServiceServer({ service: 'news-service', logger, metrics, mutualAuth: context.mutualAuth, readiness });
    // Probes and metrics only; embedded, they stay on loopback.
    const httpHost = context.embedded ? '127.0.0.1' : context.host;
    const httpPort = config.NEWS_HTTP_PORT ?? (grpcPort < 65535 && context.port !== 0 ? grpcPort + 1 : 0);
    const url = await serve(http, lifecycle, httpHost, httpPort, 'news-service');
    // The URL the command prints and harnesses poll for /readyz; the gRPC port is context.port.
    return { url };
  },

  async migrate(context) {
    const config = readNewsServiceConfig(context.env);
    if (config.REDIS_URL) return []; // Redis keys need no schema
    return migrateServiceDatabase(embeddedChoice(config), migrationsDir);
  },
};
