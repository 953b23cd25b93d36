/**
 * deploy/docker/pod-runs.ts, which CI uses to run the image as the pods would:
 * the containers, security settings and environment come from the render, and
 * only the addresses move to 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { podRuns, settingsFrom } from '../docker/pod-runs.ts';
import { render } from './support/manifests.ts';

describe('deploy/docker/pod-runs.ts over the base', () => {
  const settings = settingsFrom({ POD_RUNS_OVERRIDES: 'DEV_LOGIN=true', POD_RUNS_NATS: 'nats://127.0.0.1:14222', POD_RUNS_NATS_PASSWORD: 'nats-pw' });
  const runs = podRuns(render('base'), settings);
  const run = (name: string) => runs.find((candidate) => candidate.name === name)!;
  const option = (name: string, flag: string) => {
    const { options } = run(name);
    return options.flatMap((value, index) => (options[index - 1] === flag ? [value] : []));
  };

  test('the migration Jobs first, then one container per service', () => {
    assert.deepEqual(
      runs.map((candidate) => candidate.name),
      ['link-service-migrate', 'social-graph-service-migrate', 'user-service-migrate', 'api-gateway', 'link-service', 'social-graph-service', 'user-service', 'news-service', 'link-checker'],
    );
    assert.deepEqual(run('link-service').args, ['start', '--service', 'link-service']);
  });

  test('each container as its pod: read-only root, uid 10001, no capabilities, no privilege escalation, tmpfs for the emptyDir', () => {
    for (const candidate of runs) {
      assert.ok(candidate.options.includes('--read-only'), candidate.name);
      assert.deepEqual(option(candidate.name, '--user'), ['10001:10001'], candidate.name);
      assert.deepEqual(option(candidate.name, '--cap-drop'), ['ALL'], candidate.name);
      assert.deepEqual(option(candidate.name, '--security-opt'), ['no-new-privileges'], candidate.name);
      assert.deepEqual(option(candidate.name, '--tmpfs'), ['/tmp:rw,nosuid,nodev,size=64m'], candidate.name);
    }
    assert.deepEqual(option('link-service', '--volume'), ['@OUT@/secrets/link-service-mutual-auth:/etc/delinkcious:ro']);
    assert.match(run('link-service').files['secrets/link-service-mutual-auth/mutual-auth.yaml']!, /^token: [0-9a-f]{64}\ncallers:\n {2}api-gateway: sha256:[0-9a-f]{64}\n$/);
  });

  test('the environment of the ConfigMaps and Secrets, with only the addresses moved to 127.0.0.1', () => {
    const news = run('news-service').env;
    assert.equal(news.SHUTDOWN_TIMEOUT, '25s', 'delinkcious-common');
    assert.equal(news.NEWS_FEED_MAX, '1000', 'news-service-config');
    assert.equal(news.NATS_URL, 'nats://127.0.0.1:14222');
    assert.deepEqual([news.NATS_USER, news.NATS_PASSWORD], ['delinkcious', 'nats-pw'], 'the Secret nats-auth');
    assert.equal(news.REDIS_URL, 'redis://127.0.0.1:6379/9', '$(REDIS_PASSWORD) expanded, empty, and left out');
    assert.equal(news.PORT, '26060');
    assert.equal(news.NEWS_HTTP_PORT, '26061', "the pod's second port moves too");
    assert.equal(news.SOCIAL_GRAPH_MANAGER_SERVICE_HOST, '127.0.0.1');
    assert.equal(news.SOCIAL_GRAPH_MANAGER_SERVICE_PORT, '29090');
    assert.equal(run('link-service').env.LINK_DATABASE_URL, 'postgres://postgres@127.0.0.1:5432/ci_image_link_manager');
    assert.equal(run('api-gateway').env.DEV_LOGIN, 'true', 'the override');
    assert.equal(run('link-service-migrate').env.DEV_LOGIN, undefined, 'overrides are for the services only');
    assert.equal(run('news-service').ready, 'tcp://127.0.0.1:26060', 'a gRPC probe is waited for as a TCP port');
    assert.equal(run('api-gateway').ready, 'http://127.0.0.1:25000/readyz');
  });
});
