/**
 * What every workload of every render must be: labelled, pinned, sized, locked
 * down, probed, given time to shut down, reachable under its docs/design.md name,
 * wired only to ConfigMaps that exist and Secrets that docs/operations.md says
 * how to create, within its database's connections and the namespace's quota.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import {
  configMapData,
  durationMs,
  find,
  isKnative,
  kubernetesDir,
  namespaceOf,
  ofKind,
  plainEnv,
  quantity,
  render,
  repoRoot,
  selects,
  targets,
  workloads,
  type Container,
  type K8sObject,
  type LabelSelector,
  type Workload,
} from './support/manifests.ts';

/** docs/design.md §1: each service, the Kubernetes Service its callers discover it by, and its port. */
const discovery: Record<string, { service: string; port: number }> = {
  'api-gateway': { service: 'api-gateway', port: 5000 },
  'link-service': { service: 'link-manager', port: 8080 },
  'social-graph-service': { service: 'social-graph-manager', port: 9090 },
  'user-service': { service: 'user-manager', port: 7070 },
  'news-service': { service: 'news-manager', port: 6060 },
  'link-checker': { service: 'link-checker', port: 8081 },
};
const databaseServices = ['link-service', 'social-graph-service', 'user-service'];

/** What deploy/docker/build.sh tags by default: <REGISTRY>/delinkcious-<service>:<VERSION>. */
const buildScript = readFileSync(join(repoRoot, 'deploy/docker/build.sh'), 'utf8');
const defaultRegistry = /REGISTRY="\$\{REGISTRY:-([^}]+)\}"/.exec(buildScript)?.[1];
const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
const appImage = /^(?<registry>.+)\/delinkcious-(?<service>[a-z-]+):(?<tag>[\w.-]+)$/;

