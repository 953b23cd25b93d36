/**
 * Traces exported with OpenTelemetry (docs/design.md §7, docs/operations.md
 * "Traces"), received by a stand-in OTLP/HTTP collector on 127.0.0.1:
 * - with no OTEL_EXPORTER_OTLP_ENDPOINT, the start-up never imports the SDK;
 * - a bad OTEL_* value stops the command with one line naming it;
 * - embedded, one POST /v1/links is one trace: the gateway's HTTP span, the
 *   in-process call to link-service, the outbox relay, the bus hop and the fan-out;
 * - separate processes on PostgreSQL, Redis and NATS, one POST /v1/links is
 *   one trace across the gateway, link-service (HTTP and its database), the
 *   outbox relay, the NATS publish, news-service's consume and its fan-out in Redis;
 *   and one service exporting http/protobuf reaches the collector too.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import {
  externalService,
  natsServerBinary,
  OtlpReceiver,
  runDelinkcious,
  startEmbedded,
  startSeparate,
  type Deployment,
  type ReceivedSpan,
  type SeparateDeployment,
} from '@delinkcious/testing';
import { call } from './support/http.ts';

const startUpTimeout = { timeout: 150_000 };
const recorder = pathToFileURL(new URL('./support/record-loads.mjs', import.meta.url).pathname).href;
const sdkModule = /\/@opentelemetry\/(sdk-|instrumentation)|\/import-in-the-middle\//;

/** Export fast (batches every 100 ms) as OTLP/JSON to `receiver`. */
const exportTo = (receiver: OtlpReceiver): Record<string, string> => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
  OTEL_BSP_SCHEDULE_DELAY: '100',
});

/** NODE_OPTIONS that record every module the process resolves into `log`. */
const recordLoads = (log: string): Record<string, string> => ({ NODE_OPTIONS: `--import=${recorder}`, DELINKCIOUS_LOAD_LOG: log });

