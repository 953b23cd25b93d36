/**
 * The renderer the deploy tests use (./kustomize.ts): its semantics on small
 * fixtures, and the same output as `kubectl kustomize` for every target under
 * deploy/kubernetes. Without kubectl the comparison is skipped with a line that
 * says so, except in CI (CI or DELINKCIOUS_REQUIRE_SERVICES=1), where it fails.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { build, objectId, parseImage, parseYamlDocuments, type K8sObject } from './support/kustomize.ts';
import { kubernetesDir, render, targets } from './support/manifests.ts';

const root = mkdtempSync(join(tmpdir(), 'delinkcious-kustomize-'));
after(() => rmSync(root, { recursive: true, force: true }));

let fixtures = 0;
/** Writes `files` (path → content) into a fresh directory and answers it. */
function fixture(files: Record<string, string>): string {
  const dir = join(root, String(fixtures++));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: front}
spec:
  template:
    spec:
      containers:
        - name: web
          image: web
          args: [a, b]
          env:
            - {name: A, value: "1"}
            - {name: B, value: "2"}
          ports:
            - {name: http, containerPort: 80}
        - name: sidecar
          image: registry.local:5000/tools/sidecar:1.0
`;

const byId = (objects: K8sObject[]) => new Map(objects.map((object) => [objectId(object), object]));
const containers = (object: K8sObject | undefined) =>
  (object as unknown as { spec: { template: { spec: { containers: { name: string; image: string; args?: string[]; env?: unknown[]; ports?: unknown[] }[] } } } })
    .spec.template.spec.containers;

describe('the renderer', () => {
  test('loads files and directories, sets the namespace on namespaced objects only', () => {
    const dir = fixture({
      'kustomization.yaml': 'namespace: shop\nresources: [ns.yaml, app]\n',
      'ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n',
      'app/kustomization.yaml': 'resources: [deployment.yaml, config.yaml]\n',
      'app/deployment.yaml': deployment,
      'app/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: elsewhere}\ndata: {mode: 0440, enabled: yes}\n---\n',
    });
    const objects = byId(build(dir));
    assert.deepEqual([...objects.keys()].sort(), ['/ConfigMap/shop/c', '/Namespace//shop', 'apps/Deployment/shop/web']);
    // YAML 1.1, as kubectl reads it: 0440 is octal, yes is true.
    assert.deepEqual(objects.get('/ConfigMap/shop/c')!.data, { mode: 288, enabled: true });
  });

  test('merges a strategic merge patch: keyed lists by key, other lists replaced, null removes', () => {
    const dir = fixture({
      'kustomization.yaml': 'resources: [deployment.yaml]\npatches:\n  - path: patch.yaml\n',
      'deployment.yaml': deployment,
      'patch.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {tier: null, added: "yes"}
spec:
  template:
    spec:
      containers:
        - name: web
          args: [c]
          env:
            - {name: B, value: "20"}
            - {name: C, value: "3"}
            - {name: A, $patch: delete}
          ports:
            - {containerPort: 80, protocol: TCP}
`,
    });
    const [web] = build(dir);
    assert.deepEqual(web!.metadata.labels, { app: 'web', added: 'yes' });
    const [main, sidecar] = containers(web);
    assert.deepEqual(main!.args, ['c']);
    assert.deepEqual(main!.env, [
      { name: 'B', value: '20' },
      { name: 'C', value: '3' },
    ]);
    assert.deepEqual(main!.ports, [{ name: 'http', containerPort: 80, protocol: 'TCP' }]);
    assert.equal(sidecar!.image, 'registry.local:5000/tools/sidecar:1.0');
  });

  test("orders a patched list as kustomize does: the patch's elements first, then the others", () => {
    const dir = fixture({
      'kustomization.yaml': 'resources: [deployment.yaml]\npatches:\n  - path: patch.yaml\n',
      'deployment.yaml': deployment,
      'patch.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
        - name: web
          env:
            - {name: B, value: "9"}
          ports:
            - {name: extra, containerPort: 81}
`,
    });
    const [main] = containers(build(dir)[0]);
    assert.deepEqual(main!.env, [
      { name: 'B', value: '9' },
      { name: 'A', value: '1' },
    ]);
    assert.deepEqual(main!.ports, [
      { name: 'extra', containerPort: 81 },
      { name: 'http', containerPort: 80 },
    ]);
  });

  test('renames the Namespace object to the namespace, and copies a field into others with replacements', () => {
    const dir = fixture({
      'base/kustomization.yaml': 'namespace: one\nresources: [objects.yaml]\n',
      'base/objects.yaml': `apiVersion: v1
kind: Namespace
metadata: {name: one}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: p, labels: {scope: own}}
spec:
  rules:
    - from:
        - source: {principals: [cluster.local/ns/one/sa/a, cluster.local/ns/one/sa/b]}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: q}
spec:
  rules:
    - from:
        - source: {principals: [cluster.local/ns/istio-system/sa/gateway]}
`,
      'overlay/kustomization.yaml': `namespace: two
resources: [../base]
replacements:
  - source: {kind: ConfigMap, name: c, fieldPath: metadata.namespace}
    targets:
      - select: {kind: AuthorizationPolicy, labelSelector: scope=own}
        fieldPaths: [spec.rules.*.from.*.source.principals.*]
        options: {delimiter: /, index: 2}
`,
    });
    const objects = byId(build(join(dir, 'overlay')));
    assert.ok(objects.has('/Namespace//two'));
    const principals = (name: string) =>
      (objects.get(`security.istio.io/AuthorizationPolicy/two/${name}`)!.spec as { rules: { from: { source: { principals: string[] } }[] }[] }).rules[0]!.from[0]!.source
        .principals;
    assert.deepEqual(principals('p'), ['cluster.local/ns/two/sa/a', 'cluster.local/ns/two/sa/b']);
    assert.deepEqual(principals('q'), ['cluster.local/ns/istio-system/sa/gateway']);
  });

  test('deletes whole objects, and refuses a patch that matches nothing or several documents at once', () => {
    const remove = '$patch: delete\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n';
    const dir = fixture({
      'kustomization.yaml': `resources: [deployment.yaml, config.yaml]\npatches:\n  - patch: |-\n${remove.replace(/^/gm, '      ')}\n`,
      'deployment.yaml': deployment,
      'config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n',
    });
    assert.deepEqual(build(dir).map(objectId), ['/ConfigMap//c']);

    const missing = fixture({
      'kustomization.yaml': 'resources: [config.yaml]\npatches:\n  - path: patch.yaml\n',
      'config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n',
      'patch.yaml': remove,
    });
    assert.throws(() => build(missing), /matches 0 objects/);
    const twoDocuments = fixture({
      'kustomization.yaml': 'resources: [deployment.yaml]\npatches:\n  - path: patch.yaml\n',
      'deployment.yaml': deployment,
      'patch.yaml': `${remove}---\n${remove}`,
    });
    assert.throws(() => build(twoDocuments), /one document/);
  });

  test('applies a patch with a target to every object it selects, and to none without failing', () => {
    const second = deployment.replaceAll('web', 'api').replace('tier: front', 'tier: back');
    const labelPatch = (selector: string) => `  - target: {kind: Deployment, labelSelector: "${selector}"}
    patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: placeholder}
      spec: {template: {metadata: {labels: {meshed: "true"}}}}
`;
    const dir = fixture({
      'kustomization.yaml': `resources: [a.yaml, b.yaml]\npatches:\n${labelPatch('tier=front')}${labelPatch('tier=nowhere')}`,
      'a.yaml': deployment,
      'b.yaml': second,
    });
    const objects = byId(build(dir));
    const labels = (id: string) => (objects.get(id) as unknown as { spec: { template: { metadata?: { labels?: object } } } }).spec.template.metadata?.labels;
    assert.deepEqual(labels('apps/Deployment//web'), { meshed: 'true' });
    assert.equal(labels('apps/Deployment//api'), undefined);
    assert.ok(objects.has('apps/Deployment//web'), 'a target patch never renames');
  });

  test('maps images by name, keeping or replacing the tag', () => {
    assert.deepEqual(parseImage('localhost:5000/a/b:1.2@sha256:00'), { name: 'localhost:5000/a/b', tag: '1.2', digest: 'sha256:00' });
    assert.deepEqual(parseImage('localhost:5000/a'), { name: 'localhost:5000/a' });
    const dir = fixture({
      'kustomization.yaml': `resources: [deployment.yaml]
images:
  - {name: web, newName: registry.example.com/web, newTag: "2.0"}
  - {name: registry.local:5000/tools/sidecar, newName: mirror.local/sidecar}
`,
      'deployment.yaml': deployment,
    });
    const [web, sidecar] = containers(build(dir)[0]);
    assert.equal(web!.image, 'registry.example.com/web:2.0');
    assert.equal(sidecar!.image, 'mirror.local/sidecar:1.0');
  });

  test("a component adds its resources to its parent's and transforms all of them", () => {
    const dir = fixture({
      'overlay/kustomization.yaml': 'namespace: shop\nresources: [../base]\ncomponents: [../feature]\n',
      'base/kustomization.yaml': 'resources: [deployment.yaml]\n',
      'base/deployment.yaml': deployment,
      'feature/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
resources: [config.yaml]
patches:
  - patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec: {replicas: 3}
`,
      'feature/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: feature}\n',
    });
    const objects = byId(build(join(dir, 'overlay')));
    assert.deepEqual([...objects.keys()].sort(), ['/ConfigMap/shop/feature', 'apps/Deployment/shop/web']);
    assert.equal((objects.get('apps/Deployment/shop/web')!.spec as { replicas: number }).replicas, 3);
    assert.throws(() => build(join(dir, 'feature')), /is a Component/);
  });

  test('renames with nameSuffix only a layer of workloads, and refuses features it does not implement', () => {
    const renamed = fixture({ 'kustomization.yaml': 'resources: [deployment.yaml]\nnameSuffix: -canary\n', 'deployment.yaml': deployment });
    assert.equal(build(renamed)[0]!.metadata.name, 'web-canary');
    const referable = fixture({
      'kustomization.yaml': 'resources: [config.yaml]\nnameSuffix: -x\n',
      'config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n',
    });
    assert.throws(() => build(referable), /workloads only/);
    const unsupported = fixture({ 'kustomization.yaml': 'resources: []\ncommonLabels: {a: b}\n' });
    assert.throws(() => build(unsupported), /"commonLabels" is not supported/);
    const twice = fixture({ 'kustomization.yaml': 'resources: [a.yaml, b.yaml]\n', 'a.yaml': deployment, 'b.yaml': deployment });
    assert.throws(() => build(twice), /defined twice/);
  });
});

