/**
 * Every deployable target runs `delinkcious smoke` as a Job after a deployment:
 * an Argo CD PostSync hook, the tokens from a Secret (not in its arguments), and
 * the same locked-down pod as every other Delinkcious pod.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { render, targets, workloads } from './support/manifests.ts';

describe('the smoke-test Job', () => {
  for (const target of targets.filter((candidate) => candidate !== 'argocd')) {
    test(`${target}: runs delinkcious smoke after each sync, from a Secret, locked down`, () => {
      const job = workloads(render(target)).find((workload) => workload.kind === 'Job' && workload.template.spec.containers[0]?.args?.[0] === 'smoke');
      assert.ok(job, 'a Job runs `delinkcious smoke`');
      const annotations = job.object.metadata.annotations ?? {};
      assert.equal(annotations['argocd.argoproj.io/hook'], 'PostSync');
      assert.equal(annotations['argocd.argoproj.io/hook-delete-policy'], 'BeforeHookCreation', 'a failed run stays for its logs until the next sync');

      const spec = job.template.spec;
      const container = spec.containers[0]!;
      assert.deepEqual(container.args, ['smoke'], 'no URL or token in the arguments');
      const fromSecret = Object.fromEntries((container.env ?? []).map((variable) => [variable.name, variable.valueFrom?.secretKeyRef]));
      for (const [name, key] of [['SMOKE_URL', 'url'], ['SMOKE_TOKEN', 'token'], ['SMOKE_TOKEN2', 'token2']] as const) {
        assert.deepEqual(fromSecret[name], { name: 'delinkcious-smoke', key }, `${name} from the Secret`);
      }

      assert.equal(spec.restartPolicy, 'Never');
      assert.equal(spec.automountServiceAccountToken, false);
      assert.deepEqual(
        { nonRoot: spec.securityContext?.runAsNonRoot, user: spec.securityContext?.runAsUser, seccomp: spec.securityContext?.seccompProfile?.type },
        { nonRoot: true, user: 10001, seccomp: 'RuntimeDefault' },
      );
      assert.deepEqual(container.securityContext, { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    });
  }
});
