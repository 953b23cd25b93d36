/**
 * The news feed across processes, through the gateway only, against two
 * deployments of the same code:
 * - embedded: one `delinkcious start` process (PGlite, the in-process bus);
 * - separate: all six services, each its own `delinkcious start --service`
 *   process, on temporary PostgreSQL databases (TEST_DATABASE_URL), feeds in
 *   Redis under a key prefix of this run (TEST_REDIS_URL), and events on a
 *   private nats-server with JetStream (its own port and store, so this run
 *   shares no stream or durable consumer with any other). Skipped, with a
 *   line that says why, without PostgreSQL, Redis or nats-server; required in
 *   CI (DELINKCIOUS_REQUIRE_SERVICES=1).
 *
 * And the link-checker, its own process, reports a check over NATS. Failures
 * (NATS, Redis, link-service, news-service killed while links are added) are
 * in faults.test.ts.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { externalService, natsServerBinary, startEmbedded, startSeparate, type Deployment, type SeparateDeployment } from '@delinkcious/testing';
import { call, waitFor } from './support/http.ts';
import { newRun, newsSuite, userOf } from './support/news-suite.ts';

const startUpTimeout = { timeout: 150_000 };

describe('news feed, embedded: one `delinkcious start` process', () => {
  let deployment: Deployment | undefined;
  before(async () => {
    deployment = await startEmbedded();
  }, startUpTimeout);
  after(() => deployment?.stop(), startUpTimeout);

  newsSuite(() => deployment!);
});

const postgres = await externalService('TEST_DATABASE_URL');
const redis = await externalService('TEST_REDIS_URL');
const natsServer = natsServerBinary();
const skip = postgres.skip || redis.skip || natsServer.skip;

describe('news feed, separate processes: all six services on PostgreSQL, Redis and a private NATS', { skip }, () => {
  let deployment: SeparateDeployment | undefined;
  let site: Server;
  let siteUrl: string;
  const api = (method: string, path: string, token: string, json?: unknown) => call(deployment!.baseUrl, method, path, { token, json, timeoutMs: 30_000 });

  before(async () => {
    site = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    const started = Date.now();
    deployment = await startSeparate({ databaseUrl: postgres.url!, redisUrl: redis.url!, natsServerBinary: natsServer.path! });
    console.log(`# six services and nats-server ready in ${Date.now() - started} ms; redis prefix ${deployment.redisKeyPrefix}`);
  }, startUpTimeout);
  after(async () => {
    await deployment?.stop();
    site?.close();
  }, startUpTimeout);

  newsSuite(() => deployment!);

  test('link status across processes: the link-checker, its own process, reports over NATS; a live link on 127.0.0.1 becomes valid', async () => {
    const token = await deployment!.signIn(userOf(newRun(), 'checker'));
    const url = `${siteUrl}/live`;
    const added = await api('POST', '/v1/links', token, { url, title: 'A live site' });
    assert.equal(added.status, 200, added.text);
    const statusOf = async () => {
      const answer = await api('GET', '/v1/links', token);
      return (answer.body as { links: Array<{ Url: string; Status: string }> }).links.find((link) => link.Url === url)?.Status;
    };
    await waitFor(statusOf, { what: 'the link-checker to find the link valid', until: (status) => status === 'valid', timeoutMs: 60_000, intervalMs: 500 });
  });
});
