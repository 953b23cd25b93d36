/**
 * pb.News on the wire, shared by news-service and its client: how news.proto
 * is loaded, the metadata each call and answer carries, the message shapes and
 * their conversions. news.proto is the contract (docs/design.md §3); what it
 * has no field for rides in metadata a client built from the bare .proto ignores:
 * the kind of a service error, and the titles of the events.
 */
import { fileURLToPath } from 'node:url';
import type * as grpc from '@grpc/grpc-js';
import type * as protoLoader from '@grpc/proto-loader';
import { callerTokenHeader } from '@delinkcious/kit';
import { statusByCode, type ErrorCode, type GetNewsResult, type NewsEventType } from '@delinkcious/object-model';

// Found from this module, not the working directory; the Docker bundle keeps the layout (cli/src/bundle.ts).
export const newsProtoPath = fileURLToPath(new URL('../news.proto', import.meta.url));

// keepCase: the fields keep the contract's names (startToken, nextToken, eventType).
// google/protobuf/timestamp.proto is bundled with protobufjs: no include path needed.
const loaderOptions: protoLoader.Options = { keepCase: true, enums: String, longs: Number, defaults: true, oneofs: true };

export const newsMetadataKeys = {
  /** The calling service's token of mutual auth (the HTTP header of the same name). */
  callerToken: callerTokenHeader,
  /** W3C trace context: the service continues the caller's trace. */
  traceparent: 'traceparent',
  /** Trailer of a service error: its ErrorCode, so the client throws the error the manager threw. */
  errorCode: 'delinkcious-error-code',
  /** Trailer of an answer: the events' titles, a JSON array aligned with `events` (binary: titles are any text). */
  titles: 'delinkcious-titles-bin',
} as const;

export interface GetNewsRequest {
  username: string;
  startToken: string;
}

export interface WireTimestamp {
  seconds: number;
  nanos: number;
}

export interface WireEvent {
  eventType: NewsEventType;
  /** The author of the change. */
  username: string;
  url: string;
  timestamp: WireTimestamp | null;
}

export interface GetNewsResponse {
  /** Never null: proto-loader's `defaults` gives an absent repeated field as []. */
  events: WireEvent[];
  nextToken: string;
  /** A service error's message; '' when there is none. */
  err: string;
}

export type NewsGrpcClient = grpc.Client & {
  GetNews(
    request: GetNewsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, response?: GetNewsResponse) => void,
  ): grpc.ClientUnaryCall;
};

type NewsClientConstructor = (new (address: string, credentials: grpc.ChannelCredentials) => NewsGrpcClient) & { service: grpc.ServiceDefinition };

/** gRPC itself and pb.News: what a client or a server of the contract needs. */
export interface NewsGrpc {
  grpc: typeof grpc;
  /** The client class; `.service` is the definition a server adds. */
  News: NewsClientConstructor;
}

let loading: Promise<NewsGrpc> | undefined;

/**
 * gRPC and pb.News from news.proto, loaded once, when a client or server first needs them: an
 * embedded process, whose services call each other in-process, never loads gRPC (~0.1 s of a start).
 */
export function loadNewsGrpc(): Promise<NewsGrpc> {
  loading ??= Promise.all([import('@grpc/grpc-js'), import('@grpc/proto-loader')]).then(([grpcModule, loader]) => {
    const definition = grpcModule.loadPackageDefinition(loader.loadSync(newsProtoPath, loaderOptions)) as unknown as { pb: { News: NewsClientConstructor } };
    return { grpc: grpcModule, News: definition.pb.News };
  });
  return loading;
}

export function toTimestamp(date: Date): WireTimestamp {
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1_000_000 };
}

/** Millisecond precision, as the service stores it; a missing Timestamp is the epoch, as proto3 defaults it. */
export function fromTimestamp(timestamp: WireTimestamp | null | undefined): Date {
  return new Date(Number(timestamp?.seconds ?? 0) * 1000 + Math.floor((timestamp?.nanos ?? 0) / 1_000_000));
}

/** A page as the service answers it: the contract's response, and the titles in the trailer. */
export function toWire(result: GetNewsResult, Metadata: typeof grpc.Metadata): { response: GetNewsResponse; trailer: grpc.Metadata } {
  const trailer = new Metadata();
  trailer.set(newsMetadataKeys.titles, Buffer.from(JSON.stringify(result.events.map((event) => event.title))));
  return {
    response: {
      events: result.events.map((event) => ({ eventType: event.eventType, username: event.username, url: event.url, timestamp: toTimestamp(event.timestamp) })),
      nextToken: result.nextToken,
      err: '',
    },
    trailer,
  };
}

/** A service error as the service answers it: the message in `err` (events still a list), its kind in the trailer. */
export function errorToWire(code: ErrorCode, message: string, Metadata: typeof grpc.Metadata): { response: GetNewsResponse; trailer: grpc.Metadata } {
  const trailer = new Metadata();
  trailer.set(newsMetadataKeys.errorCode, code);
  return { response: { events: [], nextToken: '', err: message }, trailer };
}

/** The page a response and its trailer carry; titles missing or unreadable are ''. */
export function fromWire(response: GetNewsResponse, trailer: grpc.Metadata): GetNewsResult {
  const titles = titlesFrom(trailer);
  return {
    events: response.events.map((event, i) => ({
      eventType: event.eventType,
      username: event.username,
      url: event.url,
      title: titles[i] ?? '',
      timestamp: fromTimestamp(event.timestamp),
    })),
    nextToken: response.nextToken,
  };
}

/** The kind of a service error, as the service sent it (undefined when it sent none this side knows). */
export function errorCodeFrom(trailer: grpc.Metadata): ErrorCode | undefined {
  const [code] = trailer.get(newsMetadataKeys.errorCode);
  return typeof code === 'string' && Object.hasOwn(statusByCode, code) ? (code as ErrorCode) : undefined;
}

function titlesFrom(trailer: grpc.Metadata): string[] {
  const [value] = trailer.get(newsMetadataKeys.titles);
  try {
    const titles: unknown = value ? JSON.parse(Buffer.from(value).toString('utf8')) : [];
    return Array.isArray(titles) ? titles.map(String) : [];
  } catch {
    return [];
  }
}
