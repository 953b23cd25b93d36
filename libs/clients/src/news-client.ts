/**
 * NewsManager over news-service's gRPC API (proto/news.proto, docs/design.md §3): a
 * caller cannot tell it from the local manager. Each call carries this
 * service's caller token in the metadata and a deadline; GetNews changes
 * nothing, so unanswered calls are retried with backoff, behind a circuit
 * breaker. A service error arrives in `err` and is thrown as the typed error
 * the manager threw (its kind rides in the trailing metadata; without it, the
 * error counts as the service being unavailable).
 */
import type * as grpc from '@grpc/grpc-js';
import { TransientError, UnavailableError, errorFromStatus, statusByCode, type DelinkciousError, type GetNewsResult, type NewsManager } from '@delinkcious/object-model';
import { LazyConnection, ServiceBreaker, traceHeaders, withRetries, type BreakerOptions } from '@delinkcious/kit';
import { errorCodeFrom, fromWire, loadNewsGrpc, newsMetadataKeys, type GetNewsResponse, type NewsGrpcClient } from '@delinkcious/proto';

export interface NewsClientOptions {
  /** `http://host:port` (as urlOf answers) or `host:port`. */
  baseUrl: string;
  callerToken?: string | undefined;
  /** The deadline of each attempt. */
  timeoutMs?: number;
  retries?: number;
  breaker?: BreakerOptions;
}

/** The channel to news-service, and the gRPC module it was made with. */
interface Channel {
  grpc: typeof grpc;
  client: NewsGrpcClient;
}

export class NewsClient implements NewsManager {
  /** Opened with the first call (gRPC loads then: loadNewsGrpc). */
  private readonly channel = new LazyConnection<Channel>(
    async () => {
      const { grpc, News } = await loadNewsGrpc();
      return { grpc, client: new News(this.address, grpc.credentials.createInsecure()) };
    },
    ({ client }) => client.close(),
  );
  private readonly address: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly breaker: ServiceBreaker<[string, string], GetNewsResult>;

  constructor(private readonly options: NewsClientOptions) {
    this.address = /^\w+:\/\//.test(options.baseUrl) ? new URL(options.baseUrl).host : options.baseUrl;
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
    this.channel.close();
  }

  private async attempt(username: string, startToken: string): Promise<GetNewsResult> {
    const { grpc, client } = this.channel.current ?? (await this.channel.open());
    const metadata = new grpc.Metadata();
    if (this.options.callerToken) metadata.set(newsMetadataKeys.callerToken, this.options.callerToken);
    const { traceparent } = traceHeaders();
    if (traceparent) metadata.set(newsMetadataKeys.traceparent, traceparent);
    return new Promise((resolve, reject) => {
      let response: GetNewsResponse | undefined;
      let failure: grpc.ServiceError | null = null;
      const call = client.GetNews({ username, startToken }, metadata, { deadline: Date.now() + this.timeoutMs }, (error, value) => {
        failure = error;
        response = value;
      });
      // The status (with the trailing metadata) comes after the callback: settle on it.
      call.on('status', (status: grpc.StatusObject) => {
        if (failure || !response) reject(callError(grpc, failure ?? status, this.timeoutMs));
        else if (response.err) reject(serviceError(response.err, status.metadata));
        else resolve(fromWire(response, status.metadata));
      });
    });
  }

}

/** The error a call refused or unanswered at the gRPC level is thrown as; its status stays the cause. */
function callError({ status }: typeof grpc, error: { code: grpc.status; details: string }, timeoutMs: number): Error {
  const cause = { cause: error };
  if (error.code === status.UNAUTHENTICATED) {
    // The service refused this caller, not the user: a deployment fault, not "Access Denied".
    return new UnavailableError(`news-service refused this service's caller token (${error.details})`, cause);
  }
  if (error.code === status.DEADLINE_EXCEEDED) return new UnavailableError(`news-service is unavailable (no answer within ${timeoutMs} ms)`, cause);
  // Worth another try: the call did not reach a working server. A deadline that ran out is not:
  // repeating a call to a slow service only adds to its load.
  if (error.code === status.UNAVAILABLE || error.code === status.RESOURCE_EXHAUSTED) {
    return new TransientError('news-service is unavailable (unreachable)', cause);
  }
  return new UnavailableError(`news-service failed: ${error.details || status[error.code]}`, cause);
}

/** The typed error the manager threw; without its kind, the service counts as unavailable. */
function serviceError(err: string, trailer: grpc.Metadata): DelinkciousError {
  const code = errorCodeFrom(trailer);
  return errorFromStatus(code ? statusByCode[code] : 503, err);
}
