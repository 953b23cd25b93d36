/**
 * What an operator relies on beyond each object being well formed: that deleting
 * or pruning the Argo CD Application never deletes data; that staging and
 * production run side by side, each referring only to its own namespace; that
 * the stateful parts keep their data and secrets (NATS replicas, budgets, Redis
 * memory, no password in a process's arguments, PostgreSQL backups and the
 * documented restore); and that the dashboard and alerts query metrics that exist.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { cnpgClusterSchema } from './support/cnpg-schema.ts';
import {
  configMapData,
  find,
  namespaceOf,
  ofKind,
  quantity,
  render,
  repoRoot,
  selects,
  targets,
  workloads,
  type K8sObject,
  type LabelSelector,
} from './support/manifests.ts';

const deployTargets = targets.filter((target) => target !== 'argocd');

// ---------------------------------------------------------------- Argo CD and data

interface Application {
  metadata: { name: string; finalizers?: string[] };
  spec: { source: { path: string }; destination: { namespace: string }; syncPolicy?: { syncOptions?: string[] } };
}

const applications = () => ofKind(render('argocd'), 'Application') as unknown as Application[];

/** The sync options an object sets for itself (`argocd.argoproj.io/sync-options: A=b,C=d`). */
function syncOptions(object: K8sObject): Set<string> {
  const value = object.metadata.annotations?.['argocd.argoproj.io/sync-options'] ?? '';
  return new Set(value.split(',').map((option) => option.trim()).filter(Boolean));
}

/**
 * What deleting the Application (its resources finalizer cascades) or pruning
 * would delete that holds data: the Namespace (and everything in it), a PVC, a
 * Secret, a CloudNativePG Cluster (which owns its PVCs and its app Secret), a
 * StatefulSet whose PVCs go with it.
 */
function dataAtRisk(objects: K8sObject[]): string[] {
  const atRisk: string[] = [];
  for (const object of objects) {
    const holdsData =
      ['Namespace', 'PersistentVolumeClaim', 'Secret'].includes(object.kind) ||
      (object.kind === 'Cluster' && object.apiVersion.startsWith('postgresql.cnpg.io/'));
    const spec = object.spec as { volumeClaimTemplates?: unknown[]; persistentVolumeClaimRetentionPolicy?: { whenDeleted?: string; whenScaled?: string } } | undefined;
    const statefulSetTakesItsVolumes =
      object.kind === 'StatefulSet' &&
      (spec?.volumeClaimTemplates?.length ?? 0) > 0 &&
      (spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted !== 'Retain' || spec.persistentVolumeClaimRetentionPolicy.whenScaled !== 'Retain');
    if (!holdsData && !statefulSetTakesItsVolumes) continue;
    const options = syncOptions(object);
    if (!options.has('Delete=false') || !options.has('Prune=false')) atRisk.push(`${object.kind} ${object.metadata.name}`);
  }
  return atRisk;
}

