/**
 * The NetworkPolicies allow exactly the calls of docs/design.md, nothing more, in the
 * base and in every overlay: the graph ./network-graph.ts computes from the
 * policies (pod selectors × ports) equals the graph written out below.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { allowedTraffic, podsOf } from './support/network-graph.ts';
import { namespaceOf, ofKind, plainEnv, render, selects, targets, workloads, type LabelSelector } from './support/manifests.ts';

interface Features {
  cloudnativePg?: boolean;
  knative?: boolean;
  istio?: boolean;
  natsCluster?: boolean;
  monitoring?: boolean;
}

/** Which components each target holds. */
const featuresOf: Record<string, Features> = {
  base: {},
  'overlays/cloudnative-pg': { cloudnativePg: true },
  'overlays/knative': { knative: true },
  'overlays/istio': { istio: true },
  'overlays/monitoring': { monitoring: true },
  'overlays/production': { cloudnativePg: true, istio: true, natsCluster: true, monitoring: true },
  'overlays/staging': { cloudnativePg: true, istio: true, monitoring: true },
};

const services = ['api-gateway', 'link-service', 'social-graph-service', 'user-service', 'news-service', 'link-checker'];
const databases = ['link-db', 'social-graph-db', 'user-db'];
const pods = [...services, 'link-service-migrate', 'social-graph-service-migrate', 'user-service-migrate', 'link-recheck', 'news-rebuild-feeds', ...databases, 'redis', 'nats', 'delinkcious-smoke'];

/** The calls docs/design.md describes, as the edges the policies must allow. */
function expectedTraffic(features: Features): string[] {
  const edges = new Set<string>();
  const call = (from: string, to: string) => edges.add(`${from} -> ${to}`);

  // §2: the public entry, through the ingress controller (or Istio's ingress gateway).
  call(features.istio ? 'ns:istio-system/istio=ingressgateway' : 'ns:ingress-nginx', 'api-gateway:5000/TCP');
  // §2, §3: the gateway calls the services behind it.
  for (const to of ['user-service:7070', 'link-service:8080', 'social-graph-service:9090', 'news-service:6060']) call('api-gateway', `${to}/TCP`);
  // §1: each service (its migration Job, link-service's re-check) reaches its own store only.
  for (const from of ['link-service', 'link-service-migrate', 'link-recheck']) call(from, 'link-db:5432/TCP');
  for (const from of ['social-graph-service', 'social-graph-service-migrate']) call(from, 'social-graph-db:5432/TCP');
  for (const from of ['user-service', 'user-service-migrate']) call(from, 'user-db:5432/TCP');
  call('news-service', 'redis:6379/TCP');
  // §4: events through NATS; news-service fans out to the author's followers.
  for (const from of ['link-service', 'news-service', 'link-checker']) call(from, 'nats:4222/TCP');
  call('news-service', 'social-graph-service:9090/TCP');
  // §4: rebuild-feeds acts for news-service: its Redis, every follow, the public links.
  for (const to of ['redis:6379', 'social-graph-service:9090', 'link-service:8080']) call('news-rebuild-feeds', `${to}/TCP`);
  // §5: link-service (and its re-check) asks the link-checker, which fetches links on the internet only.
  if (features.knative) {
    for (const from of ['link-service', 'link-recheck']) call(from, 'ns:kourier-system:*');
    call('ns:kourier-system', 'link-checker:8012/TCP');
    call('ns:knative-serving', 'link-checker:8012/TCP');
    call('ns:knative-serving', 'link-checker:9090/TCP');
  } else {
    for (const from of ['link-service', 'link-recheck']) call(from, 'link-checker:8081/TCP');
  }
  call('link-checker', 'cidr:0.0.0.0/0 except 10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,169.254.0.0/16:*');
  call('link-checker', 'cidr:::/0 except fc00::/7,fe80::/10:*');
  // §6: Prometheus, in the namespace monitoring, scrapes each service's HTTP port.
  const metricsPorts: Record<string, number> = {
    'api-gateway': 5000,
    'link-service': 8080,
    'social-graph-service': 9090,
    'user-service': 7070,
    'news-service': 6061,
    ...(features.knative ? {} : { 'link-checker': 8081 }),
  };
  for (const [service, port] of Object.entries(metricsPorts)) call('ns:monitoring', `${service}:${port}/TCP`);
  // The smoke-test Job comes in as a user does: the public URL, over HTTP(S), wherever its address is.
  for (const port of [443, 80]) call('delinkcious-smoke', `cidr:0.0.0.0/0:${port}/TCP`);
  // Every pod resolves names.
  for (const pod of pods) for (const protocol of ['UDP', 'TCP']) call(pod, `ns:kube-system/k8s-app=kube-dns:53/${protocol}`);

  if (features.istio) {
    // Sidecars (the services and the re-check) talk to istiod; Prometheus reads their merged metrics.
    for (const meshed of [...services, 'link-recheck', 'news-rebuild-feeds']) {
      call(meshed, 'ns:istio-system/app=istiod:15012/TCP');
      call('ns:monitoring', `${meshed}:15020/TCP`);
    }
  }
  if (features.monitoring) {
    // The exporters: NATS's beside each server, CloudNativePG's in each instance.
    call('ns:monitoring', 'nats:7777/TCP');
    if (features.cloudnativePg) for (const database of databases) call('ns:monitoring', `${database}:9187/TCP`);
    // Traces: the services and the re-check export OTLP to Jaeger; Grafana reads its query port; it resolves names.
    for (const from of [...services, 'link-recheck', 'news-rebuild-feeds']) for (const port of [4317, 4318]) call(from, `jaeger:${port}/TCP`);
    call('ns:monitoring', 'jaeger:16686/TCP');
    for (const protocol of ['UDP', 'TCP']) call('jaeger', `ns:kube-system/k8s-app=kube-dns:53/${protocol}`);
  }
  if (features.natsCluster) {
    // The servers' cluster routes.
    call('nats', 'nats:6222/TCP');
  }
  if (features.cloudnativePg) {
    // The operator reaches each instance; instances replicate and watch their Cluster.
    for (const database of databases) {
      call('ns:cnpg-system', `${database}:8000/TCP`);
      call(database, `${database}:5432/TCP`);
      call(database, 'cidr:0.0.0.0/0:443/TCP');
      call(database, 'cidr:0.0.0.0/0:6443/TCP');
    }
  }
  return [...edges].sort();
}

