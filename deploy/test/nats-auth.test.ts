/**
 * NATS requires a user and password from the Secret nats-auth, in every
 * target: the server's nats.conf reads them from its environment (never its
 * arguments), and every process given NATS_URL gets the same Secret's keys.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { natsServerBinary } from '@delinkcious/testing';
import { configMapData, plainEnv, render, targets, workloads } from './support/manifests.ts';

describe('NATS authentication from the Secret nats-auth', () => {
  for (const target of targets.filter((candidate) => candidate !== 'argocd')) {
    test(`${target}: the server requires it, every client has it`, () => {
      const objects = render(target);
      assert.match(configMapData(objects, 'nats-server-config')['nats.conf']!, /authorization \{\s*user: \$NATS_USER\s*password: \$NATS_PASSWORD\s*\}/);
      const all = workloads(objects);
      const server = all.find((workload) => workload.name === 'nats')!.template.spec.containers.find((container) => container.name === 'nats')!;
      assert.deepEqual(server.args?.slice(0, 2), ['-c', '/etc/nats/nats.conf'], 'the server reads nats.conf');
      assert.doesNotMatch((server.args ?? []).join(' '), /--(user|pass|auth)\b/, 'no credentials in its arguments');

      const fromSecret = (env: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[] = []) =>
        Object.fromEntries(env.filter((variable) => variable.name.startsWith('NATS_')).map((variable) => [variable.name, variable.valueFrom?.secretKeyRef]));
      const expected = { NATS_USER: { name: 'nats-auth', key: 'user' }, NATS_PASSWORD: { name: 'nats-auth', key: 'password' } };
      assert.deepEqual(fromSecret(server.env), expected, 'the server');
      const clients = all.flatMap((workload) => workload.template.spec.containers.filter((container) => plainEnv(objects, container).NATS_URL).map((container) => ({ workload, container })));
      assert.ok(clients.length >= 3, 'link-service, news-service and the link-checker use NATS');
      for (const { workload, container } of clients) assert.deepEqual(fromSecret(container.env), expected, workload.name);
    });
  }
});

const nats = natsServerBinary();
test("nats.conf takes the passwords the docs and CI make, letters first; a bare hex that reads as a number it refuses", { skip: nats.skip }, () => {
  const folder = mkdtempSync(join(tmpdir(), 'delinkcious-nats-conf-'));
  try {
    const conf = join(folder, 'nats.conf');
    writeFileSync(conf, configMapData(render('base'), 'nats-server-config')['nats.conf']!);
    // nats-server -t: checks the configuration, with the variables of its environment, and exits.
    const valid = (password: string) => spawnSync(nats.path!, ['-c', conf, '-t'], { env: { NATS_USER: 'delinkcious', NATS_PASSWORD: password }, encoding: 'utf8' }).status === 0;
    // 12e4…, 9e91…: hex that nats-server takes for a number with an exponent (~4% of `openssl rand -hex 24`).
    for (const hex of ['12e4ab0f', '9e91ff', '2e10ff', '84544d7c46eda3d6']) assert.ok(valid(`pw${hex}`), `pw${hex} is a password`);
    assert.equal(valid('12e4ab0f'), false, 'the bare hex 12e4ab0f is refused: why the prefix');
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
