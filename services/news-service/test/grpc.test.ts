/**
 * news-service as the command starts it (embedded store, in-process bus),
 * called over gRPC by a client built from proto/news.proto alone.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { NewsClient } from '@delinkcious/clients';
import { InProcessBus } from '@delinkcious/events';
import { UnavailableError, ValidationError } from '@delinkcious/object-model';
import { closedPortUrl, healthStub, linkEvent, newsStub, startNews, startSocialGraph, tokens, type RunningNews } from './support/news-harness.ts';

const gateway = tokens['api-gateway'];

describe('news-service over gRPC (embedded store, in-process bus)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'news-grpc-'));
  const env = { DATA_DIR: dir, NEWS_PAGE_SIZE: '3' };
  let social: Awaited<ReturnType<typeof startSocialGraph>>;
  let bus: InProcessBus;
  let news: RunningNews;
  let stub: ReturnType<typeof newsStub>;
  const deleted = linkEvent('link.deleted', 'alice', 'https://a.example/1', 7);

  before(async () => {
    social = await startSocialGraph();
    bus = new InProcessBus();
    news = await startNews({ env, bus, socialGraphUrl: social.url, embedded: true });
    stub = newsStub(news.grpcAddress);
    await social.graph.follow('alice', 'bob');
    await social.graph.follow('carol', 'bob');
    // The in-process bus resolves once the consumer has handled the event.
    for (let n = 1; n <= 5; n++) await bus.publish(`link.added`, linkEvent('link.added', 'alice', `https://a.example/${n}`, n));
    await bus.publish('link.updated', linkEvent('link.updated', 'carol', 'https://c.example/', 6.25));
    await bus.publish('link.deleted', deleted);
  });
  after(async () => {
    stub?.close();
    await news?.lifecycle.close();
    await social?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('GetNews answers the contract: newest first, author as username, Timestamp, paged by nextToken', async () => {
    const first = await stub.getNews({ username: 'bob' }, gateway);
    assert.equal(first.err, '');
    assert.deepEqual(first.events, [
      { eventType: 'LINK_DELETED', username: 'alice', url: 'https://a.example/1', timestamp: { seconds: String(Date.parse('2026-03-01T12:00:07Z') / 1000), nanos: 0 } },
      { eventType: 'LINK_UPDATED', username: 'carol', url: 'https://c.example/', timestamp: { seconds: String(Date.parse('2026-03-01T12:00:06Z') / 1000), nanos: 250_000_000 } },
      { eventType: 'LINK_ADDED', username: 'alice', url: 'https://a.example/5', timestamp: { seconds: String(Date.parse('2026-03-01T12:00:05Z') / 1000), nanos: 0 } },
    ]);
    assert.notEqual(first.nextToken, '');
    const second = await stub.getNews({ username: 'bob', startToken: first.nextToken }, gateway);
    assert.deepEqual(second.events.map((e) => e.url), ['https://a.example/4', 'https://a.example/3', 'https://a.example/2']);
    const third = await stub.getNews({ username: 'bob', startToken: second.nextToken }, gateway);
    assert.deepEqual(third.events.map((e) => e.url), ['https://a.example/1']);
    assert.equal(third.nextToken, '');
  });

  test('an unknown user gets an empty list and no error; a service error travels in err, events still a list', async () => {
    assert.deepEqual(await stub.getNews({ username: 'nobody' }, gateway), { events: [], nextToken: '', err: '' });
    const bad = await stub.getNews({ username: 'bob', startToken: 'garbage' }, gateway);
    assert.deepEqual(bad.events, []);
    assert.match(bad.err, /start token/);
    assert.match((await stub.getNews({ username: '' }, gateway)).err, /username is required/);
  });

  test('a missing or unknown caller token is refused with UNAUTHENTICATED', async () => {
    await assert.rejects(stub.getNews({ username: 'bob' }), (error: grpc.ServiceError) => error.code === grpc.status.UNAUTHENTICATED);
    await assert.rejects(stub.getNews({ username: 'bob' }, 'x'.repeat(32)), (error: grpc.ServiceError) => error.code === grpc.status.UNAUTHENTICATED);
  });

  test('gRPC health answers SERVING, without a caller token; an unknown service is NOT_FOUND, or SERVICE_UNKNOWN to a Watch', async () => {
    const health = healthStub(news.grpcAddress);
    try {
      assert.equal(await health.check(), 'SERVING');
      assert.equal(await health.check('pb.News'), 'SERVING');
      await assert.rejects(health.check('other'), (error: grpc.ServiceError) => error.code === grpc.status.NOT_FOUND);
      const unknown = health.watch('other');
      assert.equal(await unknown.first, 'SERVICE_UNKNOWN');
      unknown.cancel();
    } finally {
      health.close();
    }
  });

  test('the HTTP side: healthz, readyz, and metrics with the fan-out histogram and consumed events', async () => {
    assert.equal((await fetch(`${news.httpUrl}/healthz`)).status, 200);
    assert.equal((await fetch(`${news.httpUrl}/readyz`)).status, 200);
    const metrics = await (await fetch(`${news.httpUrl}/metrics`)).text();
    assert.match(metrics, /news_fanout_duration_seconds_count\{service="news-service"\} 7/);
    assert.match(metrics, /events_consumed_total\{subject="link.added",result="ok",service="news-service"\} 5/);
    assert.match(metrics, /grpc_server_handled_total\{method="GetNews",outcome="unauthenticated"/);
  });

  test('NewsClient (libs/clients) over the same port: the manager interface, typed errors', async () => {
    const client = new NewsClient({ baseUrl: `http://${news.grpcAddress}`, callerToken: gateway, timeoutMs: 5000 });
    try {
      const page = await client.getNews('bob');
      assert.equal(page.events.length, 3);
      assert.deepEqual(page.events[1], {
        eventType: 'LINK_UPDATED',
        username: 'carol',
        url: 'https://c.example/',
        title: 'Title of https://c.example/', // outside the contract's Event: carried in the trailing metadata
        timestamp: new Date('2026-03-01T12:00:06.250Z'),
      });
      assert.deepEqual((await client.getNews('bob', (await client.getNews('bob', page.nextToken)).nextToken)).nextToken, '');
      await assert.rejects(client.getNews('bob', 'garbage'), ValidationError);
    } finally {
      client.close();
    }
    const refused = new NewsClient({ baseUrl: news.grpcAddress, callerToken: 'y'.repeat(32) });
    await assert.rejects(refused.getNews('bob'), (error) => error instanceof UnavailableError && /caller token/.test(error.message));
    refused.close();
    // Known callers that do not read feeds (authorization.ts) are refused by name.
    for (const caller of ['news-service', 'social-graph-service'] as const) {
      const stranger = new NewsClient({ baseUrl: news.grpcAddress, callerToken: tokens[caller], retries: 0 });
      await assert.rejects(stranger.getNews('bob'), (error: Error) => {
        assert.equal((error.cause as grpc.StatusObject | undefined)?.code, grpc.status.PERMISSION_DENIED, caller);
        assert.match((error.cause as grpc.StatusObject).details, new RegExp(`^${caller} may not call POST /pb.News/GetNews$`));
        return true;
      });
      stranger.close();
    }
    const nowhere = new NewsClient({ baseUrl: await closedPortUrl(), callerToken: gateway, timeoutMs: 500, retries: 1 });
    const started = Date.now();
    await assert.rejects(nowhere.getNews('bob'), (error) => {
      assert.ok(error instanceof UnavailableError);
      assert.equal((error.cause as grpc.StatusObject).code, grpc.status.UNAVAILABLE, 'the gRPC status is kept as the cause');
      return true;
    });
    assert.ok(Date.now() - started < 5000, 'a dead service is a fast UnavailableError');
    nowhere.close();
  });

  test('the feed survives a restart; a stopped service reports NOT_SERVING then is gone', async () => {
    const health = healthStub(news.grpcAddress);
    const watch = health.watch('pb.News');
    assert.equal(await watch.first, 'SERVING');
    // Registered last, this runs first on close: the server still answers, and says it is going away.
    let duringShutdown: string | undefined;
    news.lifecycle.onClose('probe', async () => void (duringShutdown = await health.check()));
    const closing = Date.now();
    await news.lifecycle.close();
    assert.equal(duringShutdown, 'NOT_SERVING');
    // A Watch hears it too, and is ended rather than holding the server open until the grace period runs out.
    assert.equal(await watch.ended, grpc.status.OK);
    assert.deepEqual(watch.statuses, ['SERVING', 'NOT_SERVING']);
    assert.ok(Date.now() - closing < 5000, 'closed without waiting out the grace period');
    await assert.rejects(health.check(), (error: grpc.ServiceError) => error.code === grpc.status.UNAVAILABLE);
    health.close();
    stub.close();

    // A fresh bus: the old one would drop a repeated id itself; here only the service's own marks can.
    bus = new InProcessBus();
    news = await startNews({ env, bus, socialGraphUrl: social.url, embedded: true });
    stub = newsStub(news.grpcAddress);
    const page = await stub.getNews({ username: 'bob' }, gateway);
    assert.deepEqual(page.events.map((e) => e.url), ['https://a.example/1', 'https://c.example/', 'https://a.example/5']);
    // A redelivery after the restart changes nothing, not even for a new follower: delivered marks are durable too.
    await social.graph.follow('alice', 'dave');
    await bus.publish('link.deleted', deleted);
    assert.deepEqual((await stub.getNews({ username: 'bob' }, gateway)).events.map((e) => e.url), page.events.map((e) => e.url));
    assert.deepEqual((await stub.getNews({ username: 'dave' }, gateway)).events, []);
  });
});

describe('news-service health with its store down', () => {
  test('Redis unreachable: gRPC health NOT_SERVING and /readyz 503, quickly', async () => {
    const social = await startSocialGraph();
    const news = await startNews({ env: { REDIS_URL: (await closedPortUrl()).replace('http', 'redis') }, bus: new InProcessBus(), socialGraphUrl: social.url });
    const health = healthStub(news.grpcAddress);
    try {
      const started = Date.now();
      assert.equal(await health.check(), 'NOT_SERVING');
      assert.equal((await fetch(`${news.httpUrl}/readyz`)).status, 503);
      assert.ok(Date.now() - started < 5000);
    } finally {
      health.close();
      await news.lifecycle.close();
      await social.close();
    }
  });
});
