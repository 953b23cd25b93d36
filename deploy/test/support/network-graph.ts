/**
 * The traffic a render's NetworkPolicies allow, as a set of edges:
 *
 *   `link-service -> link-db:5432/TCP`                  pod to pod in the namespace
 *   `ns:monitoring -> api-gateway:5000/TCP`             from another namespace
 *   `news-service -> ns:kube-system/k8s-app=kube-dns:53/UDP`
 *   `link-checker -> cidr:0.0.0.0/0 except 10.0.0.0/8,…:*`  (* = any port)
 *
 * Pods are named by their `app` label. A pod-to-pod edge exists for a port the
 * target pod listens on when both the caller's egress and the target's ingress
 * allow it (a pod that no policy isolates in a direction allows everything in
 * it). Edges to and from other namespaces and address blocks are read from the
 * one side the namespace controls. Address blocks are taken to lie outside the
 * cluster: the manifests give pods inside it by selector, never by address.
 *
 * Ports a pod listens on beyond its containers' are modelled where a platform
 * adds them: Knative's queue-proxy (8012 requests, 9090 autoscaler metrics,
 * 9091 metrics), Istio's sidecar (15020 merged metrics), and a CloudNativePG
 * instance (5432, 8000 status, 9187 metrics).
 */
import { groupOf } from './kustomize.ts';
import { selects, workloads, type K8sObject, type LabelSelector } from './manifests.ts';

interface PolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

interface PolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

interface PolicyRule {
  from?: PolicyPeer[];
  to?: PolicyPeer[];
  ports?: PolicyPort[];
}

interface NetworkPolicy {
  metadata: { name: string };
  spec: {
    podSelector: LabelSelector;
    policyTypes?: ('Ingress' | 'Egress')[];
    ingress?: PolicyRule[];
    egress?: PolicyRule[];
  };
}

interface Port {
  name?: string;
  port: number;
  protocol: string;
}

export interface Pod {
  app: string;
  labels: Record<string, string>;
  ports: Port[];
}

/** The pods of a render: one per workload, with the ports it listens on. */
export function podsOf(objects: K8sObject[]): Pod[] {
  const pods: Pod[] = [];
  for (const workload of workloads(objects)) {
    const labels = workload.template.metadata.labels ?? {};
    const ports: Port[] = workload.template.spec.containers.flatMap((container) =>
      (container.ports ?? []).map((port) => ({ name: port.name, port: port.containerPort, protocol: port.protocol ?? 'TCP' })),
    );
    if (workload.object.apiVersion === 'serving.knative.dev/v1') {
      ports.push({ name: 'queue-http', port: 8012, protocol: 'TCP' }, { port: 9090, protocol: 'TCP' }, { port: 9091, protocol: 'TCP' });
    }
    if (labels['sidecar.istio.io/inject'] === 'true') ports.push({ port: 15020, protocol: 'TCP' });
    pods.push({ app: labels.app ?? workload.name, labels, ports });
  }
  for (const cluster of objects.filter((object) => object.kind === 'Cluster' && groupOf(object.apiVersion) === 'postgresql.cnpg.io')) {
    const labels = { ...((cluster.spec as { inheritedMetadata?: { labels?: Record<string, string> } }).inheritedMetadata?.labels ?? {}) };
    labels['cnpg.io/cluster'] = cluster.metadata.name;
    const ports = [5432, 8000, 9187].map((port) => ({ port, protocol: 'TCP' }));
    pods.push({ app: labels.app ?? cluster.metadata.name, labels, ports });
  }
  return pods;
}

