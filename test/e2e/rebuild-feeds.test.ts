/**
 * `delinkcious rebuild-feeds` end to end: people follow each other and save
 * public and private links; the feeds are lost (distributed: every Redis key
 * of this deployment's prefix; embedded: the feed rows, with the process
 * stopped); the command rebuilds them, and every `GET /v1/news` answers what
 * it answered before: nothing missing, nothing private.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openServiceDatabase } from '@delinkcious/db';
import { migrationsDir as newsMigrations } from '@delinkcious/news-service';
import {
  deleteRedisKeys,
  externalService,
  makeTemporaryDirectory,
  natsServerBinary,
  removeTemporaryDirectory,
  runDelinkcious,
  startEmbedded,
  startSeparate,
  type Deployment,
  type SeparateDeployment,
} from '@delinkcious/testing';
import { call } from './support/http.ts';
import { newRun, readFeed, userOf, waitForFeed, type NewsEvent } from './support/news-suite.ts';

const startUpTimeout = { timeout: 150_000 };

/** What the people of one run did, and their feeds once the fan-out has written them. */
async function populate(deployment: Deployment) {
  const run = newRun();
  const [alice, bob, carol] = ['rb-alice', 'rb-bob', 'rb-carol'].map((name) => userOf(run, name)) as [string, string, string];
  const tokens = { alice: await deployment.signIn(alice), bob: await deployment.signIn(bob), carol: await deployment.signIn(carol) };
  const ok = async (what: string, method: string, path: string, token: string, json: unknown) => {
    const answer = await call(deployment.baseUrl, method, path, { token, json, timeoutMs: 30_000 });
    assert.ok(answer.status < 300, `${what}: ${answer.status} ${answer.text.slice(0, 300)}`);
  };
  await ok('carol follows alice', 'POST', '/v1/following', tokens.carol, { followed: alice });
  await ok('carol follows bob', 'POST', '/v1/following', tokens.carol, { followed: bob });
  await ok('bob follows alice', 'POST', '/v1/following', tokens.bob, { followed: alice });
  const url = (who: string, what: string) => `https://rebuild-${run}.example/${who}/${what}`;
  for (const [who, token, what, isPrivate] of [
    ['alice', tokens.alice, 'one', false],
    ['alice', tokens.alice, 'secret', true],
    ['bob', tokens.bob, 'one', false],
    ['alice', tokens.alice, 'two', false],
    ['bob', tokens.bob, 'secret', true],
    ['alice', tokens.alice, 'three', false],
  ] as const) {
    await ok(`${who} saves ${what}`, 'POST', '/v1/links', token, { url: url(who, what), title: `${who} ${what}`, private: isPrivate });
  }
  const carolFeed = await waitForFeed(deployment.baseUrl, tokens.carol, 'carol’s feed has the four public links', (events) => events.length === 4);
  const bobFeed = await waitForFeed(deployment.baseUrl, tokens.bob, 'bob’s feed has alice’s three public links', (events) => events.length === 3);
  // A sync point: the last link was fanned out, so the private ones (saved before it) would be there by now.
  for (const feed of [carolFeed, bobFeed]) assert.ok(feed.events.every((event) => !event.url.includes('secret')));
  return { users: { alice, bob, carol }, before: { carol: carolFeed.events, bob: bobFeed.events } };
}

async function feedsOf(deployment: Deployment, users: { bob: string; carol: string }): Promise<{ carol: NewsEvent[]; bob: NewsEvent[] }> {
  const [carolToken, bobToken] = [await deployment.signIn(users.carol), await deployment.signIn(users.bob)];
  return { carol: (await readFeed(deployment.baseUrl, carolToken)).events, bob: (await readFeed(deployment.baseUrl, bobToken)).events };
}

async function rebuild(env: Record<string, string>): Promise<string> {
  const command = runDelinkcious(['rebuild-feeds'], env);
  const code = await command.exited;
  assert.equal(code, 0, `rebuild-feeds exited ${code}: ${command.stderr().slice(-2000)}`);
  assert.match(command.stdout(), /rebuild-feeds: done, \d+ feeds rebuilt/);
  return command.stdout();
}

const postgres = await externalService('TEST_DATABASE_URL');
const redis = await externalService('TEST_REDIS_URL');
const natsServer = natsServerBinary();

describe('rebuild-feeds, separate processes: feeds in Redis lost and rebuilt while the system runs', { skip: postgres.skip || redis.skip || natsServer.skip }, () => {
  let deployment: SeparateDeployment | undefined;
  before(async () => {
    deployment = await startSeparate({ databaseUrl: postgres.url!, redisUrl: redis.url!, natsServerBinary: natsServer.path! });
  }, startUpTimeout);
  after(() => deployment?.stop(), startUpTimeout);

  test('after every key of the news prefix is deleted, GET /v1/news answers as before; a second run changes nothing', { timeout: 120_000 }, async () => {
    const { users, before: expected } = await populate(deployment!);
    // Only this deployment's keys: its own prefix on the shared Redis.
    await deleteRedisKeys(redis.url!, deployment!.redisKeyPrefix!);
    assert.deepEqual(await feedsOf(deployment!, users), { carol: [], bob: [] }, 'the feeds are gone');

    const output = await rebuild(deployment!.env('news-service'));
    assert.match(output, /in redis/);
    assert.deepEqual(await feedsOf(deployment!, users), expected);
    await rebuild(deployment!.env('news-service'));
    assert.deepEqual(await feedsOf(deployment!, users), expected);
  });

  test('a failure is one line and a non-zero exit', { timeout: 60_000 }, async () => {
    const env = { ...deployment!.env('news-service'), SOCIAL_GRAPH_MANAGER_SERVICE_PORT: '1' };
    const command = runDelinkcious(['rebuild-feeds'], env);
    assert.equal(await command.exited, 1);
    const lines = command.stderr().trim().split('\n');
    assert.equal(lines.length, 1, command.stderr());
    assert.match(lines[0]!, /^rebuild-feeds failed: .*social-graph-service/);
  });
});

describe('rebuild-feeds, embedded: the feed rows lost and rebuilt with the process stopped', () => {
  const dataDir = join(makeTemporaryDirectory('delinkcious-rebuild-'), 'data');
  let deployment: Deployment | undefined;
  after(async () => {
    await deployment?.stop();
    removeTemporaryDirectory(join(dataDir, '..'));
  }, startUpTimeout);

  test('after the feed rows are deleted, GET /v1/news answers as before', { timeout: 300_000 }, async () => {
    deployment = await startEmbedded({ extraEnv: { DATA_DIR: dataDir } });
    const { users, before: expected } = await populate(deployment);
    await deployment.stop();
    deployment = undefined;

    const db = await openServiceDatabase({ database: 'news_manager', dataDir }, newsMigrations);
    try {
      await db.query('DELETE FROM news_feed');
    } finally {
      await db.close();
    }
    assert.match(await rebuild({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' }), /in the embedded database/);

    deployment = await startEmbedded({ extraEnv: { DATA_DIR: dataDir } });
    assert.deepEqual(await feedsOf(deployment, users), expected);
  });

  test('without an embedded database under DATA_DIR it says so and exits 2', async () => {
    const command = runDelinkcious(['rebuild-feeds'], { DATA_DIR: join(dataDir, 'nothing-here') });
    assert.equal(await command.exited, 2);
    assert.match(command.stderr(), /no embedded database under DATA_DIR/);
  });
});
