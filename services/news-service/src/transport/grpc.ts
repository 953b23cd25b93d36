/**
 * pb.News over gRPC, exactly the contract of proto/news.proto (docs/design.md §3):
 * service errors travel in `err` (never as a gRPC status), `events` is never
 * null, Event.username is the author. The kind of error also rides in the
 * trailing metadata (`delinkcious-error-code`), outside the contract, so the
 * client can throw the same typed error the manager threw. Titles, which the
 * contract's Event has no field for, ride there too (`delinkcious-titles-bin`,
 * a JSON array aligned with `events`): a client built from the bare .proto
 * ignores them. A call without a known caller token is refused with
 * UNAUTHENTICATED. A caller's `traceparent` metadata continues its trace.
 */
import * as grpc from '@grpc/grpc-js';
import { DelinkciousError, type NewsEvent, type NewsManager } from '@delinkcious/object-model';
import { callerTokenHeader, childSpan, parseTraceparent, runInTrace, type Logger, type MutualAuth } from '@delinkcious/kit';
import { addHealthService, type ServingStatus } from './health.ts';
import { loadServiceDefinition, newsProtoPath } from './protos.ts';

export const errorCodeKey = 'delinkcious-error-code';
export const titlesKey = 'delinkcious-titles-bin';

interface GetNewsRequest {
  username: string;
  startToken: string;
}

interface WireEvent {
  eventType: NewsEvent['eventType'];
  username: string;
  url: string;
  timestamp: { seconds: number; nanos: number };
}

interface GetNewsResponse {
  events: WireEvent[];
  nextToken: string;
  err: string;
}

export function toTimestamp(date: Date): { seconds: number; nanos: number } {
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1_000_000 };
}

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

export function createNewsGrpcServer(options: NewsGrpcOptions): NewsGrpcServer {
  const { manager, mutualAuth, logger } = options;
  const server = new grpc.Server();

  server.addService(loadServiceDefinition(newsProtoPath, 'pb.News'), {
    GetNews(call: grpc.ServerUnaryCall<GetNewsRequest, GetNewsResponse>, callback: grpc.sendUnaryData<GetNewsResponse>) {
      const started = performance.now();
      const done = (outcome: 'ok' | 'err' | 'unauthenticated') => options.onCall?.(outcome, (performance.now() - started) / 1000);
      const [token] = call.metadata.get(callerTokenHeader);
      if (!mutualAuth.verify(typeof token === 'string' ? token : undefined)) {
        done('unauthenticated');
        callback({ code: grpc.status.UNAUTHENTICATED, details: token ? 'unknown caller token' : 'missing caller token' });
        return;
      }
      const { username, startToken } = call.request;
      const [traceparent] = call.metadata.get('traceparent');
      const trace = childSpan(parseTraceparent(typeof traceparent === 'string' ? traceparent : undefined));
      runInTrace(trace, () => manager.getNews(username, startToken || undefined)).then(
        (result) => {
          done('ok');
          const trailer = new grpc.Metadata();
          trailer.set(titlesKey, Buffer.from(JSON.stringify(result.events.map((e) => e.title))));
          callback(
            null,
            {
              events: result.events.map((e) => ({ eventType: e.eventType, username: e.username, url: e.url, timestamp: toTimestamp(e.timestamp) })),
              nextToken: result.nextToken,
              err: '',
            },
            trailer,
          );
        },
        (error: unknown) => {
          done('err');
          const known = error instanceof DelinkciousError;
          if (!known) logger.error({ err: error }, 'GetNews failed');
          const trailer = new grpc.Metadata();
          trailer.set(errorCodeKey, known ? error.code : 'unavailable');
          const err = known ? error.message : 'the news feed is unavailable right now';
          callback(null, { events: [], nextToken: '', err }, trailer);
        },
      );
    },
  });
  const health = addHealthService(server, options.health);

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
export function bindGrpc(server: grpc.Server, host: string, port: number): Promise<number> {
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return new Promise((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });
}
