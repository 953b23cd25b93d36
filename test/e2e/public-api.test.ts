/**
 * The whole-system suite: the public API, over real HTTP through the gateway
 * only, against two deployments of the same code:
 * - embedded: one `delinkcious start` process (PGlite, generated caller tokens);
 * - separate: user-service, social-graph-service, link-service and api-gateway,
 *   each its own `delinkcious start --service` process on its own PostgreSQL
 *   database, with a shared mutual-auth file and discovery through
 *   <NAME>_SERVICE_HOST/_PORT (skipped when TEST_DATABASE_URL is unavailable;
 *   required in CI).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { externalService, startEmbedded, startSeparate, type Deployment, type SeparateDeployment } from '@delinkcious/testing';
import { withGitHub, type GitHub } from './support/github.ts';
import { call, waitFor } from './support/http.ts';
import { publicApiSuite } from './support/public-api-suite.ts';

const startUpTimeout = { timeout: 120_000 };

describe('public API, embedded: one `delinkcious start` process', () => {
  let deployment: (Deployment & { github: GitHub }) | undefined;
  before(async () => {
    deployment = await withGitHub((githubEnv) => startEmbedded({ extraEnv: githubEnv }));
  }, startUpTimeout);
  after(() => deployment?.stop(), startUpTimeout);

  publicApiSuite(() => deployment!);
});

const postgres = await externalService('TEST_DATABASE_URL');

describe('public API, separate processes: one per service, on PostgreSQL', { skip: postgres.skip }, () => {
  let deployment: (SeparateDeployment & { github: GitHub }) | undefined;
  before(async () => {
    // The public API's four services (no news-service, no link-checker, so no Redis or NATS needed).
    deployment = await withGitHub((githubEnv) =>
      startSeparate({
        databaseUrl: postgres.url!,
        services: ['user-service', 'social-graph-service', 'link-service', 'api-gateway'],
        serviceEnv: { 'api-gateway': githubEnv },
      }),
    );
  }, startUpTimeout);
  after(() => deployment?.stop(), startUpTimeout);

  publicApiSuite(() => deployment!);

  test('a dead social-graph-service gives a fast 503, never a hang; restarted on its port, the route works again', async () => {
    const d = deployment!;
    const api = (method: string, path: string, token: string) => call(d.baseUrl, method, path, { token, timeoutMs: 30_000 });
    const token = await d.signIn('outage-user');
    await d.signIn('outage-friend');
    assert.equal((await call(d.baseUrl, 'POST', '/v1/following', { token, json: { followed: 'outage-friend' } })).status, 200);
    assert.equal((await api('GET', '/v1/links', token)).status, 200);

    await d.kill('social-graph-service');
    const timings: number[] = [];
    for (let i = 0; i < 6; i++) {
      const answer = await api('GET', '/v1/following', token);
      timings.push(Math.round(answer.ms));
      assert.equal(answer.status, 503, `attempt ${i + 1}: ${answer.status} ${answer.text.slice(0, 200)}`);
      assert.match(answer.body.err, /social-graph-service/);
      assert.ok(answer.ms < 3000, `answered in ${Math.round(answer.ms)} ms, well under 5 s`);
    }
    const followers = await api('GET', '/v1/followers', token);
    assert.equal(followers.status, 503);
    assert.ok(followers.ms < 3000, `GET /v1/followers answered in ${Math.round(followers.ms)} ms`);
    // Only the routes of the dead service fail: links and sign-in work on.
    assert.equal((await api('GET', '/v1/links', token)).status, 200);
    await d.signIn('outage-newcomer');
    console.log(`# 503 from a dead social-graph-service in ${timings.join(', ')} ms`);

    await d.restart('social-graph-service');
    const back = await waitFor(() => api('GET', '/v1/following', token), {
      what: 'GET /v1/following to answer 200 again',
      until: (answer) => answer.status === 200,
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    assert.deepEqual(back.body, { err: '', following: { 'outage-friend': true } }, 'the follows are still there (PostgreSQL)');
  });
});