/** docs/operations.md's table of Secrets: name → keys. */
function documentedSecrets(): Map<string, Set<string>> {
  const text = readFileSync(join(repoRoot, 'docs/operations.md'), 'utf8');
  const section = text.split(/^## /m).find((part) => part.startsWith('Secrets'));
  assert.ok(section, 'docs/operations.md has a "Secrets" section');
  const secrets = new Map<string, Set<string>>();
  for (const row of section.matchAll(/^\| `([\w.-]+)` \| ([^|]+) \|/gm)) {
    secrets.set(row[1]!, new Set([...row[2]!.matchAll(/`([^`]+)`/g)].map((key) => key[1]!)));
  }
  return secrets;
}

const containersOf = (workload: Workload): Container[] => [...(workload.template.spec.initContainers ?? []), ...workload.template.spec.containers];
const isApp = (container: Container) => appImage.test(container.image);
/** The service a container of ours runs: `start --service X`, `migrate --service X`, `recheck` (link-service's) or `rebuild-feeds` (news-service's). */
function serviceRun(container: Container): string | undefined {
  const [command, flag, service] = container.args ?? [];
  if ((command === 'start' || command === 'migrate') && flag === '--service') return service;
  if (command === 'recheck') return 'link-service';
  if (command === 'rebuild-feeds') return 'news-service';
  // The smoke test is a client of the public API: it runs from the gateway's image.
  if (command === 'smoke') return 'api-gateway';
  return undefined;
}
/** A service's own long-running pods (not its Jobs). */
const serves = (workload: Workload) => workload.longRunning && workload.template.spec.containers.some((container) => container.args?.[0] === 'start');

function hpaFor(objects: K8sObject[], workload: Workload): { minReplicas?: number; maxReplicas: number } | undefined {
  const hpa = ofKind(objects, 'HorizontalPodAutoscaler').find(
    (object) => (object.spec as { scaleTargetRef: { kind: string; name: string } }).scaleTargetRef.name === workload.name,
  );
  return hpa?.spec as { minReplicas?: number; maxReplicas: number } | undefined;
}

/** The most pods a workload runs at once: autoscaler maximum (or replicas) plus a rolling-update surge. */
function maxPods(objects: K8sObject[], workload: Workload): number {
  const spec = workload.object.spec as { replicas?: number; parallelism?: number; strategy?: { rollingUpdate?: { maxSurge?: number } } };
  switch (workload.kind) {
    case 'Deployment':
      return (hpaFor(objects, workload)?.maxReplicas ?? spec.replicas ?? 1) + (spec.strategy?.rollingUpdate?.maxSurge ?? 1);
    case 'StatefulSet':
      return spec.replicas ?? 1;
    case 'Job':
      return spec.parallelism ?? 1;
    case 'CronJob':
      return 1; // concurrencyPolicy: Forbid (asserted below)
    default:
      return Number(workload.template.metadata.annotations?.['autoscaling.knative.dev/max-scale'] ?? Infinity);
  }
}

const workloadTargets = targets.filter((target) => workloads(render(target)).length > 0);

for (const target of workloadTargets) {
  describe(`${target}: every workload`, () => {
    const objects = render(target);
    const all = workloads(objects);

    test('carries svc: delinkcious and its app label, and selects its own pods', () => {
      for (const workload of all) {
        const labels = workload.template.metadata.labels ?? {};
        assert.equal(workload.object.metadata.labels?.svc, 'delinkcious', `${workload.name} metadata`);
        assert.equal(labels.svc, 'delinkcious', `${workload.name} pods`);
        assert.ok(labels.app, `${workload.name} pods have an app label`);
        assert.equal(workload.object.metadata.labels?.app, labels.app, `${workload.name}: the same app label on the object and its pods`);
        const selector = (workload.object.spec as { selector?: LabelSelector }).selector;
        if (['Deployment', 'StatefulSet'].includes(workload.kind)) assert.ok(selects(selector, labels), `${workload.name} selects its pods`);
      }
    });

    test('runs pinned images: a tag or digest, never latest; ours as build.sh tags them, running their own service', () => {
      for (const workload of all) {
        for (const container of containersOf(workload)) {
          assert.match(container.image, /(:[\w][\w.-]*|@sha256:[a-f0-9]{64})$/, `${workload.name}/${container.name}: ${container.image} names a tag`);
          assert.doesNotMatch(container.image, /:latest$/, `${workload.name}/${container.name}`);
          const ours = appImage.exec(container.image)?.groups;
          if (!ours) continue;
          assert.equal(ours.registry, defaultRegistry, `${container.image}: build.sh's default registry`);
          assert.equal(ours.tag, version, `${container.image}: package.json's version`);
          assert.equal(serviceRun(container), ours.service, `${workload.name}/${container.name} runs the service of its image`);
        }
      }
    });

    test('requests and limits CPU and memory, requests within limits', () => {
      for (const workload of all) {
        for (const container of containersOf(workload)) {
          const { requests = {}, limits = {} } = container.resources ?? {};
          for (const resource of ['cpu', 'memory']) {
            assert.ok(requests[resource] && limits[resource], `${workload.name}/${container.name}: ${resource} request and limit`);
            assert.ok(quantity(requests[resource]) <= quantity(limits[resource]), `${workload.name}/${container.name}: ${resource} request ≤ limit`);
          }
        }
      }
    });

    test('runs as non-root, read-only, without privileges or capabilities, under the runtime seccomp profile, with a writable /tmp', () => {
      for (const workload of all) {
        const pod = workload.template.spec.securityContext ?? {};
        for (const container of containersOf(workload)) {
          const at = `${workload.name}/${container.name}`;
          const own = container.securityContext ?? {};
          assert.equal(own.runAsNonRoot ?? pod.runAsNonRoot, true, `${at}: runAsNonRoot`);
          assert.notEqual(own.runAsUser ?? pod.runAsUser, 0, `${at}: not uid 0`);
          assert.equal((own.seccompProfile ?? pod.seccompProfile)?.type, 'RuntimeDefault', `${at}: seccomp RuntimeDefault`);
          assert.equal(own.allowPrivilegeEscalation, false, `${at}: allowPrivilegeEscalation false`);
          assert.equal(own.readOnlyRootFilesystem, true, `${at}: read-only root filesystem`);
          assert.notEqual(own.privileged, true, `${at}: not privileged`);
          assert.deepEqual(own.capabilities, { drop: ['ALL'] }, `${at}: drops every capability, adds none`);
          const tmp = container.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
          const volume = workload.template.spec.volumes?.find((candidate) => candidate.name === tmp?.name);
          assert.ok(volume?.emptyDir, `${at}: /tmp is an emptyDir`);
        }
      }
    });

    test('runs under its own ServiceAccount, without a Kubernetes API token', () => {
      for (const workload of all) {
        const name = workload.template.spec.serviceAccountName;
        assert.ok(name && name !== 'default', `${workload.name}: a ServiceAccount of its own`);
        const account = find(objects, 'ServiceAccount', name);
        assert.ok(account, `${workload.name}: ServiceAccount ${name} exists`);
        assert.equal(account.automountServiceAccountToken, false, `ServiceAccount ${name}: automountServiceAccountToken false`);
        const automount = workload.template.spec.automountServiceAccountToken;
        assert.notEqual(automount, true, `${workload.name}: does not mount a token`);
        if (!isKnative(workload)) assert.equal(automount, false, `${workload.name}: automountServiceAccountToken false`);
      }
    });

    test('is probed: started, ready and alive; a service is ready at /readyz (or gRPC health) and alive at /healthz', () => {
      for (const workload of all.filter((candidate) => candidate.longRunning)) {
        for (const container of workload.template.spec.containers) {
          const at = `${workload.name}/${container.name}`;
          if (!isKnative(workload)) assert.ok(container.startupProbe, `${at}: startupProbe`); // Knative allows none
          assert.ok(container.readinessProbe, `${at}: readinessProbe`);
          assert.ok(container.livenessProbe, `${at}: livenessProbe`);
          if (container.args?.[0] !== 'start') continue;
          if (serviceRun(container) === 'news-service') {
            assert.deepEqual(container.readinessProbe.grpc, { port: 6060 }, `${at}: ready when its gRPC health says SERVING`);
          } else {
            assert.equal(container.readinessProbe.httpGet?.path, '/readyz', `${at}: readiness /readyz`);
          }
          assert.equal(container.livenessProbe.httpGet?.path, '/healthz', `${at}: liveness /healthz`);
        }
      }
    });

    test('has longer to stop than preStop + SHUTDOWN_TIMEOUT, set explicitly', () => {
      for (const workload of all.filter((candidate) => !isKnative(candidate))) {
        for (const container of workload.template.spec.containers.filter(isApp)) {
          const env = plainEnv(objects, container);
          assert.ok(env.SHUTDOWN_TIMEOUT, `${workload.name}: SHUTDOWN_TIMEOUT is set`);
          const preStop = container.lifecycle?.preStop?.exec?.command;
          const pause = preStop?.[0] === 'sleep' ? Number(preStop[1]) : 0;
          if (workload.longRunning) assert.ok(pause > 0, `${workload.name}: a preStop pause lets the endpoints forget the pod`);
          const grace = workload.template.spec.terminationGracePeriodSeconds;
          assert.ok(grace !== undefined, `${workload.name}: terminationGracePeriodSeconds is set`);
          assert.ok(grace * 1000 > pause * 1000 + durationMs(env.SHUTDOWN_TIMEOUT), `${workload.name}: ${grace}s > ${pause}s + ${env.SHUTDOWN_TIMEOUT}`);
        }
      }
    });

    test("rolls, autoscales (replicas left to the autoscaler) and keeps a replica through a drain", () => {
      for (const workload of all.filter(serves)) {
        if (isKnative(workload)) continue; // Knative scales it
        const spec = workload.object.spec as { replicas?: number; strategy?: { type: string; rollingUpdate?: { maxUnavailable?: number } } };
        assert.equal(spec.strategy?.type, 'RollingUpdate', `${workload.name}: RollingUpdate`);
        assert.equal(spec.strategy?.rollingUpdate?.maxUnavailable, 0, `${workload.name}: never below its replica count while rolling`);
        const labels = workload.template.metadata.labels ?? {};
        const budgets = ofKind(objects, 'PodDisruptionBudget').filter((pdb) => selects((pdb.spec as { selector: LabelSelector }).selector, labels));
        assert.equal(budgets.length, 1, `${workload.name}: one PodDisruptionBudget`);
        const minAvailable = (budgets[0]!.spec as { minAvailable: number }).minAvailable;
        if (labels.version === 'canary') {
          assert.equal(spec.replicas, 1, `${workload.name}: the canary runs one fixed replica`);
          continue;
        }
        const hpa = hpaFor(objects, workload);
        assert.ok(hpa, `${workload.name}: a HorizontalPodAutoscaler`);
        assert.equal(spec.replicas, undefined, `${workload.name}: replicas left to the autoscaler`);
        assert.ok((hpa.minReplicas ?? 1) >= 2, `${workload.name}: at least two replicas`);
        assert.ok(minAvailable < (hpa.minReplicas ?? 1), `${workload.name}: the budget lets a drain evict one pod`);
      }
    });

    test("is reachable under its docs/design.md Service name and port, selecting its pods", () => {
      for (const workload of all.filter(serves)) {
        const service = serviceRun(workload.template.spec.containers[0]!)!;
        const expected = discovery[service]!;
        if (isKnative(workload)) {
          assert.equal(workload.name, expected.service, `${service}: the Knative Service's name`);
          continue;
        }
        const object = ofKind(objects, 'Service').find((candidate) => candidate.apiVersion === 'v1' && candidate.metadata.name === expected.service);
        assert.ok(object, `${service}: Service ${expected.service}`);
        const spec = object.spec as { selector: Record<string, string>; ports: { port: number; targetPort: string | number }[] };
        assert.ok(selects({ matchLabels: spec.selector }, workload.template.metadata.labels), `${expected.service} selects ${workload.name}'s pods`);
        const [port] = spec.ports;
        assert.equal(port?.port, expected.port, `${expected.service}: port ${expected.port}`);
        const containerPorts = workload.template.spec.containers.flatMap((container) => container.ports ?? []);
        assert.ok(
          containerPorts.some((candidate) => candidate.name === port.targetPort || candidate.containerPort === port.targetPort),
          `${expected.service}: targetPort ${port.targetPort} is a port of ${workload.name}`,
        );
      }
    });

    test('mounts only its own caller Secret (its token, its callers\' hashes) read-only where MUTUAL_AUTH_FILE says', () => {
      for (const workload of all) {
        for (const container of workload.template.spec.containers.filter((candidate) => ['start', 'recheck', 'rebuild-feeds'].includes(candidate.args?.[0] ?? ''))) {
          const env = plainEnv(objects, container);
          const file = env.MUTUAL_AUTH_FILE!;
          assert.equal(file, '/etc/delinkcious/mutual-auth.yaml', `${workload.name}: MUTUAL_AUTH_FILE`);
          const mount = container.volumeMounts?.find((candidate) => candidate.mountPath === '/etc/delinkcious');
          assert.equal(mount?.readOnly, true, `${workload.name}: mounted read-only`);
          const volume = workload.template.spec.volumes?.find((candidate) => candidate.name === mount?.name);
          const service = serviceRun(container) ?? '';
          assert.equal(volume?.secret?.secretName, `mutual-auth-${service}`, `${workload.name}: from the Secret mutual-auth-${service}, no other service's`);
          const others = (workload.template.spec.volumes ?? []).filter((candidate) => candidate.secret?.secretName?.startsWith('mutual-auth'));
          assert.equal(others.length, 1, `${workload.name}: one mutual-auth Secret`);
          assert.deepEqual(volume.secret.items, [{ key: 'mutual-auth.yaml', path: 'mutual-auth.yaml' }]);
        }
      }
    });

    test('refers only to ConfigMaps that exist and Secrets that docs/operations.md documents; $(VAR) to an earlier variable', () => {
      const documented = documentedSecrets();
      const secret = (name: string, key: string, at: string) =>
        assert.ok(documented.get(name)?.has(key), `${at}: Secret ${name}, key ${key}, is in docs/operations.md's table`);
      for (const workload of all) {
        for (const container of containersOf(workload)) {
          const at = `${workload.name}/${container.name}`;
          const defined = new Set<string>();
          for (const source of container.envFrom ?? []) {
            if (source.configMapRef) for (const name of Object.keys(configMapData(objects, source.configMapRef.name))) defined.add(name);
            assert.equal(source.secretRef, undefined, `${at}: Secrets by key (secretKeyRef), never whole`);
          }
          for (const variable of container.env ?? []) {
            const refs = variable.value?.matchAll(/\$\(([A-Z_][A-Z0-9_]*)\)/g) ?? [];
            for (const ref of refs) assert.ok(defined.has(ref[1]!), `${at}: ${variable.name} refers to $(${ref[1]}) defined before it`);
            const { secretKeyRef, configMapKeyRef } = variable.valueFrom ?? {};
            if (secretKeyRef) secret(secretKeyRef.name, secretKeyRef.key, at);
            if (configMapKeyRef) assert.ok(configMapKeyRef.key in configMapData(objects, configMapKeyRef.name), `${at}: ConfigMap key`);
            defined.add(variable.name);
          }
          for (const arg of [...(container.command ?? []), ...(container.args ?? [])]) {
            for (const ref of arg.matchAll(/\$\(([A-Z_][A-Z0-9_]*)\)/g)) assert.ok(defined.has(ref[1]!), `${at}: argument refers to $(${ref[1]})`);
          }
        }
        for (const volume of workload.template.spec.volumes ?? []) {
          if (volume.secret) for (const item of volume.secret.items ?? []) secret(volume.secret.secretName, item.key, workload.name);
          if (volume.configMap) assert.ok(find(objects, 'ConfigMap', volume.configMap.name), `${workload.name}: ConfigMap ${volume.configMap.name}`);
        }
      }
      for (const ingress of ofKind(objects, 'Ingress')) {
        for (const tls of (ingress.spec as { tls?: { secretName: string }[] }).tls ?? []) secret(tls.secretName, 'tls.crt', `Ingress ${ingress.metadata.name}`);
      }
      for (const gateway of ofKind(objects, 'Gateway')) {
        for (const server of (gateway.spec as { servers: { tls?: { credentialName?: string } }[] }).servers) {
          if (server.tls?.credentialName) secret(server.tls.credentialName, 'tls.crt', `Gateway ${gateway.metadata.name}`);
        }
      }
    });

    test('commits no Secret and no secret value; the local sign-in and private-network checks stay off', () => {
      assert.deepEqual(ofKind(objects, 'Secret'), []);
      for (const workload of all) {
        for (const container of containersOf(workload)) {
          const env = plainEnv(objects, container);
          for (const [name, value] of Object.entries(env)) {
            if (/PASSWORD|SECRET|TOKEN|PRIVATE_KEY|CREDENTIAL/.test(name)) assert.fail(`${workload.name}: ${name} is a literal; take it from a Secret`);
            assert.doesNotMatch(value, /:\/\/[^/:@\s]+:(?!\$\()[^@\s]+@/, `${workload.name}: ${name} holds a password`);
          }
          assert.notEqual(env.DEV_LOGIN, 'true', `${workload.name}: DEV_LOGIN`);
          assert.notEqual(env.LINK_CHECKER_ALLOW_PRIVATE_NETWORKS, 'true', `${workload.name}: LINK_CHECKER_ALLOW_PRIVATE_NETWORKS`);
        }
      }
    });

    test('keeps the V8 heap under the memory limit', () => {
      for (const workload of all) {
        for (const container of containersOf(workload).filter(isApp)) {
          const heap = /--max-old-space-size=(\d+)/.exec(plainEnv(objects, container).NODE_OPTIONS ?? '')?.[1];
          assert.ok(heap, `${workload.name}: NODE_OPTIONS caps the heap`);
          const limit = quantity(container.resources?.limits?.memory);
          assert.ok(Number(heap) * 2 ** 20 < limit * 0.8, `${workload.name}: a ${heap}MB heap leaves room in ${container.resources?.limits?.memory}`);
        }
      }
    });

    test("opens fewer database connections than its database's max_connections", () => {
      const databases = new Map<string, { maxConnections: number; used: string[]; total: number }>();
      for (const workload of all) {
        const postgres = workload.template.spec.containers.find((container) => container.image.startsWith('postgres:'));
        const argument = postgres?.args?.find((arg) => arg.startsWith('max_connections='));
        if (postgres) databases.set(workload.name, { maxConnections: Number(argument?.split('=')[1] ?? 100), used: [], total: 0 });
      }
      for (const cluster of ofKind(objects, 'Cluster')) {
        const parameters = (cluster.spec as { postgresql?: { parameters?: Record<string, string> } }).postgresql?.parameters ?? {};
        databases.set(cluster.metadata.name, { maxConnections: Number(parameters.max_connections ?? 100), used: [], total: 0 });
      }
      assert.equal(databases.size, 3, 'three databases');
      for (const workload of all) {
        for (const container of containersOf(workload)) {
          const uri = container.env?.find((variable) => variable.valueFrom?.secretKeyRef?.key === 'uri')?.valueFrom?.secretKeyRef;
          if (!uri) continue;
          const database = databases.get(uri.name.replace(/-app$/, ''));
          assert.ok(database, `${workload.name}: its database ${uri.name} is deployed`);
          // A migration uses one connection, the re-check a pool of 4 (services/link-service recheckLinks).
          const pool = workload.kind === 'Job' ? 1 : workload.kind === 'CronJob' ? 4 : Number(plainEnv(objects, container).DB_POOL_SIZE ?? 10);
          const connections = maxPods(objects, workload) * pool;
          database.used.push(`${workload.name} ${connections}`);
          database.total += connections;
        }
      }
      for (const [name, database] of databases) {
        // PostgreSQL keeps 3 connections for superusers.
        assert.ok(database.total <= database.maxConnections - 3, `${name}: ${database.used.join(' + ')} > ${database.maxConnections} - 3`);
      }
    });

    test('fits in the ResourceQuota with every autoscaler at its maximum and a surge pod each', () => {
      const quota = (find(objects, 'ResourceQuota', 'delinkcious')!.spec as { hard: Record<string, string> }).hard;
      const limitRange = (find(objects, 'LimitRange', 'delinkcious')!.spec as { limits: { type: string; defaultRequest?: Record<string, string> }[] }).limits;
      const defaults = limitRange.find((limit) => limit.type === 'Container')!.defaultRequest!;
      let cpu = 0;
      let memory = 0;
      let pods = 0;
      let claims = 0;
      let storage = 0;
      for (const workload of all) {
        if (workload.kind === 'CronJob') assert.equal((workload.object.spec as { concurrencyPolicy?: string }).concurrencyPolicy, 'Forbid');
        const count = maxPods(objects, workload);
        assert.ok(Number.isFinite(count), `${workload.name}: a maximum scale`);
        let podCpu = 0;
        let podMemory = 0;
        for (const container of workload.template.spec.containers) {
          podCpu += quantity(container.resources?.requests?.cpu ?? defaults.cpu);
          podMemory += quantity(container.resources?.requests?.memory ?? defaults.memory);
        }
        // Containers a platform adds: Istio's sidecar (its default requests), Knative's queue-proxy.
        if (workload.template.metadata.labels?.['sidecar.istio.io/inject'] === 'true') [podCpu, podMemory] = [podCpu + 0.1, podMemory + 128 * 2 ** 20];
        if (isKnative(workload)) [podCpu, podMemory] = [podCpu + 0.025, podMemory + quantity(defaults.memory)];
        cpu += count * podCpu;
        memory += count * podMemory;
        pods += count;
        for (const template of (workload.object.spec as { volumeClaimTemplates?: { spec: { resources: { requests: { storage: string } } } }[] }).volumeClaimTemplates ?? []) {
          claims += count;
          storage += count * quantity(template.spec.resources.requests.storage);
        }
      }
      for (const cluster of ofKind(objects, 'Cluster')) {
        const spec = cluster.spec as { instances: number; resources: { requests: Record<string, string> }; storage: { size: string } };
        cpu += spec.instances * quantity(spec.resources.requests.cpu);
        memory += spec.instances * quantity(spec.resources.requests.memory);
        pods += spec.instances;
        claims += spec.instances;
        storage += spec.instances * quantity(spec.storage.size);
      }
      const fits = (used: number, name: string) => assert.ok(used <= quantity(quota[name]), `${name}: ${used.toFixed(2)} > ${quota[name]}`);
      fits(cpu, 'requests.cpu');
      fits(memory, 'requests.memory');
      fits(pods, 'pods');
      fits(claims, 'persistentvolumeclaims');
      fits(storage, 'requests.storage');
    });
  });

  describe(`${target}: the system`, () => {
    const objects = render(target);
    const all = workloads(objects);

    test('runs every service of docs/design.md, a migration Job per database service and the link re-check CronJob', () => {
      const running = all.filter(serves).map((workload) => serviceRun(workload.template.spec.containers[0]!));
      assert.deepEqual([...new Set(running)].sort(), Object.keys(discovery).sort());
      for (const service of databaseServices) {
        const job = find(objects, 'Job', `${service}-migrate`);
        assert.ok(job, `${service}: a migration Job`);
        const [workload] = workloads([job]);
        assert.deepEqual(workload!.template.spec.containers[0]!.args, ['migrate', '--service', service]);
        assert.equal(workload!.template.spec.restartPolicy, 'Never');
        const spec = job.spec as { backoffLimit?: number; activeDeadlineSeconds?: number };
        assert.ok(spec.backoffLimit && spec.activeDeadlineSeconds, `${service}-migrate: bounded retries and time`);
      }
      const cronJobs = workloads(ofKind(objects, 'CronJob'));
      assert.deepEqual(
        cronJobs.map((workload) => workload.template.spec.containers[0]!.args).sort(),
        [['rebuild-feeds'], ['recheck']],
      );
    });

    test('holds rebuild-feeds as a suspended CronJob an operator runs, as news-service, with bounded retries and time', () => {
      const cronJob = find(objects, 'CronJob', 'news-rebuild-feeds');
      assert.ok(cronJob, 'the CronJob news-rebuild-feeds');
      const spec = cronJob.spec as { suspend?: boolean; concurrencyPolicy?: string; jobTemplate: { spec: { backoffLimit?: number; activeDeadlineSeconds?: number } } };
      assert.equal(spec.suspend, true, 'never scheduled: kubectl create job --from=cronjob/news-rebuild-feeds');
      assert.ok(spec.jobTemplate.spec.backoffLimit && spec.jobTemplate.spec.activeDeadlineSeconds, 'bounded retries and time');
      const [workload] = workloads([cronJob]);
      const container = workload!.template.spec.containers[0]!;
      assert.deepEqual(container.args, ['rebuild-feeds']);
      assert.equal(workload!.template.spec.serviceAccountName, 'news-service');
      assert.equal(workload!.template.spec.restartPolicy, 'Never');
      // The same feed store as the service: REDIS_URL and the key prefix from news-service's ConfigMap.
      const news = workloads(objects).find((candidate) => candidate.kind === 'Deployment' && candidate.name === 'news-service');
      const redisUrl = (c: Container) => c.env?.find((variable) => variable.name === 'REDIS_URL')?.value;
      if (news) assert.equal(redisUrl(container), redisUrl(news.template.spec.containers[0]!));
      assert.ok(container.envFrom?.some((source) => source.configMapRef?.name === 'news-service-config'));
    });

    test('serves one public host: PUBLIC_URL, the Ingress, the Istio Gateway and VirtualService agree', () => {
      const publicUrl = new URL(configMapData(objects, 'api-gateway-config').PUBLIC_URL!);
      assert.equal(publicUrl.protocol, 'https:');
      const hosts = new Set<string>();
      for (const ingress of ofKind(objects, 'Ingress')) {
        const spec = ingress.spec as { tls: { hosts: string[] }[]; rules: { host: string }[] };
        for (const host of [...spec.tls.flatMap((tls) => tls.hosts), ...spec.rules.map((rule) => rule.host)]) hosts.add(host);
      }
      for (const gateway of ofKind(objects, 'Gateway')) {
        for (const server of (gateway.spec as { servers: { hosts: string[] }[] }).servers) for (const host of server.hosts) hosts.add(host);
      }
      for (const route of ofKind(objects, 'VirtualService')) for (const host of (route.spec as { hosts: string[] }).hosts) hosts.add(host);
      assert.deepEqual([...hosts], [publicUrl.hostname]);
    });

    test('keeps the gateway\'s /metrics off the public entry: the Ingress sends it nowhere, the VirtualService answers 404', () => {
      for (const ingress of ofKind(objects, 'Ingress')) {
        const paths = (ingress.spec as { rules: { http: { paths: { path: string; pathType: string; backend: { service: { name: string } } }[] } }[] }).rules.flatMap(
          (rule) => rule.http.paths,
        );
        const metrics = paths.findIndex((path) => path.path === '/metrics' && path.pathType === 'Exact');
        assert.ok(metrics >= 0, `Ingress ${ingress.metadata.name}: an Exact /metrics path`);
        const backend = find(objects, 'Service', paths[metrics]!.backend.service.name);
        assert.ok(backend, `Ingress ${ingress.metadata.name}: /metrics goes to a Service of the render`);
        const selector = (backend.spec as { selector?: Record<string, string> }).selector;
        assert.ok(!selector || Object.keys(selector).length === 0, 'that Service selects no pod: the request reaches no gateway');
      }
      for (const route of ofKind(objects, 'VirtualService')) {
        const http = (route.spec as { http: { match?: { uri?: { exact?: string } }[]; directResponse?: { status: number } }[] }).http;
        assert.deepEqual(http[0]?.match?.[0]?.uri, { exact: '/metrics' }, `VirtualService ${route.metadata.name}: /metrics first`);
        assert.equal(http[0]?.directResponse?.status, 404);
      }
      assert.ok(ofKind(objects, 'Ingress').length + ofKind(objects, 'VirtualService').length > 0, 'a public entry is rendered');
    });

    test('puts everything in its one namespace, which enforces the restricted Pod Security level', () => {
      const namespace = namespaceOf(objects);
      const labels = find(objects, 'Namespace', namespace)?.metadata.labels ?? {};
      assert.equal(labels['pod-security.kubernetes.io/enforce'], 'restricted');
      for (const object of objects) if (object.kind !== 'Namespace') assert.equal(object.metadata.namespace, namespace, `${object.kind} ${object.metadata.name}`);
    });
  });
}

