/**
 * `delinkcious smoke` against the embedded deployment (one `delinkcious start`
 * process): it passes on a working system and leaves nothing behind, and a
 * failure is one line naming the step.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { freePort, runDelinkcious, startEmbedded, type Deployment } from '@delinkcious/testing';
import { smoke, SmokeFailure } from '../src/smoke.ts';

describe('delinkcious smoke', () => {
  let deployment: Deployment;
  let saver: string;
  let follower: string;
  before(async () => {
    deployment = await startEmbedded();
    saver = await deployment.signIn('smoke-saver');
    follower = await deployment.signIn('smoke-follower');
  });
  after(() => deployment?.stop());

  const get = async (token: string, path: string) => {
    const response = await fetch(new URL(path, deployment.baseUrl), { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200, path);
    return (await response.json()) as Record<string, unknown>;
  };

  test('passes against a working deployment, reports the checked status, and removes what it made', async () => {
    const lines: string[] = [];
    const report = await smoke({ url: deployment.baseUrl, token: saver, token2: follower, timeoutMs: 60_000, progress: (line) => lines.push(line) });
    assert.ok(['valid', 'invalid'].includes(report.status), report.status);
    assert.deepEqual(
      lines.map((line) => line.split(':')[0]),
      ['follow', 'save', 'list', 'check', 'news', 'delete'],
    );
    assert.deepEqual((await get(saver, '/v1/links')).links, [], 'the link is gone');
    assert.deepEqual((await get(follower, '/v1/following')).following, {}, 'the follow it made is undone');
  });

  test('a follow that existed before stays', async () => {
    const followed = await fetch(new URL('/v1/following', deployment.baseUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${follower}`, 'content-type': 'application/json' },
      body: JSON.stringify({ followed: 'smoke-saver' }),
    });
    assert.equal(followed.status, 200);
    await smoke({ url: deployment.baseUrl, token: saver, token2: follower, timeoutMs: 60_000 });
    assert.deepEqual((await get(follower, '/v1/following')).following, { 'smoke-saver': true });
  });

  test('names the step that failed and why', async () => {
    const failure = (options: Partial<Parameters<typeof smoke>[0]>) =>
      smoke({ url: deployment.baseUrl, token: saver, token2: follower, timeoutMs: 5_000, ...options }).then(
        () => assert.fail('smoke passed'),
        (error: unknown) => {
          assert.ok(error instanceof SmokeFailure, String(error));
          return error.message;
        },
      );
    assert.equal(await failure({ token2: saver }), 'smoke: who-am-i failed: both tokens belong to smoke-saver; token2 must be another user\'s');
    assert.match(await failure({ token: 'not-a-token' }), /^smoke: who-am-i failed: GET \/v1\/session answered 401: /);
    const closed = await freePort();
    assert.match(await failure({ url: `http://127.0.0.1:${closed}` }), /^smoke: who-am-i failed: cannot reach the server: .*ECONNREFUSED/);
  });

  test('the command exits 1 with one line on stderr when a step fails, 2 without its settings', async () => {
    // --token=T: a token may start with "-", which parseArgs takes for an option when it is the next argument.
    const failed = runDelinkcious(['smoke', '--url', deployment.baseUrl, `--token=${saver}`], { SMOKE_TOKEN2: saver, LOG_LEVEL: 'silent' });
    assert.equal(await failed.exited, 1, failed.stderr());
    assert.deepEqual(failed.stderr().trim().split('\n'), ["smoke: who-am-i failed: both tokens belong to smoke-saver; token2 must be another user's"]);

    const unset = runDelinkcious(['smoke', '--url', deployment.baseUrl, `--token=${saver}`], { SMOKE_TOKEN2: '', LOG_LEVEL: 'silent' });
    assert.equal(await unset.exited, 2, unset.stderr());
    assert.match(unset.stderr().trim(), /^delinkcious: smoke needs --token2 \(or SMOKE_TOKEN2\)/);
  });

  test('the command passes with its settings from the environment', async () => {
    const run = runDelinkcious(['smoke'], { SMOKE_URL: deployment.baseUrl, SMOKE_TOKEN: saver, SMOKE_TOKEN2: follower, SMOKE_TIMEOUT: '60s', LOG_LEVEL: 'silent' });
    assert.equal(await run.exited, 0, run.stderr());
    assert.match(run.stdout(), /^smoke: passed in \d+\.\ds$/m);
  });
});