describe('the NetworkPolicies allow exactly the calls of docs/design.md', () => {
  test('every target is covered', () => {
    assert.deepEqual(targets.filter((target) => !(target in featuresOf)), ['argocd']);
    assert.deepEqual(ofKind(render('argocd'), 'NetworkPolicy'), [], 'the Argo CD Application runs no pods');
  });

  for (const [target, features] of Object.entries(featuresOf)) {
    test(target, () => {
      const objects = render(target);
      assert.deepEqual(allowedTraffic(objects, namespaceOf(objects)), expectedTraffic(features));
    });
  }
});

describe('configuration and policies agree', () => {
  /** The stores a workload is configured to use: NATS_URL, REDIS_URL, a database Secret's uri. */
  function configuredStores(target: string): string[] {
    const objects = render(target);
    const uses = new Set<string>();
    for (const workload of workloads(objects)) {
      const app = workload.template.metadata.labels?.app;
      for (const container of workload.template.spec.containers) {
        const env = plainEnv(objects, container);
        if (env.NATS_URL) uses.add(`${app} -> nats`);
        if (env.REDIS_URL) uses.add(`${app} -> redis`);
        for (const variable of container.env ?? []) {
          const ref = variable.valueFrom?.secretKeyRef;
          if (ref?.key === 'uri') uses.add(`${app} -> ${ref.name.replace(/-app$/, '')}`);
        }
      }
    }
    return [...uses].sort();
  }

  for (const target of Object.keys(featuresOf)) {
    test(`${target}: a workload is given a store's address exactly when its policies let it reach that store`, () => {
      const stores = new Set(['nats', 'redis', ...databases]);
      const reached = new Set<string>();
      for (const edge of allowedTraffic(render(target), namespaceOf(render(target)))) {
        const [, from, to] = /^(\S+) -> ([\w-]+):/.exec(edge) ?? [];
        if (from && to && !from.startsWith('ns:') && stores.has(to) && from !== to) reached.add(`${from} -> ${to}`);
      }
      assert.deepEqual(configuredStores(target), [...reached].sort());
    });
  }
});

describe('isolation', () => {
  for (const target of Object.keys(featuresOf)) {
    test(`${target}: every pod is denied by default, in and out`, () => {
      const objects = render(target);
      const defaultDeny = ofKind(objects, 'NetworkPolicy').find((policy) => policy.metadata.name === 'default-deny')!;
      const spec = defaultDeny.spec as { podSelector: LabelSelector; policyTypes: string[]; ingress?: unknown; egress?: unknown };
      assert.deepEqual(spec, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
      assert.deepEqual(
        podsOf(objects)
          .filter((pod) => !selects(spec.podSelector, pod.labels))
          .map((pod) => pod.app),
        [],
      );
    });
  }

  test('the graph sees a missing policy: without link-checker egress rules, it reaches nothing', () => {
    const objects = render('base');
    const policy = objects.find((object) => object.kind === 'NetworkPolicy' && object.metadata.name === 'link-checker')!;
    (policy.spec as { egress: unknown[] }).egress = [];
    const edges = allowedTraffic(objects, namespaceOf(objects)).filter((edge) => edge.startsWith('link-checker ->'));
    assert.deepEqual(edges, ['link-checker -> ns:kube-system/k8s-app=kube-dns:53/TCP', 'link-checker -> ns:kube-system/k8s-app=kube-dns:53/UDP']);
  });

  test('the graph sees a policy that allows too much: an ingress rule without `from`', () => {
    const objects = render('base');
    const policy = objects.find((object) => object.kind === 'NetworkPolicy' && object.metadata.name === 'redis')!;
    delete (policy.spec as { ingress: { from?: unknown }[] }).ingress[0]!.from;
    const callers = allowedTraffic(objects, namespaceOf(objects)).filter((edge) => edge.endsWith('-> redis:6379/TCP'));
    // Only pods whose own egress allows Redis can use the hole: news-service and its rebuild-feeds.
    assert.deepEqual(callers, ['news-rebuild-feeds -> redis:6379/TCP', 'news-service -> redis:6379/TCP']);
    const egress = objects.find((object) => object.kind === 'NetworkPolicy' && object.metadata.name === 'api-gateway')!;
    (egress.spec as { egress: unknown[] }).egress.push({ to: [{ podSelector: { matchLabels: { app: 'redis' } } }] });
    assert.ok(allowedTraffic(objects, namespaceOf(objects)).includes('api-gateway -> redis:6379/TCP'));
  });
});
