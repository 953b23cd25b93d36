/**
 * NewsManager over news-service's gRPC API (proto/news.proto, docs/design.md §3): a
 * caller cannot tell it from the local manager. Each call carries this
 * service's caller token in the metadata and a deadline; GetNews changes
 * nothing, so unanswered calls are retried with backoff, behind a circuit
 * breaker. A service error arrives in `err` and is thrown as the typed error
 * the manager threw (its kind rides in the trailing metadata; without it, the
 * error counts as the service being unavailable).
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { DelinkciousError} from '@delinkcious/object-model';
import { UnavailableError, errorFromStatus, statusByCode, type ErrorCode, type GetNewsResult, type NewsEventType, type NewsManager } from '@delinkcious/object-model';
import { ServiceBreaker, callerTokenHeader, traceHeaders, withRetries, type BreakerOptions } from '@delinkcious/kit';

const newsProtoPath = fileURLToPath(new URL('../../../proto/news.proto', import.meta.url));
const errorCodeKey = 'delinkcious-error-code';
/** Titles are not in the contract's Event: the service sends them in the trailing metadata, aligned with `events`. */
const titlesKey = 'delinkcious-titles-bin';

export interface NewsClientOptions {
  /** `http://host:port` (as urlOf answers) or `host:port`. */
  baseUrl: string;
  callerToken?: string | undefined;
  /** The deadline of each attempt. */
  timeoutMs?: number;
  retries?: number;
  breaker?: BreakerOptions;
}

interface WireEvent {
  eventType: NewsEventType;
  username: string;
  url: string;
  timestamp: { seconds: number; nanos: number } | null;
}

interface GetNewsResponse {
  events: WireEvent[] | null;
  nextToken: string;
  err: string;
}

type NewsGrpcClient = grpc.Client & {
  GetNews(
    request: { username: string; startToken: string },
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, response?: GetNewsResponse) => void,
  ): grpc.ClientUnaryCall;
};

let grpcClientClass: (new (address: string, credentials: grpc.ChannelCredentials) => NewsGrpcClient) | undefined;

function newsGrpcClientClass() {
  if (!grpcClientClass) {
    const definition = protoLoader.loadSync(newsProtoPath, { keepCase: true, enums: String, longs: Number, defaults: true });
    const loaded = grpc.loadPackageDefinition(definition) as unknown as { pb: { News: typeof grpcClientClass } };
    grpcClientClass = loaded.pb.News;
  }
  return grpcClientClass!;
}

/** Not answered, or answered that it is overloaded or restarting: worth another try. */
class TransientError extends UnavailableError {}

const transientCodes = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.RESOURCE_EXHAUSTED]);

export class NewsClient implements NewsManager {
  private readonly grpc: NewsGrpcClient;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly breaker: ServiceBreaker<[string, string], GetNewsResult>;

  constructor(private readonly options: NewsClientOptions) {
    const address = /^\w+:\/\//.test(options.baseUrl) ? new URL(options.baseUrl).host : options.baseUrl;
    const GrpcClient = newsGrpcClientClass();
    this.grpc = new GrpcClient(address, grpc.credentials.createInsecure());
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.retries = options.retries ?? 2;
    this.breaker = new ServiceBreaker('news-service', (username: string, startToken: string) => this.attempt(username, startToken), options.breaker);
  }

  async getNews(username: string, startToken = ''): Promise<GetNewsResult> {
    return withRetries(() => this.breaker.fire(username, startToken), {
      retries: this.retries,
      baseDelayMs: 50,
      maxDelayMs: 1000,
      shouldRetry: (error) => error instanceof TransientError,
    });
  }

  /** Closes the channel and stops the breaker's timers. */
  close(): void {
    this.breaker.close();
    this.grpc.close();
  }

  private attempt(username: string, startToken: string): Promise<GetNewsResult> {
    const metadata = new grpc.Metadata();
    if (this.options.callerToken) metadata.set(callerTokenHeader, this.options.callerToken);
    const { traceparent } = traceHeaders();
    if (traceparent) metadata.set('traceparent', traceparent);
    return new Promise((resolve, reject) => {
      let response: GetNewsResponse | undefined;
      let failure: grpc.ServiceError | null = null;
      const call = this.grpc.GetNews({ username, startToken }, metadata, { deadline: Date.now() + this.timeoutMs }, (error, value) => {
        failure = error;
        response = value;
      });
      // The status (with the trailing metadata) comes after the callback: settle on it.
      call.on('status', (status: grpc.StatusObject) => {
        if (failure || !response) reject(this.callError(failure ?? status));
        else if (response.err) reject(serviceError(response.err, status.metadata));
        else resolve(fromWire(response, titlesFrom(status.metadata)));
      });
    });
  }

  private callError(error: { code: grpc.status; details: string }): Error {
    if (error.code === grpc.status.UNAUTHENTICATED) {
      // The service refused this caller, not the user: a deployment fault, not "Access Denied".
      return new UnavailableError(`news-service refused this service's caller token (${error.details})`);
    }
    if (transientCodes.has(error.code)) {
      const reason = error.code === grpc.status.DEADLINE_EXCEEDED ? `no answer within ${this.timeoutMs} ms` : 'unreachable';
      return new TransientError(`news-service is unavailable (${reason})`);
    }
    return new UnavailableError(`news-service failed: ${error.details || grpc.status[error.code]}`);
  }
}

function serviceError(err: string, trailer: grpc.Metadata): DelinkciousError {
  const [code] = trailer.get(errorCodeKey);
  const status = typeof code === 'string' && Object.hasOwn(statusByCode, code) ? statusByCode[code as ErrorCode] : 503;
  return errorFromStatus(status, err);
}

function titlesFrom(trailer: grpc.Metadata): string[] {
  const [value] = trailer.get(titlesKey);
  try {
    const titles: unknown = value ? JSON.parse(Buffer.from(value).toString('utf8')) : [];
    return Array.isArray(titles) ? titles.map(String) : [];
  } catch {
    return [];
  }
}

function fromWire(response: GetNewsResponse, titles: string[]): GetNewsResult {
  return {
    events: (response.events ?? []).map((event, i) => ({
      eventType: event.eventType,
      username: event.username,
      url: event.url,
      title: titles[i] ?? '',
      timestamp: new Date(Number(event.timestamp?.seconds ?? 0) * 1000 + Math.floor((event.timestamp?.nanos ?? 0) / 1_000_000)),
    })),
    nextToken: response.nextToken,
  };
}
