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
 * The separate deployment also goes through failures: news-service killed
 * while links are added, and NATS stopped while links are added; every event
 * still reaches the feed, exactly once. And the link-checker, its own process,
 * reports a check over NATS.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { externalService, natsServerBinary, startEmbedded, startSeparate, type Deployment, type SeparateDeployment } from '@delinkcious/testing';
import { call, waitFor } from './support/http.ts';
import { countByUrl, newRun, newsSuite, readFeed, userOf, waitForFeed, type NewsEvent } from './support/news-suite.ts';

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

/** Messages news-service's durable consumer has not yet acknowledged, on the deployment's own NATS. */
async function unacknowledged(natsUrl: string): Promise<number> {
  const nc = await connect({ servers: natsUrl, timeout: 3000 });
  try {
    const info = await (await jetstreamManager(nc)).consumers.info('DELINKCIOUS', 'news-service');
    return info.num_pending + info.num_ack_pending;
  } finally {
    await nc.close();
  }
}

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

  /** alice follows bob; one link of bob's shows the pipeline is flowing. */
  async function aliceFollowsBob(scenario: string) {
    const run = newRun();
    const alice = userOf(run, `${scenario}-alice`);
    const bob = userOf(run, `${scenario}-bob`);
    const [aliceToken, bobToken] = await Promise.all([deployment!.signIn(alice), deployment!.signIn(bob)]);
    assert.equal((await api('POST', '/v1/following', aliceToken, { followed: bob })).status, 200);
    const site = `https://${run}.${scenario}.example`;
    assert.equal((await api('POST', '/v1/links', bobToken, { url: `${site}/first`, title: 'First' })).status, 200);
    const first = await waitForFeed(deployment!.baseUrl, aliceToken, 'bob’s first link in alice’s feed', (events) => events.length > 0);
    assert.deepEqual(first.events.map((event) => event.url), [`${site}/first`]);
    return { alice, bob, aliceToken, bobToken, site };
  }

  function assertEachOnce(events: NewsEvent[], urls: string[], author: string): void {
    const counts = countByUrl(events);
    const wrong = urls.filter((url) => counts.get(url) !== 1).map((url) => `${url}: ${counts.get(url) ?? 0}`);
    assert.deepEqual(wrong, [], 'every link reached the feed exactly once');
    for (const event of events.filter((e) => urls.includes(e.url))) {
      assert.equal(event.event_type, 'LINK_ADDED');
      assert.equal(event.username, author);
    }
  }

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

  test('news-service killed (SIGKILL) while bob adds 20 links, restarted on its ports: each link reaches alice exactly once', async () => {
    const d = deployment!;
    const { aliceToken, bobToken, bob, site } = await aliceFollowsBob('crash');
    const urls = Array.from({ length: 20 }, (_, i) => `${site}/crash/${i + 1}`);
    let killed: Promise<void> | undefined;
    for (const [i, url] of urls.entries()) {
      const added = await api('POST', '/v1/links', bobToken, { url, title: `Crash ${i + 1}` });
      assert.equal(added.status, 200, `link ${i + 1}: ${added.text}`);
      if (i === 4) killed = d.kill('news-service'); // mid-stream: some fanned out, some in flight, the rest not yet
    }
    await killed;

    // Meanwhile the gateway fails fast on the feed, and nothing else.
    const dead = await api('GET', '/v1/news', aliceToken);
    assert.equal(dead.status, 503, dead.text);
    assert.ok(dead.ms < 10_000, `503 in ${Math.round(dead.ms)} ms`);
    assert.equal((await api('GET', '/v1/links', bobToken)).status, 200);

    const restarting = Date.now();
    await d.restart('news-service');
    console.log(`# news-service restarted in ${Date.now() - restarting} ms`);
    const all = (events: NewsEvent[]) => urls.every((url) => events.some((event) => event.url === url));
    await waitForFeed(d.baseUrl, aliceToken, 'all 20 links in alice’s feed', all, 90_000);

    // Exactly once is judged when nothing can be redelivered any more: the consumer has acknowledged
    // everything (messages the killed process had taken come back only after the ack wait, 30 s).
    const settling = Date.now();
    await waitFor(() => unacknowledged(d.nats!.url), {
      what: 'news-service to acknowledge every event',
      until: (left) => left === 0,
      timeoutMs: 90_000,
      intervalMs: 1000,
    });
    console.log(`# consumer settled ${Date.now() - settling} ms after the feed was complete`);
    const final = await readFeed(d.baseUrl, aliceToken);
    assertEachOnce(final.events, urls, bob);
    assert.equal(final.events.length, 21, 'the first link and the 20, nothing else');
  });

  test('NATS stopped: 10 links added through the gateway succeed (the outbox keeps them); NATS back on its port and store, all 10 reach alice', async () => {
    const d = deployment!;
    const nats = d.nats!;
    const { aliceToken, bobToken, bob, site } = await aliceFollowsBob('outage');
    await nats.stop();
    assert.equal(nats.running, false);

    const urls = Array.from({ length: 10 }, (_, i) => `${site}/outage/${i + 1}`);
    for (const [i, url] of urls.entries()) {
      const added = await api('POST', '/v1/links', bobToken, { url, title: `Outage ${i + 1}` });
      assert.equal(added.status, 200, `link ${i + 1} while NATS is down: ${added.status} ${added.text}`);
    }
    const stillThere = await readFeed(d.baseUrl, aliceToken);
    assert.equal(stillThere.events.length, 1, 'nothing new could be fanned out without NATS');

    const back = Date.now();
    await nats.start();
    const all = (events: NewsEvent[]) => urls.every((url) => events.some((event) => event.url === url));
    const reached = await waitForFeed(d.baseUrl, aliceToken, 'all 10 links in alice’s feed', all, 60_000);
    console.log(`# 10 events through ${Date.now() - back} ms after NATS came back`);
    assertEachOnce(reached.events, urls, bob);
    assert.equal(reached.events.length, 11);
  });
});