/** A site on 127.0.0.1 for the saved link (the link checker fetches it; nothing leaves the machine). */
async function localSite(): Promise<{ server: Server; url: string }> {
  const server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Bob follows alice; alice saves a link: answers the trace id of the gateway's span of that POST /v1/links. */
async function postOneLink(deployment: Deployment, receiver: OtlpReceiver, siteUrl: string): Promise<string> {
  const run = Math.random().toString(36).slice(2, 8);
  const alice = `alice${run}`;
  const aliceToken = await deployment.signIn(alice);
  const bobToken = await deployment.signIn(`bob${run}`);
  const followed = await call(deployment.baseUrl, 'POST', '/v1/following', { token: bobToken, json: { followed: alice } });
  assert.equal(followed.status, 200, followed.text);
  const added = await call(deployment.baseUrl, 'POST', '/v1/links', { token: aliceToken, json: { url: `${siteUrl}/${run}`, title: 'Traced' }, timeoutMs: 30_000 });
  assert.equal(added.status, 200, added.text);
  const root = await receiver.waitFor('the gateway span of POST /v1/links', (spans) =>
    spans.find((span) => span.kind === 2 && isPost(span) && isLinksPath(span) && !span.parentSpanId),
  );
  return root.traceId;
}

// HTTP semantic conventions, the current names and the older ones.
const isPost = (span: ReceivedSpan) => (span.attributes['http.request.method'] ?? span.attributes['http.method']) === 'POST';
const isLinksPath = (span: ReceivedSpan) => (span.attributes['url.path'] ?? span.attributes['http.target']) === '/v1/links';

// Database semantic conventions, the current names and the older ones.
const dbSystem = (span: ReceivedSpan) => span.attributes['db.system.name'] ?? span.attributes['db.system'];
const dbQuery = (span: ReceivedSpan) => String(span.attributes['db.query.text'] ?? span.attributes['db.statement'] ?? '');

/** The spans of the trace whose parent is not (yet) among them, the root apart. */
function orphans(spans: ReceivedSpan[]): ReceivedSpan[] {
  const ids = new Set(spans.map((span) => span.spanId));
  return spans.filter((span) => span.parentSpanId && !ids.has(span.parentSpanId));
}

/**
 * Waits until the trace holds a span matching each of `expected` (named for the
 * failure message) and is one tree: every span but the root under another of it.
 */
async function waitForTrace(receiver: OtlpReceiver, traceId: string, expected: Record<string, (span: ReceivedSpan) => boolean>): Promise<ReceivedSpan[]> {
  const complete = (spans: ReceivedSpan[]) => Object.values(expected).every((matches) => spans.some(matches)) && orphans(spans).length === 0;
  try {
    return await receiver.waitFor('every expected span of the trace', () => {
      const spans = receiver.trace(traceId);
      return complete(spans) ? spans : undefined;
    });
  } catch (error) {
    const spans = receiver.trace(traceId);
    const missing = Object.entries(expected)
      .filter(([, matches]) => !spans.some(matches))
      .map(([what]) => what);
    const named = (list: ReceivedSpan[]) => list.map((span) => `${span.service}: ${span.name} ${JSON.stringify(span.attributes)}`).join('; ');
    throw new Error(`trace ${traceId} lacks [${missing.join(', ')}], has parentless [${named(orphans(spans))}]; all: ${named(spans)}`, { cause: error });
  }
}

describe('traces: configuration', () => {
  test('a bad OTEL_EXPORTER_OTLP_PROTOCOL stops the command with one line naming it', async () => {
    const run = runDelinkcious(['start', '--service', 'user-service'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift',
    });
    assert.equal(await run.exited, 2);
    assert.equal(run.stderr().trim(), 'delinkcious: OTEL_EXPORTER_OTLP_PROTOCOL must be one of http/protobuf, http/json, grpc, got "thrift"');
  });
});

describe('traces, embedded: one `delinkcious start` process', () => {
  const receiver = new OtlpReceiver();
  const dir = mkdtempSync(join(tmpdir(), 'delinkcious-traces-'));
  let site: { server: Server; url: string };
  let deployment: Deployment | undefined;

  before(async () => {
    await receiver.start();
    site = await localSite();
  });
  after(async () => {
    await deployment?.stop();
    await receiver.stop();
    site?.server.close();
    rmSync(dir, { recursive: true, force: true });
  }, startUpTimeout);

  test('with no OTLP endpoint the start-up imports no OpenTelemetry SDK or instrumentation', startUpTimeout, async () => {
    const log = join(dir, 'off.log');
    const off = await startEmbedded({ extraEnv: recordLoads(log) });
    try {
      const loaded = readFileSync(log, 'utf8').split('\n');
      // The command runs from cli/src through tsx, or from the bundle `npm start` builds when it is up to date.
      assert.ok(loaded.some((url) => url.includes('/cli/src/main.ts') || url.includes('/cli/dist/delinkcious.mjs')), 'the recorder saw the start-up');
      assert.deepEqual(loaded.filter((url) => sdkModule.test(url)), []);
    } finally {
      await off.stop();
    }
  });

  test('one POST /v1/links is one trace: HTTP, the in-process call, the outbox relay, the bus hop and the fan-out', startUpTimeout, async () => {
    const log = join(dir, 'on.log');
    deployment = await startEmbedded({ extraEnv: { ...exportTo(receiver), ...recordLoads(log) } });
    assert.ok(readFileSync(log, 'utf8').split('\n').some((url) => url.includes('/@opentelemetry/sdk-node/')), 'the SDK was loaded');

    const traceId = await postOneLink(deployment, receiver, site.url);
    const spans = await waitForTrace(receiver, traceId, {
      'the in-process call to link-service': (span) => span.name === 'link-service addLink' && span.attributes['delinkcious.caller'] === 'api-gateway',
      'the outbox relay': (span) => span.name === 'outbox relay',
      'the publish': (span) => span.name === 'link.added publish' && span.kind === 4 && span.attributes['messaging.system'] === 'in-process',
      "news-service's consume": (span) => span.name === 'link.added process' && span.kind === 5,
      'the fan-out': (span) => span.name === 'news fan-out',
    });
    assert.ok(spans.every((span) => span.service === 'delinkcious'), 'one resource: the embedded process');
    assert.equal(spans.filter((span) => !span.parentSpanId).length, 1, 'one root: the gateway span');

    // A token in a URL is redacted in the span, as in the request log.
    const secret = `sekrit${Math.random().toString(36).slice(2, 10)}`;
    await call(deployment.baseUrl, 'GET', '/pinboard/v1/posts/recent', { query: { auth_token: `alice:${secret}`, format: 'json' } });
    await call(deployment.baseUrl, 'GET', `/feeds/news/${secret}`);
    const withSecrets = await receiver.waitFor('the spans of the two requests with a secret in the URL', (received) => {
      const found = received.filter((span) => span.kind === 2 && /\/pinboard\/v1\/posts\/recent|\/feeds\/news\//.test(String(span.attributes['url.path'] ?? span.attributes['http.target'] ?? '')));
      return found.length >= 2 ? found : undefined;
    });
    for (const span of withSecrets) {
      const attributes = JSON.stringify(span.attributes);
      assert.ok(!attributes.includes(secret), `no secret in ${attributes}`);
      assert.match(attributes, /\[redacted\]/);
    }
  });
});

const postgres = await externalService('TEST_DATABASE_URL');
const redis = await externalService('TEST_REDIS_URL');
const natsServer = natsServerBinary();
const skip = postgres.skip || redis.skip || natsServer.skip;

describe('traces, separate processes: all six services on PostgreSQL, Redis and a private NATS', { skip }, () => {
  const receiver = new OtlpReceiver();
  let site: { server: Server; url: string };
  let deployment: SeparateDeployment | undefined;

  before(async () => {
    await receiver.start();
    site = await localSite();
    deployment = await startSeparate({
      databaseUrl: postgres.url!,
      redisUrl: redis.url!,
      natsServerBinary: natsServer.path!,
      extraEnv: exportTo(receiver),
      // One service speaks protobuf, the default protocol, for the smoke check below.
      serviceEnv: { 'social-graph-service': { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' } },
    });
  }, startUpTimeout);
  after(async () => {
    await deployment?.stop();
    await receiver.stop();
    site?.server.close();
  }, startUpTimeout);

  test('one POST /v1/links is one trace: gateway → link-service → PostgreSQL → outbox → NATS → news-service → Redis', startUpTimeout, async () => {
    const traceId = await postOneLink(deployment!, receiver, site.url);
    const spans = await waitForTrace(receiver, traceId, {
      "the gateway's client call to link-service": (span) => span.service === 'api-gateway' && span.kind === 3,
      'link-service serving it': (span) => span.service === 'link-service' && span.kind === 2,
      "link-service's database, the outbox row": (span) => span.service === 'link-service' && dbSystem(span) === 'postgresql' && /INSERT INTO outbox/i.test(dbQuery(span)),
      'the outbox relay': (span) => span.service === 'link-service' && span.name === 'outbox relay',
      'the NATS publish': (span) => span.service === 'link-service' && span.name === 'link.added publish' && span.kind === 4 && span.attributes['messaging.system'] === 'nats',
      "news-service's consume": (span) => span.service === 'news-service' && span.name === 'link.added process' && span.kind === 5,
      'the fan-out': (span) => span.service === 'news-service' && span.name === 'news fan-out',
      'Redis': (span) => span.service === 'news-service' && dbSystem(span) === 'redis',
    });
    assert.equal(spans.filter((span) => !span.parentSpanId).length, 1, 'one root: the gateway span');
    const consume = spans.find((span) => span.name === 'link.added process')!;
    const publish = spans.find((span) => span.name === 'link.added publish')!;
    assert.equal(consume.parentSpanId, publish.spanId, 'the consume is the child of the publish, across NATS');
  });

  test('a service exporting http/protobuf reaches the collector', async () => {
    const body = await receiver.waitFor('a protobuf export', () => (receiver.protobufBodies.length > 0 ? Buffer.concat(receiver.protobufBodies) : undefined));
    // Protobuf keeps strings as UTF-8 bytes: the resource's service.name is in there.
    assert.ok(body.includes('social-graph-service'), 'the protobuf export names its service');
    assert.ok(!receiver.spans.some((span) => span.service === 'social-graph-service'), 'and came as protobuf, not JSON');
  });
});
