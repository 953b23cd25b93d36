/** Helpers shared by news-service tests. */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import type { Bus } from '@delinkcious/events';
import { Lifecycle, ServiceMetrics, createLogger, createServiceServer, listen, mutualAuthFromTokens, type Env } from '@delinkcious/kit';
import type { LinkEvent, LinkEventType } from '@delinkcious/object-model';
import { newsProtoPath } from '@delinkcious/proto';
import { DefaultSocialGraphManager, MemorySocialGraphStore, registerSocialGraphRoutes } from '@delinkcious/social-graph-service';
import { deleteRedisKeys, freePort } from '@delinkcious/testing';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { RedisNewsStore } from '../../src/stores/redis-news-store.ts';
import { newsService } from '../../src/main.ts';

/** Deletes every key under `prefix` (tests own their prefix). */
export const deleteKeys = deleteRedisKeys;

/** A RedisNewsStore under a key prefix of its own, and a close that deletes its keys. */
export async function redisStoreFixture(url: string, feedMax: number, purpose: string) {
  const keyPrefix = `test:${purpose}:${randomBytes(6).toString('hex')}:`;
  const store = new RedisNewsStore(new Redis(url), { feedMax, keyPrefix });
  return {
    store,
    async close() {
      await deleteKeys(url, keyPrefix);
      await store.close();
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const logger = createLogger('news-service-test');
logger.level = process.env.TEST_LOG_LEVEL ?? 'silent';

const base = Date.parse('2026-03-01T12:00:00.000Z');
let seq = 0;

export function linkEvent(type: LinkEventType, author: string, url: string, secondsLater: number, id = `ev-${process.pid}-${++seq}`): LinkEvent {
  return {
    id,
    type,
    username: author,
    link: { url, title: `Title of ${url}`, description: '', status: 'pending', tags: [] },
    timestamp: new Date(base + secondsLater * 1000).toISOString(),
  };
}

/** Tokens of mutual auth, as the embedded process generates them. */
export const tokens = { 'news-service': 'n'.repeat(32), 'api-gateway': 'g'.repeat(32), 'social-graph-service': 's'.repeat(32) };

/** social-graph-service's HTTP API on a memory store: what news-service reads followers from. */
export async function startSocialGraph() {
  const graph = new DefaultSocialGraphManager({ store: new MemorySocialGraphStore() });
  const server = createServiceServer({
    service: 'social-graph-service',
    logger,
    metrics: new ServiceMetrics('social-graph-service'),
    mutualAuth: mutualAuthFromTokens('social-graph-service', tokens),
  });
  registerSocialGraphRoutes(server, graph);
  const url = await listen(server, '127.0.0.1', 0);
  return { graph, url, close: () => server.close() };
}

export interface RunningNews {
  grpcAddress: string;
  httpUrl: string;
  lifecycle: Lifecycle;
}

/** news-service started through its ServiceDefinition, as the command starts it. */
export async function startNews(options: { env: Env; bus: Bus; socialGraphUrl: string; embedded?: boolean }): Promise<RunningNews> {
  const port = await freePort();
  const lifecycle = new Lifecycle();
  const { url } = await newsService.start({
    env: { NEWS_HTTP_PORT: '0', ...options.env },
    host: '127.0.0.1',
    port,
    embedded: options.embedded ?? false,
    mutualAuth: mutualAuthFromTokens('news-service', tokens),
    bus: options.bus,
    lifecycle,
    logger,
    urlOf: (name) => (name === 'social-graph-service' ? options.socialGraphUrl : 'http://127.0.0.1:1'),
  });
  return { grpcAddress: `127.0.0.1:${port}`, httpUrl: url, lifecycle };
}

/**
 * A pb.News client built here from proto/news.proto alone, as any other
 * language's client would be: nothing of the server's code. Health, from the
 * standard health.proto.
 */
const loaded = grpc.loadPackageDefinition(
  protoLoader.loadSync([newsProtoPath, healthProtoPath], { keepCase: true, enums: String, longs: String, defaults: true }),
) as unknown as {
  pb: { News: new (address: string, credentials: grpc.ChannelCredentials) => grpc.Client };
  grpc: { health: { v1: { Health: new (address: string, credentials: grpc.ChannelCredentials) => grpc.Client } } };
};

export interface WireResponse {
  events: Array<{ eventType: string; username: string; url: string; timestamp: { seconds: string; nanos: number } }>;
  nextToken: string;
  err: string;
}

export function newsStub(address: string) {
  const client = new loaded.pb.News(address, grpc.credentials.createInsecure()) as grpc.Client & {
    GetNews(request: object, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response: WireResponse) => void): void;
  };
  return {
    getNews(request: { username: string; startToken?: string }, token?: string): Promise<WireResponse> {
      const metadata = new grpc.Metadata();
      if (token !== undefined) metadata.set('delinkcious-caller-token', token);
      return new Promise((resolve, reject) => {
        client.GetNews(request, metadata, { deadline: Date.now() + 10_000 }, (error, response) => (error ? reject(error) : resolve(response)));
      });
    },
    close: () => client.close(),
  };
}

export function healthStub(address: string) {
  const client = new loaded.grpc.health.v1.Health(address, grpc.credentials.createInsecure()) as grpc.Client & {
    Check(request: object, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response: { status: string }) => void): void;
    Watch(request: object): grpc.ClientReadableStream<{ status: string }>;
  };
  return {
    check(service = ''): Promise<string> {
      return new Promise((resolve, reject) => {
        client.Check({ service }, { deadline: Date.now() + 10_000 }, (error, response) => (error ? reject(error) : resolve(response.status)));
      });
    },
    /** Opens a Watch: the statuses heard so far, the first one, and how the stream ended (its gRPC status code). */
    watch(service = '') {
      const statuses: string[] = [];
      const stream = client.Watch({ service });
      const first = new Promise<string>((resolve) => stream.once('data', (response: { status: string }) => resolve(response.status)));
      stream.on('data', (response: { status: string }) => statuses.push(response.status));
      stream.on('error', () => undefined); // `ended` says how it ended
      const ended = new Promise<grpc.status>((resolve) => stream.on('status', (status: grpc.StatusObject) => resolve(status.code)));
      return { statuses, first, ended, cancel: () => stream.cancel() };
    },
    close: () => client.close(),
  };
}

/** `http://127.0.0.1:<port>` where nothing listens. */
export async function closedPortUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}