/** In CI the comparison must run: a missing kubectl fails there instead of skipping. */
const kubectlRequired = /^(1|true|yes)$/i.test(process.env.CI ?? '') || process.env.DELINKCIOUS_REQUIRE_SERVICES === '1';

/** Why `kubectl kustomize` cannot run here, or false when it can. */
function kubectlProblem(): string | false {
  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (!kubectl.error && kubectl.status === 0) return false;
  return `kubectl does not run here (${kubectl.error?.message ?? kubectl.stderr.trim()})`;
}

describe('the same output as kubectl kustomize', () => {
  const problem = kubectlProblem();
  if (problem && kubectlRequired) {
    test('kubectl is installed', () => {
      assert.fail(`the comparison with \`kubectl kustomize\` is required in CI (CI or DELINKCIOUS_REQUIRE_SERVICES=1), but ${problem}: install kubectl`);
    });
    return;
  }
  if (problem) console.log(`# skipped: the comparison with \`kubectl kustomize\`, since ${problem} (it is required in CI)`);

  for (const target of targets) {
    test(target, { skip: problem }, () => {
      const result = spawnSync('kubectl', ['kustomize', join(kubernetesDir, target)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      assert.equal(result.status, 0, result.stderr);
      const theirs = byId(parseYamlDocuments(result.stdout, target) as unknown as K8sObject[]);
      const mine = byId(render(target));
      assert.deepEqual([...mine.keys()].sort(), [...theirs.keys()].sort());
      for (const [id, object] of mine) assert.deepEqual(object, theirs.get(id), id);
    });
  }
});
