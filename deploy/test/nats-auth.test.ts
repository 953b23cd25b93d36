/**
 * NATS requires a user and password from the Secret nats-auth, in every
 * target: the server's nats.conf reads them from its environment (never its
 * arguments), and every process given NATS_URL gets the same Secret's keys.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
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