function selectorText(selector: LabelSelector | undefined): string {
  const parts = Object.entries(selector?.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
  for (const expression of selector?.matchExpressions ?? []) parts.push(`${expression.key} ${expression.operator} (${(expression.values ?? []).join(',')})`);
  return parts.join(',');
}

/** How an edge names a peer outside the namespace's pods. */
function externalPeer(peer: PolicyPeer): string {
  if (peer.ipBlock) return `cidr:${peer.ipBlock.cidr}${peer.ipBlock.except?.length ? ` except ${peer.ipBlock.except.join(',')}` : ''}`;
  const namespaces = peer.namespaceSelector ?? {};
  const named = namespaces.matchLabels?.['kubernetes.io/metadata.name'];
  const namespace = named && Object.keys(namespaces.matchLabels ?? {}).length === 1 && !namespaces.matchExpressions ? named : `{${selectorText(namespaces)}}`;
  const pods = peer.podSelector ? selectorText(peer.podSelector) : '';
  return `ns:${namespace}${pods ? `/${pods}` : ''}`;
}

/** Whether a peer of a rule, in a policy of `namespaceLabels`'s namespace, is a pod of that namespace with `labels`. */
function peerMatchesPod(peer: PolicyPeer, labels: Record<string, string>, namespaceLabels: Record<string, string>): boolean {
  if (peer.ipBlock) return false;
  if (peer.namespaceSelector && !selects(peer.namespaceSelector, namespaceLabels)) return false;
  return selects(peer.podSelector, labels);
}

const isExternal = (peer: PolicyPeer, namespaceLabels: Record<string, string>) =>
  Boolean(peer.ipBlock) || (peer.namespaceSelector !== undefined && !selects(peer.namespaceSelector, namespaceLabels));

function portAllowed(ports: PolicyPort[] | undefined, port: Port): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((allowed) => {
    if ((allowed.protocol ?? 'TCP') !== port.protocol) return false;
    if (allowed.port === undefined) return true;
    if (typeof allowed.port === 'string') return allowed.port === port.name;
    return allowed.endPort !== undefined ? port.port >= allowed.port && port.port <= allowed.endPort : allowed.port === port.port;
  });
}

function policyTypes(policy: NetworkPolicy): string[] {
  return policy.spec.policyTypes ?? (policy.spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);
}

function rulePortsText(ports: PolicyPort[] | undefined): string[] {
  if (!ports || ports.length === 0) return ['*'];
  return ports.map((port) => `${port.port ?? '*'}/${port.protocol ?? 'TCP'}`);
}

/** Every edge the NetworkPolicies of a render allow, sorted. */
export function allowedTraffic(objects: K8sObject[], namespace: string): string[] {
  const policies = objects.filter((object) => object.kind === 'NetworkPolicy') as unknown as NetworkPolicy[];
  const namespaceObject = objects.find((object) => object.kind === 'Namespace' && object.metadata.name === namespace);
  const namespaceLabels = { ...(namespaceObject?.metadata.labels ?? {}), 'kubernetes.io/metadata.name': namespace };
  const pods = podsOf(objects);
  const edges = new Set<string>();

  const applying = (pod: Pod, direction: 'Ingress' | 'Egress') =>
    policies.filter((policy) => policyTypes(policy).includes(direction) && selects(policy.spec.podSelector, pod.labels));
  const rules = (pod: Pod, direction: 'Ingress' | 'Egress') =>
    applying(pod, direction).flatMap((policy) => (direction === 'Ingress' ? policy.spec.ingress : policy.spec.egress) ?? []);

  const allows = (pod: Pod, direction: 'Ingress' | 'Egress', other: Pod, port: Port): boolean => {
    if (applying(pod, direction).length === 0) return true; // not isolated
    return rules(pod, direction).some((rule) => {
      const peers = (direction === 'Ingress' ? rule.from : rule.to) ?? [];
      const peerOk = peers.length === 0 || peers.some((peer) => peerMatchesPod(peer, other.labels, namespaceLabels));
      return peerOk && portAllowed(rule.ports, port);
    });
  };

  for (const from of pods) {
    for (const to of pods) {
      for (const port of to.ports) {
        if (allows(from, 'Egress', to, port) && allows(to, 'Ingress', from, port)) edges.add(`${from.app} -> ${to.app}:${port.port}/${port.protocol}`);
      }
    }
  }
  for (const pod of pods) {
    for (const rule of rules(pod, 'Egress')) {
      for (const peer of rule.to ?? []) {
        if (!isExternal(peer, namespaceLabels)) continue;
        for (const port of rulePortsText(rule.ports)) edges.add(`${pod.app} -> ${externalPeer(peer)}:${port}`);
      }
      if (!rule.to || rule.to.length === 0) for (const port of rulePortsText(rule.ports)) edges.add(`${pod.app} -> *:${port}`);
    }
    for (const rule of rules(pod, 'Ingress')) {
      for (const peer of rule.from ?? []) {
        if (!isExternal(peer, namespaceLabels)) continue;
        for (const port of pod.ports) if (portAllowed(rule.ports, port)) edges.add(`${externalPeer(peer)} -> ${pod.app}:${port.port}/${port.protocol}`);
      }
    }
  }
  return [...edges].sort();
}