describe('deleting or pruning the Argo CD Application deletes no data', () => {
  test('each Application deploys an overlay into that overlay\'s namespace, which it creates', () => {
    const apps = applications();
    assert.ok(apps.length >= 2, 'an Application per environment');
    for (const app of apps) {
      const target = app.spec.source.path.replace(/^deploy\/kubernetes\//, '');
      assert.ok(deployTargets.includes(target), `${app.metadata.name}: ${app.spec.source.path} is a target`);
      assert.equal(app.spec.destination.namespace, namespaceOf(render(target)), `${app.metadata.name}: its destination is its overlay's namespace`);
      assert.ok(app.spec.syncPolicy?.syncOptions?.includes('CreateNamespace=true'), `${app.metadata.name}: the namespace exists before the first hooks`);
    }
    assert.equal(new Set(apps.map((app) => app.spec.destination.namespace)).size, apps.length, 'no two Applications share a namespace');
  });

  for (const target of deployTargets) {
    test(`${target}: the Namespace, the Clusters and every volume outlive the Application`, () => {
      assert.deepEqual(dataAtRisk(render(target)), []);
    });
  }

  test('the check sees data at risk: a Namespace, a Cluster or a StatefulSet\'s volumes left to Argo CD', () => {
    const objects = render('overlays/production');
    delete find(objects, 'Namespace', 'delinkcious')!.metadata.annotations;
    find(objects, 'Cluster', 'link-db')!.metadata.annotations!['argocd.argoproj.io/sync-options'] = 'Prune=false';
    (find(objects, 'StatefulSet', 'redis')!.spec as { persistentVolumeClaimRetentionPolicy: { whenDeleted: string } }).persistentVolumeClaimRetentionPolicy.whenDeleted = 'Delete';
    assert.deepEqual(dataAtRisk(objects), ['Namespace delinkcious', 'StatefulSet redis', 'Cluster link-db']);
  });
});

// ---------------------------------------------------------------- environments side by side

/** Namespaces a cluster runs beside Delinkcious, which any environment may name. */
const platformNamespaces = new Set(['kube-system', 'ingress-nginx', 'monitoring', 'cnpg-system', 'istio-system', 'knative-serving', 'kourier-system']);

/** Every string in a value, with the path to it. */
function* strings(value: unknown, path = ''): Generator<[string, string]> {
  if (typeof value === 'string') yield [path, value];
  else if (Array.isArray(value)) for (const [index, element] of value.entries()) yield* strings(element, `${path}[${index}]`);
  else if (value && typeof value === 'object') for (const [key, inner] of Object.entries(value)) yield* strings(inner, `${path}.${key}`);
}

/** Where an object names a namespace: its own, Istio principals, `<name>.<namespace>.svc` hosts, PromQL, namespace selectors. */
function namespaceMentions(object: K8sObject): { namespace: string; at: string }[] {
  const found: { namespace: string; at: string }[] = [];
  const at = (path: string) => `${object.kind} ${object.metadata.name}${path}`;
  if (object.metadata.namespace) found.push({ namespace: object.metadata.namespace, at: at('.metadata.namespace') });
  for (const [path, text] of strings(object)) {
    for (const match of text.matchAll(/\/ns\/([a-z0-9-]+)\/sa\//g)) found.push({ namespace: match[1]!, at: at(path) });
    for (const match of text.matchAll(/\b[a-z0-9-]+\.([a-z0-9-]+)\.svc\b/g)) found.push({ namespace: match[1]!, at: at(path) });
    for (const match of text.matchAll(/\bnamespace\s*=~?\s*"([a-z0-9-]+)"/g)) found.push({ namespace: match[1]!, at: at(path) });
    if (path.endsWith(".namespaceSelector.matchLabels.kubernetes.io/metadata.name")) found.push({ namespace: text, at: at(path) });
  }
  return found;
}

/** The names a pod of the render resolves: its Services and Knative Services. */
const serviceNames = (objects: K8sObject[]) => new Set(ofKind(objects, 'Service').map((service) => service.metadata.name));

/** What does not resolve within the render's own namespace: hosts, URLs, principals. */
function unresolvedReferences(objects: K8sObject[]): string[] {
  const own = namespaceOf(objects);
  const services = serviceNames(objects);
  const accounts = new Set(ofKind(objects, 'ServiceAccount').map((account) => account.metadata.name));
  const problems: string[] = [];
  const host = (name: string, where: string) => {
    const [short, namespace, svc] = name.split('.');
    if (svc === 'svc' ? namespace !== own : namespace !== undefined) problems.push(`${where}: ${name} is not a Service of ${own}`);
    else if (!services.has(short!)) problems.push(`${where}: no Service ${short}`);
  };
  for (const rule of ofKind(objects, 'DestinationRule')) host((rule.spec as { host: string }).host, `DestinationRule ${rule.metadata.name}`);
  for (const route of ofKind(objects, 'VirtualService')) {
    for (const [path, text] of strings(route.spec)) if (/\.destination\.host$/.test(path)) host(text, `VirtualService ${route.metadata.name}`);
  }
  for (const configMap of ofKind(objects, 'ConfigMap')) {
    for (const [key, value] of Object.entries((configMap.data as Record<string, string> | undefined) ?? {})) {
      if (!/^(https?|nats|redis|postgresql):\/\/[^\s]+$/.test(value) || key === 'PUBLIC_URL') continue;
      const { hostname } = new URL(value);
      if (hostname === 'localhost' || (hostname.includes('.') && !hostname.includes('.svc'))) continue; // outside the cluster
      host(hostname, `ConfigMap ${configMap.metadata.name} ${key}`);
    }
  }
  for (const policy of ofKind(objects, 'AuthorizationPolicy')) {
    for (const [, text] of strings(policy.spec)) {
      const principal = /^cluster\.local\/ns\/([a-z0-9-]+)\/sa\/([a-z0-9-]+)$/.exec(text);
      if (!principal) continue;
      const [, namespace, account] = principal;
      if (namespace === own) {
        if (!accounts.has(account!)) problems.push(`AuthorizationPolicy ${policy.metadata.name}: no ServiceAccount ${account}`);
      } else if (!platformNamespaces.has(namespace!)) problems.push(`AuthorizationPolicy ${policy.metadata.name}: ${text} is in neither ${own} nor the platform`);
    }
  }
  return problems;
}

const publicHosts = (objects: K8sObject[]) => {
  const hosts = new Set<string>([new URL(configMapData(objects, 'api-gateway-config').PUBLIC_URL!).hostname]);
  for (const gateway of ofKind(objects, 'Gateway')) for (const [path, text] of strings(gateway.spec)) if (/\.hosts\[\d+\]$/.test(path)) hosts.add(text);
  return hosts;
};
const gatewayCredentials = (objects: K8sObject[]) =>
  new Set(ofKind(objects, 'Gateway').flatMap((gateway) => [...strings(gateway.spec)].filter(([path]) => path.endsWith('.credentialName')).map(([, name]) => name)));

describe('staging and production run side by side in one cluster', () => {
  const environments = { staging: render('overlays/staging'), production: render('overlays/production') };

  test('in different namespaces, at different hosts and certificates', () => {
    assert.notEqual(namespaceOf(environments.staging), namespaceOf(environments.production));
    const [stagingHosts, productionHosts] = [publicHosts(environments.staging), publicHosts(environments.production)];
    assert.deepEqual([...stagingHosts].filter((name) => productionHosts.has(name)), []);
    const [stagingCerts, productionCerts] = [gatewayCredentials(environments.staging), gatewayCredentials(environments.production)];
    assert.deepEqual([...stagingCerts].filter((name) => productionCerts.has(name)), []);
  });

  for (const [name, objects] of Object.entries(environments)) {
    const other = namespaceOf(name === 'staging' ? environments.production : environments.staging);
    test(`${name}: no object names the other's namespace, and every namespace it names is its own or the platform's`, () => {
      const own = namespaceOf(objects);
      const foreign = objects.flatMap(namespaceMentions).filter(({ namespace }) => namespace !== own && !platformNamespaces.has(namespace));
      assert.deepEqual(foreign.map(({ namespace, at }) => `${at}: ${namespace}`), []);
      assert.ok(!platformNamespaces.has(other));
    });
  }

  for (const target of deployTargets) {
    test(`${target}: every host, URL and principal resolves within its own namespace`, () => {
      assert.deepEqual(unresolvedReferences(render(target)), []);
    });
  }

  test('the checks see a hard-coded namespace: a principal, a host and a URL', () => {
    const objects = render('overlays/staging');
    const policy = find(objects, 'AuthorizationPolicy', 'user-service')!;
    (policy.spec as { rules: { from: { source: { principals: string[] } }[] }[] }).rules[0]!.from[0]!.source.principals = ['cluster.local/ns/delinkcious/sa/api-gateway'];
    (find(objects, 'DestinationRule', 'user-manager')!.spec as { host: string }).host = 'user-manager.delinkcious.svc.cluster.local';
    (find(objects, 'ConfigMap', 'nats-client')!.data as Record<string, string>).NATS_URL = 'nats://nats.delinkcious.svc:4222';
    assert.equal(unresolvedReferences(objects).length, 3);
    assert.deepEqual(
      objects.flatMap(namespaceMentions).filter(({ namespace }) => namespace === 'delinkcious').map(({ at }) => at).sort(),
      ['AuthorizationPolicy user-service.spec.rules[0].from[0].source.principals[0]', 'ConfigMap nats-client.data.NATS_URL', 'DestinationRule user-manager.spec.host'].sort(),
    );
  });
});

// ---------------------------------------------------------------- stateful parts

interface StatefulSetSpec {
  replicas?: number;
  podManagementPolicy?: string;
  template: { metadata: { labels: Record<string, string> }; spec: { containers: { name: string; args?: string[]; ports?: { containerPort: number }[] }[] } };
}

describe('the stateful parts keep their data and their secrets', () => {
  for (const target of deployTargets) {
    const objects = render(target);
    test(`${target}: NATS keeps as many stream copies as NATS_STREAM_REPLICAS says, on as many servers, with routes to each`, () => {
      const nats = find(objects, 'StatefulSet', 'nats')!.spec as StatefulSetSpec;
      const servers = nats.replicas ?? 1;
      const replicas = Number(configMapData(objects, 'nats-client').NATS_STREAM_REPLICAS);
      assert.ok(Number.isInteger(replicas) && replicas >= 1 && replicas <= servers, `NATS_STREAM_REPLICAS ${replicas} on ${servers} servers`);
      if (target === 'overlays/production') assert.deepEqual([servers, replicas], [3, 3], 'production: a three-node cluster, three copies');
      if (servers === 1) return;
      const args = nats.template.spec.containers.find((container) => container.name === 'nats')!.args!;
      const routes = args[args.indexOf('--routes') + 1]!.split(',');
      assert.deepEqual(routes, Array.from({ length: servers }, (_, index) => `nats://nats-${index}.nats:6222`));
      assert.ok(args.includes('--cluster_name'), 'a cluster name');
      assert.equal(nats.podManagementPolicy, 'Parallel', 'the servers start together (a quorum is needed to be ready)');
    });

    test(`${target}: each StatefulSet has a PodDisruptionBudget that keeps a quorum through a drain`, () => {
      for (const statefulSet of ofKind(objects, 'StatefulSet')) {
        const spec = statefulSet.spec as StatefulSetSpec;
        const budgets = ofKind(objects, 'PodDisruptionBudget').filter((budget) =>
          selects((budget.spec as { selector: LabelSelector }).selector, spec.template.metadata.labels),
        );
        assert.equal(budgets.length, 1, `${statefulSet.metadata.name}: one budget`);
        const budget = budgets[0]!.spec as { maxUnavailable?: number; minAvailable?: number };
        const replicas = spec.replicas ?? 1;
        const available = budget.minAvailable ?? replicas - (budget.maxUnavailable ?? 0);
        if (replicas >= 3) assert.ok(available > replicas / 2, `${statefulSet.metadata.name}: ${available} of ${replicas} stay`);
        else assert.ok(available < replicas || budget.maxUnavailable === 1, `${statefulSet.metadata.name}: a drain is not blocked forever`);
      }
    });

    test(`${target}: no secret reaches a process's arguments (which ps shows on the node)`, () => {
      for (const workload of workloads(objects)) {
        for (const container of [...(workload.template.spec.initContainers ?? []), ...workload.template.spec.containers]) {
          const secretVariables = new Set((container.env ?? []).filter((variable) => variable.valueFrom?.secretKeyRef).map((variable) => variable.name));
          for (const argument of [...(container.command ?? []), ...(container.args ?? [])]) {
            for (const match of argument.matchAll(/\$\(?\{?(\w+)/g)) {
              assert.ok(!secretVariables.has(match[1]!), `${workload.name}/${container.name}: ${match[1]} (a Secret) in its arguments`);
            }
          }
        }
      }
    });

    test(`${target}: Redis's maxmemory leaves a quarter of its container's memory limit for forks and buffers`, () => {
      const conf = configMapData(objects, 'redis-config')['redis.conf']!;
      const maxmemory = /^maxmemory\s+(\d+)(mb|gb)$/m.exec(conf);
      assert.ok(maxmemory, 'maxmemory is set');
      const bytes = Number(maxmemory[1]) * (maxmemory[2] === 'gb' ? 2 ** 30 : 2 ** 20);
      const redis = (find(objects, 'StatefulSet', 'redis')!.spec as { template: { spec: { containers: { name: string; resources: { limits: { memory: string } } }[] } } }).template.spec.containers.find(
        (container) => container.name === 'redis',
      )!;
      const limit = quantity(redis.resources.limits.memory);
      assert.ok(bytes <= 0.75 * limit, `maxmemory ${bytes} > 75% of ${limit}`);
      assert.match(conf, /^maxmemory-policy noeviction$/m);
      assert.doesNotMatch(conf, /requirepass/, 'the password is not in the ConfigMap');
    });
  }
});

// ---------------------------------------------------------------- PostgreSQL backups

interface ClusterSpec {
  backup?: { barmanObjectStore?: { destinationPath: string; s3Credentials?: unknown } };
  bootstrap?: { recovery?: { source?: string } };
  externalClusters?: { name: string; barmanObjectStore?: { destinationPath: string } }[];
}

/** The YAML blocks of docs/operations.md that define a CloudNativePG Cluster. */
function documentedClusters(): K8sObject[] {
  const text = readFileSync(join(repoRoot, 'docs/operations.md'), 'utf8');
  return [...text.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((block) => parse(block[1]!) as K8sObject)
    .filter((object) => object?.kind === 'Cluster' && object.apiVersion?.startsWith('postgresql.cnpg.io/'));
}

describe('CloudNativePG backs up continuously, and docs/operations.md restores', () => {
  for (const target of deployTargets.filter((candidate) => ofKind(render(candidate), 'Cluster').length > 0)) {
    test(`${target}: every Cluster archives to an object store and has a ScheduledBackup`, () => {
      const objects = render(target);
      const scheduled = ofKind(objects, 'ScheduledBackup').map((backup) => backup.spec as { cluster: { name: string }; method: string });
      for (const cluster of ofKind(objects, 'Cluster')) {
        const store = (cluster.spec as ClusterSpec).backup?.barmanObjectStore;
        assert.ok(store?.destinationPath && store.s3Credentials, `${cluster.metadata.name}: a barmanObjectStore with credentials`);
        assert.ok(store.destinationPath.endsWith(`/${cluster.metadata.name}`), `${cluster.metadata.name}: a folder of its own`);
        assert.ok(
          scheduled.some((backup) => backup.cluster.name === cluster.metadata.name && backup.method === 'barmanObjectStore'),
          `${cluster.metadata.name}: a ScheduledBackup`,
        );
      }
    });
  }

  test('the documented recovery is a valid Cluster that recovers from where a Cluster of the render archives', () => {
    const validate = new Ajv({ allErrors: true }).compile(cnpgClusterSchema);
    const documented = documentedClusters();
    assert.ok(documented.length > 0, 'docs/operations.md shows a recovery Cluster');
    const archives = new Set(
      ofKind(render('overlays/production'), 'Cluster').map((cluster) => (cluster.spec as ClusterSpec).backup!.barmanObjectStore!.destinationPath),
    );
    for (const cluster of documented) {
      assert.ok(validate(cluster), JSON.stringify(validate.errors));
      const spec = cluster.spec as ClusterSpec;
      const source = spec.externalClusters?.find((external) => external.name === spec.bootstrap?.recovery?.source);
      assert.ok(source?.barmanObjectStore, `${cluster.metadata.name}: recovery.source names an external cluster with an object store`);
      assert.ok(archives.has(source.barmanObjectStore.destinationPath), `${source.barmanObjectStore.destinationPath} is where a Cluster archives`);
    }
  });
});

// ---------------------------------------------------------------- metrics the dashboard and alerts query

/** Every metric the services export: libs/kit/src/metrics.ts, the services' own, prom-client's process metrics. */
function exportedMetrics(): Set<string> {
  const names = new Set<string>();
  const add = (name: string, type: string) => {
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    else names.add(name);
  };
  const sources = [join(repoRoot, 'libs/kit/src/metrics.ts')];
  for (const service of readdirSync(join(repoRoot, 'services'))) {
    const dir = join(repoRoot, 'services', service, 'src');
    for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) if (file.endsWith('.ts')) sources.push(join(dir, file));
  }
  for (const source of sources) {
    const text = readFileSync(source, 'utf8');
    for (const match of text.matchAll(/new (Counter|Gauge|Histogram)\(\{\s*name: '(\w+)'/g)) add(match[2]!, match[1]!.toLowerCase());
    for (const match of text.matchAll(/\.(counter|gauge|histogram)\(\s*'(\w+)'/g)) add(match[2]!, match[1]!);
  }
  // prom-client's collectDefaultMetrics (libs/kit/src/metrics.ts serves them with every service).
  for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_open_fds', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes']) names.add(name);
  return names;
}

/**
 * Metrics of the exporters the monitoring component scrapes: Prometheus's own
 * `up`; the NATS exporter's /varz (gnatsd_varz_<field of /varz>); CloudNativePG's
 * instance exporter (its collector and default queries).
 */
const exporterMetrics = new Set([
  'up',
  'gnatsd_varz_connections',
  'gnatsd_varz_in_msgs',
  'gnatsd_varz_out_msgs',
  'gnatsd_varz_mem',
  'gnatsd_varz_slow_consumers',
  'cnpg_collector_up',
  'cnpg_collector_last_available_backup_timestamp',
  'cnpg_backends_total',
  'cnpg_pg_replication_lag',
  'cnpg_pg_database_size_bytes',
]);

const promqlWords = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan']);

/** The metric names a PromQL expression selects (strings, label matchers, groupings, ranges and functions left out). */
function metricNames(expression: string): string[] {
  const bare = expression
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\[[^\]]*\]/g, '');
  const names = new Set<string>();
  for (const match of bare.matchAll(/(?<![\w.$])([a-zA-Z_:][\w:]*)(?![\w:]|\s*\()/g)) {
    if (!promqlWords.has(match[1]!.toLowerCase())) names.add(match[1]!);
  }
  return [...names];
}

describe('the dashboard and the alerts query metrics that exist', () => {
  const objects = render('overlays/production');
  const known = new Set([...exportedMetrics(), ...exporterMetrics]);

  test('the metric name parser finds what an expression selects', () => {
    assert.deepEqual(metricNames('sum by (service, le) (rate(http_request_duration_seconds_bucket{svc="d", route!~"/a|/b"}[5m])) / on (x) up > 1'), [
      'http_request_duration_seconds_bucket',
      'up',
    ]);
    assert.deepEqual(metricNames('(time() - max by (pod) (cnpg_collector_last_available_backup_timestamp)) / 3600'), ['cnpg_collector_last_available_backup_timestamp']);
  });

  test('every query of the Grafana dashboard', () => {
    const dashboard = JSON.parse(configMapData(objects, 'delinkcious-dashboard')['delinkcious.json']!) as { panels: { title: string; targets: { expr: string }[] }[] };
    assert.ok(dashboard.panels.length > 0);
    for (const panel of dashboard.panels) {
      for (const { expr } of panel.targets) {
        const names = metricNames(expr);
        assert.ok(names.length > 0, `${panel.title}: ${expr} selects a metric`);
        for (const name of names) assert.ok(known.has(name), `${panel.title}: ${name} is exported by nothing`);
      }
    }
  });

  test('every alerting rule', () => {
    for (const rule of ofKind(objects, 'PrometheusRule')) {
      for (const group of (rule.spec as { groups: { rules: { alert: string; expr: string }[] }[] }).groups) {
        for (const alert of group.rules) for (const name of metricNames(alert.expr)) assert.ok(known.has(name), `${alert.alert}: ${name} is exported by nothing`);
      }
    }
  });

  test('a misspelt metric is caught', () => {
    assert.ok(!known.has(metricNames('rate(http_request_total[5m])')[0]!));
  });
});

// ---------------------------------------------------------------- blue-green

/** The YAML blocks of docs/operations.md that patch the VirtualService (the blue-green switch). */
function documentedSwitches(): { spec: { http: unknown[] } }[] {
  const text = readFileSync(join(repoRoot, 'docs/operations.md'), 'utf8');
  return [...text.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((block) => parse(block[1]!) as K8sObject)
    .filter((object) => object?.kind === 'VirtualService') as unknown as { spec: { http: unknown[] } }[];
}

interface HttpRoute {
  match?: { uri?: { exact?: string } }[];
  directResponse?: { status: number };
  route?: { destination: { host: string; subset?: string }; weight?: number }[];
}

describe('the documented blue-green switch', () => {
  const switches = documentedSwitches();
  test('is in docs/operations.md', () => assert.equal(switches.length, 1));

  for (const target of deployTargets.filter((candidate) => ofKind(render(candidate), 'VirtualService').length > 0)) {
    test(`${target}: sends everything to the deployed green side and keeps /metrics private`, () => {
      const objects = render(target);
      const route = find(objects, 'VirtualService', 'api-gateway')!;
      (route.spec as { http: unknown[] }).http = structuredClone(switches[0]!.spec.http);
      const http = (route.spec as { http: HttpRoute[] }).http;
      assert.deepEqual(http[0]!.match?.[0]?.uri, { exact: '/metrics' });
      assert.equal(http[0]!.directResponse?.status, 404);
      const rule = find(objects, 'DestinationRule', 'api-gateway')!.spec as { subsets: { name: string; labels: Record<string, string> }[] };
      const deployments = ofKind(objects, 'Deployment').map(
        (deployment) => (deployment.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels,
      );
      for (const entry of http.filter((candidate) => candidate.route)) {
        assert.equal(entry.route!.reduce((sum, destination) => sum + (destination.weight ?? 0), 0), 100);
        const live = entry.route!.filter((destination) => (destination.weight ?? 0) > 0);
        assert.deepEqual(live.map((destination) => destination.destination.subset), ['canary'], 'all of it to green');
        for (const destination of entry.route!) {
          const subset = rule.subsets.find((candidate) => candidate.name === destination.destination.subset);
          assert.ok(subset, `subset ${destination.destination.subset} exists`);
          assert.ok(
            deployments.some((labels) => labels.app === 'api-gateway' && selects({ matchLabels: subset.labels }, labels)),
            `a Deployment runs subset ${subset.name}`,
          );
        }
      }
      assert.deepEqual(unresolvedReferences(objects), []);
    });
  }
});