describe('the files under deploy/', () => {
  function* files(dir: string): Generator<string> {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (['node_modules', 'dist'].includes(entry)) continue;
      if (statSync(path).isDirectory()) yield* files(path);
      else yield path;
    }
  }

  test('hold no Secret, secret generator, key or credential', () => {
    for (const path of files(join(repoRoot, 'deploy'))) {
      const text = readFileSync(path, 'utf8');
      const at = relative(repoRoot, path);
      if (path.endsWith('.yaml')) {
        assert.doesNotMatch(text, /^kind:\s*Secret\s*$/m, `${at}: a Secret`);
        assert.doesNotMatch(text, /secretGenerator|stringData:/, `${at}: a generated Secret`);
        assert.doesNotMatch(text, /(password|token|secret)\s*:\s*['"]?[A-Za-z0-9+/=_-]{12,}/i, `${at}: a credential`);
      }
      assert.doesNotMatch(text, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, `${at}: a private key`);
    }
  });

  test("docs/operations.md lists no Secret that nothing uses", () => {
    const used = new Set<string>();
    for (const target of targets) {
      const text = JSON.stringify(render(target));
      for (const name of documentedSecrets().keys()) if (text.includes(`"${name}"`)) used.add(name);
    }
    assert.deepEqual([...documentedSecrets().keys()].filter((name) => !used.has(name)), []);
  });

  test('every overlay is a thin kustomization over the base and components', () => {
    for (const overlay of targets.filter((target) => target.startsWith('overlays/'))) {
      const text = readFileSync(join(kubernetesDir, overlay, 'kustomization.yaml'), 'utf8');
      assert.match(text, /resources:\n {2}- \.\.\/\.\.\/base\n/, `${overlay} builds on the base`);
      assert.match(text, /components:\n( {2}- \.\.\/\.\.\/components\/[\w-]+\n)+/, `${overlay} adds components`);
    }
  });
});
