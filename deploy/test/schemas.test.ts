/**
 * Every object of every render is valid against its schema: the Kubernetes API
 * (kubernetes-models), the CRDs that have a models package (Istio,
 * prometheus-operator, Argo CD, Knative), and CloudNativePG's Cluster against
 * ./cnpg-schema.ts (with ajv). An object of a kind without a schema fails the test.
 *
 * What this catches: wrong types, missing required fields, bad enums and
 * formats. What it cannot: a misspelt field, since the Kubernetes schemas allow
 * unknown fields (the API server drops them); policy.test.ts asserts each field
 * the manifests rely on by name, and kustomize.test.ts compares with kubectl.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as argo from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import * as istioNetworking from '@kubernetes-models/istio/networking.istio.io/v1beta1';
import * as istioSecurity from '@kubernetes-models/istio/security.istio.io/v1beta1';
import * as knative from '@kubernetes-models/knative/serving.knative.dev/v1';
import * as monitoring from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import * as apps from 'kubernetes-models/apps/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as batch from 'kubernetes-models/batch/v1';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as core from 'kubernetes-models/v1';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { cnpgClusterSchema, cnpgScheduledBackupSchema } from './support/cnpg-schema.ts';
import { render, targets, type K8sObject } from './support/manifests.ts';

type Validator = (object: K8sObject) => void;

interface ModelClass {
  new (data: unknown): { validate(): void };
}

const modelGroups: Record<string, object> = {
  v1: core,
  'apps/v1': apps,
  'batch/v1': batch,
  'autoscaling/v2': autoscaling,
  'policy/v1': policy,
  'networking.k8s.io/v1': networking,
  'security.istio.io/v1beta1': istioSecurity,
  'networking.istio.io/v1beta1': istioNetworking,
  'monitoring.coreos.com/v1': monitoring,
  'argoproj.io/v1alpha1': argo,
  'serving.knative.dev/v1': knative,
};

const ajv = new Ajv({ allErrors: true });
const cnpgValidators: Record<string, ValidateFunction> = {
  Cluster: ajv.compile(cnpgClusterSchema),
  ScheduledBackup: ajv.compile(cnpgScheduledBackupSchema),
};

/** One of ajv's errors as `path: problem`; a field the schema does not list is named. */
function describeError(error: ErrorObject): string {
  if (error.keyword === 'additionalProperties') return `${error.instancePath}/${String(error.params.additionalProperty)}: is not a known field`;
  return `${error.instancePath || '/'}: ${error.message ?? error.keyword}`;
}

/** The validator for an object's apiVersion and kind, or undefined when none is known. */
function validatorFor(object: Pick<K8sObject, 'apiVersion' | 'kind'>): Validator | undefined {
  const cnpg = object.apiVersion === 'postgresql.cnpg.io/v1' ? cnpgValidators[object.kind] : undefined;
  if (cnpg) {
    return (value) => {
      if (!cnpg(value)) throw new Error((cnpg.errors ?? []).map(describeError).join('; '));
    };
  }
  const model = (modelGroups[object.apiVersion] as Record<string, unknown> | undefined)?.[object.kind];
  if (typeof model !== 'function') return undefined;
  return (value) => new (model as ModelClass)(value).validate();
}

function problems(objects: K8sObject[]): string[] {
  const found: string[] = [];
  for (const object of objects) {
    const validate = validatorFor(object);
    const label = `${object.apiVersion} ${object.kind} ${object.metadata.name}`;
    if (!validate) {
      found.push(`${label}: no schema known for this kind`);
      continue;
    }
    try {
      validate(structuredClone(object));
    } catch (error) {
      found.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return found;
}

describe('every object is valid against its schema', () => {
  for (const target of targets) {
    test(target, () => {
      const objects = render(target);
      assert.ok(objects.length > 0, `${target} renders nothing`);
      assert.deepEqual(problems(objects), []);
    });
  }
});

describe('the validation finds errors', () => {
  const deployment = render('base').find((object) => object.kind === 'Deployment')!;

  test('a Kubernetes object of the wrong shape', () => {
    const broken = structuredClone(deployment) as unknown as { spec: { template: { spec: { containers: { ports: unknown[] }[] } } } };
    broken.spec.template.spec.containers[0]!.ports = [{ containerPort: 'http' }];
    assert.match(problems([broken as unknown as K8sObject]).join('\n'), /containerPort must be integer/);
    const noSelector = structuredClone(deployment) as unknown as { spec: { selector?: unknown } };
    delete noSelector.spec.selector;
    assert.match(problems([noSelector as unknown as K8sObject]).join('\n'), /selector/);
  });

  test('a custom resource of the wrong shape, and a kind nobody knows', () => {
    const cluster = render('overlays/cloudnative-pg').find((object) => object.kind === 'Cluster')!;
    const typo = structuredClone(cluster) as unknown as { spec: Record<string, unknown> };
    typo.spec.instance = typo.spec.instances;
    delete typo.spec.instances;
    assert.deepEqual(problems([typo as unknown as K8sObject]), [
      "postgresql.cnpg.io/v1 Cluster link-db: /spec: must have required property 'instances'; /spec/instance: is not a known field",
    ]);
    const gateway = render('overlays/istio').find((object) => object.kind === 'VirtualService')!;
    const badWeight = structuredClone(gateway) as unknown as { spec: { http: { route?: { weight: unknown }[] }[] } };
    badWeight.spec.http.find((entry) => entry.route)!.route![0]!.weight = 'ninety';
    assert.match(problems([badWeight as unknown as K8sObject]).join('\n'), /weight must be integer/);
    assert.deepEqual(problems([{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }]), [
      'example.com/v1 Widget w: no schema known for this kind',
    ]);
  });
});
