/**
 * pb.News over gRPC, exactly the contract of proto/news.proto (docs/design.md §3):
 * service errors travel in `err` (never as a gRPC status), `events` is never
 * null, Event.username is the author. The kind of error and the titles ride
 * in the trailing metadata (@delinkcious/proto says how). A call without a
 * known caller token is refused with UNAUTHENTICATED, a caller that may not
 * read feeds (authorization.ts) with PERMISSION_DENIED. A caller's
 * `traceparent` metadata continues its trace.
 */
import type * as grpc from '@grpc/grpc-js';
import { DelinkciousError, type NewsManager } from '@delinkcious/object-model';
import { childSpan, parseTraceparent, refusedCall, runInTrace, type Logger, type MutualAuth } from '@delinkcious/kit';
import { errorToWire, loadNewsGrpc, newsMetadataKeys, toWire, type GetNewsRequest, type GetNewsResponse } from '@delinkcious/proto';
import { addHealthService, type ServingStatus } from './health.ts';

export interface NewsGrpcOptions {
  manager: NewsManager;
  mutualAuth: MutualAuth;
  /** The health status: SERVING while the store answers and the service is not shutting down. */
  health: () => Promise<ServingStatus>;
  logger: Logger;
  /** Called once per GetNews with its outcome, for metrics. */
  onCall?: (outcome: 'ok' | 'err' | 'unauthenticated', seconds: number) => void;
}

export interface NewsGrpcServer {
  server: grpc.Server;
  /** Ends health Watch streams, then waits for calls in flight (forcing them after `graceMs`). */
  shutdown(graceMs?: number): Promise<void>;
}

/** GetNews as authorization.ts names it: the HTTP/2 request gRPC makes. */
const getNewsRoute = '/pb.News/GetNews';

/** The server (gRPC loads here: an embedded news-service serves in-process and never needs it). */
export async function createNewsGrpcServer(options: NewsGrpcOptions): Promise<NewsGrpcServer> {
  const { manager, mutualAuth, logger } = options;
  const { grpc, News } = await loadNewsGrpc();
  const server = new grpc.Server();

  server.addService(News.service, {
    GetNews(call: grpc.ServerUnaryCall<GetNewsRequest, GetNewsResponse>, callback: grpc.sendUnaryData<GetNewsResponse>) {
      const started = performance.now();
      const done = (outcome: 'ok' | 'err' | 'unauthenticated') => options.onCall?.(outcome, (performance.now() - started) / 1000);
      const [token] = call.metadata.get(newsMetadataKeys.callerToken);
      const caller = mutualAuth.verify(typeof token === 'string' ? token : undefined);
      if (!caller) {
        done('unauthenticated');
        callback({ code: grpc.status.UNAUTHENTICATED, details: token ? 'unknown caller token' : 'missing caller token' });
        return;
      }
      const refused = mutualAuth.enabled ? refusedCall('news-service', caller, 'POST', getNewsRoute) : undefined;
      if (refused) {
        done('unauthenticated');
        callback({ code: grpc.status.PERMISSION_DENIED, details: refused });
        return;
      }
      const { username, startToken } = call.request;
      const [traceparent] = call.metadata.get(newsMetadataKeys.traceparent);
      const trace = childSpan(parseTraceparent(typeof traceparent === 'string' ? traceparent : undefined));
      runInTrace(trace, () => manager.getNews(username, startToken || undefined)).then(
        (result) => {
          done('ok');
          const { response, trailer } = toWire(result, grpc.Metadata);
          callback(null, response, trailer);
        },
        (error: unknown) => {
          done('err');
          const known = error instanceof DelinkciousError;
          if (!known) logger.error({ err: error }, 'GetNews failed');
          const { response, trailer } = known
            ? errorToWire(error.code, error.message, grpc.Metadata)
            : errorToWire('unavailable', 'the news feed is unavailable right now', grpc.Metadata);
          callback(null, response, trailer);
        },
      );
    },
  });
  const health = await addHealthService(server, options.health);

  return {
    server,
    shutdown(graceMs = 10_000) {
      health.endWatches();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        timer.unref();
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

/** Binds `host:port` (0: any free port) and answers the port. */
export async function bindGrpc(server: grpc.Server, host: string, port: number): Promise<number> {
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const { grpc } = await loadNewsGrpc();
  return new Promise((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });
}
