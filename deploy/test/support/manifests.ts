/**
 * What the deploy tests look at: every renderable target under deploy/kubernetes
 * (the base, each overlay, the Argo CD Application), rendered once by
 * ./kustomize.ts, and helpers to find workloads, pod templates and containers in
 * a render.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type K8sObject } from './kustomize.ts';

export type { K8sObject };

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const kubernetesDir = join(repoRoot, 'deploy/kubernetes');
/** The base's namespace; an overlay may deploy into another (overlays/staging). */
export const namespace = 'delinkcious';

/** The namespace a render deploys into: the name of its one Namespace object. */
export function namespaceOf(objects: K8sObject[]): string {
  const namespaces = objects.filter((object) => object.kind === 'Namespace');
  if (namespaces.length !== 1) throw new Error(`a render with ${namespaces.length} Namespace objects`);
  return namespaces[0]!.metadata.name;
}

/** Every directory one may `kubectl apply -k`, relative to deploy/kubernetes. */
export const targets: string[] = [
  'base',
  ...readdirSync(join(kubernetesDir, 'overlays'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `overlays/${entry.name}`)
    .sort(),
  'argocd',
];

const cache = new Map<string, K8sObject[]>();

/** The objects `kustomize build deploy/kubernetes/<target>` gives (a fresh copy each time). */
export function render(target: string): K8sObject[] {
  if (!cache.has(target)) cache.set(target, build(join(kubernetesDir, target)));
  return structuredClone(cache.get(target)!);
}

// ---------------------------------------------------------------- shapes

export interface Probe {
  httpGet?: { path?: string; port?: number | string };
  grpc?: { port: number; service?: string };
  tcpSocket?: { port: number | string };
  exec?: { command: string[] };
  periodSeconds?: number;
  failureThreshold?: number;
}

export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  fsGroup?: number;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  privileged?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type: string };
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: { fieldPath: string };
  };
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}

export interface Volume {
  name: string;
  emptyDir?: { sizeLimit?: string };
  secret?: { secretName: string; optional?: boolean; defaultMode?: number; items?: { key: string; path: string }[] };
  configMap?: { name: string };
}

export interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  terminationGracePeriodSeconds?: number;
  securityContext?: SecurityContext;
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  restartPolicy?: string;
}

export interface PodTemplate {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}

/** Something that runs pods: where its pod template is, and what kind of life the pods have. */
export interface Workload {
  object: K8sObject;
  kind: string;
  name: string;
  template: PodTemplate;
  /** Serves until stopped (Deployment, StatefulSet, Knative Service), as opposed to a run-to-completion Job. */
  longRunning: boolean;
}

const get = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined), value);

export function workloads(objects: K8sObject[]): Workload[] {
  const found: Workload[] = [];
  for (const object of objects) {
    let template: unknown;
    let longRunning = true;
    if (['Deployment', 'StatefulSet'].includes(object.kind) && object.apiVersion === 'apps/v1') template = get(object, 'spec', 'template');
    else if (object.kind === 'Job') [template, longRunning] = [get(object, 'spec', 'template'), false];
    else if (object.kind === 'CronJob') [template, longRunning] = [get(object, 'spec', 'jobTemplate', 'spec', 'template'), false];
    else if (object.kind === 'Service' && object.apiVersion === 'serving.knative.dev/v1') template = get(object, 'spec', 'template');
    else continue;
    found.push({ object, kind: object.kind, name: object.metadata.name, template: template as PodTemplate, longRunning });
  }
  return found;
}

export const isKnative = (workload: Workload) => workload.object.apiVersion === 'serving.knative.dev/v1';

export function find(objects: K8sObject[], kind: string, name: string): K8sObject | undefined {
  return objects.find((object) => object.kind === kind && object.metadata.name === name);
}

export function ofKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((object) => object.kind === kind);
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

/** Whether a Kubernetes label selector selects `labels` (an empty selector selects everything). */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string> = {}): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, key);
    const ok =
      operator === 'In' ? has && values.includes(labels[key]!)
      : operator === 'NotIn' ? !has || !values.includes(labels[key]!)
      : operator === 'Exists' ? has
      : !has;
    if (!ok) return false;
  }
  return true;
}

const units: Record<string, number> = { m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** A Kubernetes quantity (`250m`, `1`, `512Mi`, `10Gi`) as a number (cores, bytes). */
export function quantity(value: string | number | undefined): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(value);
  if (!match) throw new Error(`not a quantity: ${value}`);
  return Number(match[1]) * units[match[2] ?? '']!;
}

/** A duration as the services read it (`25s`, `500ms`, `5m`, a bare number of milliseconds), in milliseconds. */
export function durationMs(value: string): number {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(value.trim());
  if (!match) throw new Error(`not a duration: ${value}`);
  const scale: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  return Number(match[1]) * scale[match[2] ?? 'ms']!;
}

/** The data of a ConfigMap in a render. */
export function configMapData(objects: K8sObject[], name: string): Record<string, string> {
  const configMap = find(objects, 'ConfigMap', name);
  if (!configMap) throw new Error(`no ConfigMap ${name}`);
  return (configMap.data as Record<string, string> | undefined) ?? {};
}

/** The environment a container sees from its ConfigMaps and literal values (secrets left out). */
export function plainEnv(objects: K8sObject[], container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) if (source.configMapRef) Object.assign(env, configMapData(objects, source.configMapRef.name));
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
    const ref = variable.valueFrom?.configMapKeyRef;
    if (ref) env[variable.name] = configMapData(objects, ref.name)[ref.key]!;
  }
  return env;
}
