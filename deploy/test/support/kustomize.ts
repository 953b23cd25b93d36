/**
 * A small `kustomize build`, for exactly the features deploy/kubernetes uses, so
 * that the tests render every overlay without kubectl:
 *
 * - `resources`: YAML files (one or more documents) and directories holding a
 *   Kustomization;
 * - `components`: directories holding a Component, whose resources join the
 *   parent's and whose transformers then apply to everything the parent holds;
 * - `patches` (a `path` or an inline `patch`, optionally with a `target` of kind
 *   and label selector): strategic merge patches, `$patch: delete` of a whole
 *   object or of a list element;
 * - `namespace` (which also renames a Namespace object), `nameSuffix` (for a layer of workloads only), `images`;
 * - inline `replacements` (a source field copied into target fields, with `*`
 *   over list elements and `delimiter`/`index` for a part of a string).
 *
 * Transformers run in kustomize's order: patches, namespace, name suffix,
 * images, replacements. Anything else in a kustomization file is refused, so a manifest
 * never silently relies on a feature this renderer does not implement. YAML is
 * read as YAML 1.1, as kubectl reads it (0440 is octal, `yes` is true).
 * deploy/test/kustomize.test.ts compares the output with `kubectl kustomize`
 * wherever kubectl is installed.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface ImageRule {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

interface PatchTarget {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  labelSelector?: string;
}

interface PatchEntry {
  path?: string;
  patch?: string;
  target?: PatchTarget;
}

interface ReplacementSelector {
  labelSelector?: string;
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
}

interface Replacement {
  source: ReplacementSelector & { fieldPath?: string };
  targets: { select: ReplacementSelector; fieldPaths: string[]; options?: { delimiter?: string; index?: number } }[];
}

interface Kustomization {
  apiVersion?: string;
  kind?: 'Kustomization' | 'Component';
  resources?: string[];
  components?: string[];
  namespace?: string;
  nameSuffix?: string;
  patches?: PatchEntry[];
  images?: ImageRule[];
  replacements?: Replacement[];
}

const supportedFields = new Set(['apiVersion', 'kind', 'resources', 'components', 'namespace', 'nameSuffix', 'patches', 'images', 'replacements']);
const kustomizationFiles = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** Kinds without a namespace: the namespace transformer leaves them alone. */
const clusterScoped = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
]);

/** API groups whose kinds take strategic merge patches; other kinds (CRDs) take JSON merge patches. */
const builtinGroups = new Set(['', 'apps', 'batch', 'autoscaling', 'policy', 'networking.k8s.io', 'rbac.authorization.k8s.io']);

export class KustomizeError extends Error {
  override name = 'KustomizeError';
}

export function parseYamlDocuments(text: string, source: string): JsonObject[] {
  const documents = parseAllDocuments(text, { version: '1.1' });
  const objects: JsonObject[] = [];
  for (const document of documents) {
    if (document.errors.length > 0) throw new KustomizeError(`${source}: ${document.errors[0]!.message}`);
    const value = document.toJS() as Json;
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) throw new KustomizeError(`${source}: a document is not a mapping`);
    objects.push(value);
  }
  return objects;
}

export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
}

/** `group/kind/namespace/name`: what makes an object unique in a build. */
export function objectId(object: K8sObject): string {
  return `${groupOf(object.apiVersion)}/${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

function asObject(value: JsonObject, source: string): K8sObject {
  const metadata = value.metadata as JsonObject | undefined;
  if (typeof value.apiVersion !== 'string' || typeof value.kind !== 'string' || typeof metadata?.name !== 'string') {
    throw new KustomizeError(`${source}: every object needs apiVersion, kind and metadata.name`);
  }
  return value as unknown as K8sObject;
}

function readKustomization(dir: string): Kustomization {
  const file = kustomizationFiles.map((name) => join(dir, name)).find((path) => existsSync(path));
  if (!file) throw new KustomizeError(`${dir} holds no kustomization.yaml`);
  const [document, ...rest] = parseYamlDocuments(readFileSync(file, 'utf8'), file);
  if (!document || rest.length > 0) throw new KustomizeError(`${file} must hold one document`);
  for (const field of Object.keys(document)) {
    if (!supportedFields.has(field)) throw new KustomizeError(`${file}: "${field}" is not supported by this renderer`);
  }
  return document as unknown as Kustomization;
}

/** Renders the Kustomization in `dir`, as `kustomize build dir` would. */
export function build(dir: string): K8sObject[] {
  const kustomization = readKustomization(resolve(dir));
  if ((kustomization.kind ?? 'Kustomization') !== 'Kustomization') {
    throw new KustomizeError(`${dir} is a ${kustomization.kind}, not a Kustomization`);
  }
  const objects: K8sObject[] = [];
  accumulate(resolve(dir), kustomization, objects);
  return objects;
}

/** Adds what `dir` holds to `objects`, then transforms all of `objects` (a component transforms its parent's). */
function accumulate(dir: string, kustomization: Kustomization, objects: K8sObject[]): void {
  for (const entry of kustomization.resources ?? []) {
    const path = resolve(dir, entry);
    const loaded = statSync(path).isDirectory() ? build(path) : loadFile(path);
    for (const object of loaded) add(objects, object, path);
  }
  for (const entry of kustomization.components ?? []) {
    const path = resolve(dir, entry);
    const component = readKustomization(path);
    if (component.kind !== 'Component') throw new KustomizeError(`${path} is listed as a component but is a ${component.kind ?? 'Kustomization'}`);
    accumulate(path, component, objects);
  }
  for (const entry of kustomization.patches ?? []) applyPatch(objects, dir, entry);
  if (kustomization.namespace) {
    // A Namespace object is renamed to the namespace, as kustomize does.
    if (objects.filter((object) => object.kind === 'Namespace').length > 1) throw new KustomizeError(`${dir}: namespace with more than one Namespace object`);
    for (const object of objects) {
      if (object.kind === 'Namespace') object.metadata.name = kustomization.namespace;
      else if (!clusterScoped.has(object.kind)) object.metadata.namespace = kustomization.namespace;
    }
  }
  if (kustomization.nameSuffix) addNameSuffix(objects, kustomization.nameSuffix, dir);
  for (const rule of kustomization.images ?? []) for (const object of objects) setImages(object as unknown as Json, rule);
  for (const replacement of kustomization.replacements ?? []) replace(objects, replacement, dir);
}

function loadFile(path: string): K8sObject[] {
  return parseYamlDocuments(readFileSync(path, 'utf8'), path).map((value) => asObject(value, path));
}

function add(objects: K8sObject[], object: K8sObject, source: string): void {
  const id = objectId(object);
  if (objects.some((existing) => objectId(existing) === id)) throw new KustomizeError(`${source}: ${id} is defined twice`);
  objects.push(object);
}

/** kustomize would also rename references to a renamed object; this renderer allows a suffix only where nothing refers to it. */
function addNameSuffix(objects: K8sObject[], suffix: string, dir: string): void {
  const referable = objects.filter((object) => !['Deployment', 'StatefulSet', 'Job', 'CronJob'].includes(object.kind));
  if (referable.length > 0) throw new KustomizeError(`${dir}: nameSuffix is supported for workloads only, not ${referable[0]!.kind}`);
  for (const object of objects) object.metadata.name += suffix;
}

// ---------------------------------------------------------------- patches

function applyPatch(objects: K8sObject[], dir: string, entry: PatchEntry): void {
  const source = entry.path ? resolve(dir, entry.path) : `${dir} (inline patch)`;
  const text = entry.path ? readFileSync(source, 'utf8') : entry.patch;
  if (text === undefined) throw new KustomizeError(`${dir}: a patch needs a path or a patch`);
  const documents = parseYamlDocuments(text, source);
  if (documents.length !== 1) throw new KustomizeError(`${source}: a patch must be one document`);
  const patch = documents[0]!;
  if (typeof patch.kind !== 'string' || typeof patch.apiVersion !== 'string') {
    throw new KustomizeError(`${source}: only strategic merge patches (with apiVersion and kind) are supported`);
  }
  const matches = entry.target ? objects.filter((object) => matchesTarget(object, entry.target!)) : [findPatched(objects, patch, source)];
  for (const object of matches) {
    if (patch.$patch === 'delete') {
      objects.splice(objects.indexOf(object), 1);
      continue;
    }
    const { metadata: patchMetadata, ...rest } = patch;
    const body: JsonObject = { ...rest };
    if (patchMetadata && typeof patchMetadata === 'object' && !Array.isArray(patchMetadata)) {
      // With a target, the patch's own name is a placeholder: never rename.
      const { name: _name, ...metadata } = patchMetadata;
      body.metadata = metadata;
    }
    const strategic = builtinGroups.has(groupOf(object.apiVersion));
    const merged = merge(object as unknown as JsonObject, body, { kind: object.kind, path: [], strategic });
    Object.assign(object, merged);
  }
}

function findPatched(objects: K8sObject[], patch: JsonObject, source: string): K8sObject {
  const metadata = patch.metadata as JsonObject | undefined;
  const name = metadata?.name;
  const group = groupOf(patch.apiVersion as string);
  const found = objects.filter(
    (object) =>
      object.kind === patch.kind &&
      object.metadata.name === name &&
      groupOf(object.apiVersion) === group &&
      (metadata?.namespace === undefined || object.metadata.namespace === metadata.namespace),
  );
  if (found.length !== 1) throw new KustomizeError(`${source}: the patch of ${String(patch.kind)} ${String(name)} matches ${found.length} objects`);
  return found[0]!;
}

function matchesTarget(object: K8sObject, target: PatchTarget): boolean {
  if (target.kind !== undefined && object.kind !== target.kind) return false;
  if (target.group !== undefined && groupOf(object.apiVersion) !== target.group) return false;
  if (target.version !== undefined && object.apiVersion.split('/').pop() !== target.version) return false;
  if (target.name !== undefined && !new RegExp(`^(?:${target.name})$`).test(object.metadata.name)) return false;
  if (target.labelSelector !== undefined) {
    const labels = object.metadata.labels ?? {};
    for (const requirement of target.labelSelector.split(',')) {
      const [key, value] = requirement.split('=').map((part) => part.trim());
      if (!key || value === undefined || !/^[\w./-]+$/.test(key)) {
        throw new KustomizeError(`label selector "${target.labelSelector}": only key=value requirements are supported`);
      }
      if (labels[key] !== value) return false;
    }
  }
  return true;
}

interface MergeContext {
  kind: string;
  path: string[];
  strategic: boolean;
}

/** The key that identifies the elements of a list in a strategic merge patch, or undefined to replace the list. */
function mergeKey(context: MergeContext, field: string): string | undefined {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'env':
    case 'volumes':
    case 'imagePullSecrets':
      return 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'ports':
      // A Service's ports are keyed by port, a container's by containerPort.
      return context.kind === 'Service' && context.path.join('.') === 'spec' ? 'port' : 'containerPort';
    default:
      return undefined;
  }
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function merge(target: Json | undefined, patch: Json, context: MergeContext): Json {
  if (!isObject(patch)) return structuredClone(patch);
  if ('$patch' in patch) throw new KustomizeError(`$patch: ${String(patch.$patch)} is supported only on a whole object or a list element`);
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[field];
      continue;
    }
    const inner = { ...context, path: [...context.path, field] };
    const key = context.strategic ? mergeKey(context, field) : undefined;
    if (Array.isArray(value) && key !== undefined) result[field] = mergeList(result[field], value, key, inner);
    else result[field] = merge(result[field], value, inner);
  }
  return result;
}

/** As kustomize orders it: the patch's elements first, in its order (merged into the ones they name), then the others. */
function mergeList(target: Json | undefined, patch: Json[], key: string, context: MergeContext): Json[] {
  const rest = Array.isArray(target) ? [...target] : [];
  const patched: Json[] = [];
  for (const element of patch) {
    if (!isObject(element) || element[key] === undefined) {
      throw new KustomizeError(`a patch of ${context.path.join('.')} must give each element its ${key}`);
    }
    const index = rest.findIndex((existing) => isObject(existing) && existing[key] === element[key]);
    const existing = index >= 0 ? rest.splice(index, 1)[0] : undefined;
    if (element.$patch === 'delete') continue;
    patched.push(existing === undefined ? structuredClone(element) : merge(existing, element, context));
  }
  return [...patched, ...rest];
}

// ---------------------------------------------------------------- images

/** Splits `registry:port/name:tag@digest` into its name, tag and digest. */
export function parseImage(image: string): { name: string; tag?: string; digest?: string } {
  const [rest, digest] = image.split('@') as [string, string | undefined];
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  const hasTag = colon > slash;
  return {
    name: hasTag ? rest.slice(0, colon) : rest,
    ...(hasTag ? { tag: rest.slice(colon + 1) } : {}),
    ...(digest ? { digest } : {}),
  };
}

/** Rewrites the `image` of every container and init container, wherever the object holds them. */
function setImages(value: Json, rule: ImageRule): void {
  if (Array.isArray(value)) {
    for (const element of value) setImages(element, rule);
    return;
  }
  if (!isObject(value)) return;
  for (const [field, inner] of Object.entries(value)) {
    if ((field === 'containers' || field === 'initContainers') && Array.isArray(inner)) {
      for (const container of inner) {
        if (!isObject(container) || typeof container.image !== 'string') continue;
        const image = parseImage(container.image);
        if (image.name !== rule.name) continue;
        const name = rule.newName ?? image.name;
        if (rule.digest) container.image = `${name}@${rule.digest}`;
        else if (rule.newTag) container.image = `${name}:${rule.newTag}`;
        else container.image = `${name}${image.tag ? `:${image.tag}` : ''}${image.digest ? `@${image.digest}` : ''}`;
      }
    }
    setImages(inner, rule);
  }
}

// ---------------------------------------------------------------- replacements

/** The values at a dotted field path; `*` walks every element of a list. */
function valuesAt(value: Json | undefined, path: string[]): { holder: JsonObject | Json[]; key: string | number }[] {
  const [field, ...rest] = path;
  if (field === undefined || value === undefined || value === null || typeof value !== 'object') return [];
  if (field === '*') {
    if (!Array.isArray(value)) return [];
    return value.flatMap((element, index) => (rest.length === 0 ? [{ holder: value, key: index }] : valuesAt(element, rest)));
  }
  if (Array.isArray(value)) return [];
  if (rest.length === 0) return field in value ? [{ holder: value, key: field }] : [];
  return valuesAt(value[field], rest);
}

function replace(objects: K8sObject[], replacement: Replacement, dir: string): void {
  const { fieldPath = 'metadata.name', ...select } = replacement.source;
  const sources = objects.filter((object) => matchesTarget(object, select));
  if (sources.length !== 1) throw new KustomizeError(`${dir}: a replacement's source matches ${sources.length} objects`);
  const found = valuesAt(sources[0] as unknown as Json, fieldPath.split('.'));
  if (found.length !== 1) throw new KustomizeError(`${dir}: a replacement's source has no ${fieldPath}`);
  const { holder, key } = found[0]!;
  const value = (holder as Record<string | number, Json>)[key]!;
  for (const target of replacement.targets) {
    for (const object of objects.filter((candidate) => matchesTarget(candidate, target.select))) {
      for (const path of target.fieldPaths) {
        for (const at of valuesAt(object as unknown as Json, path.split('.'))) {
          const slot = at.holder as Record<string | number, Json>;
          const { delimiter, index } = target.options ?? {};
          if (delimiter === undefined) {
            slot[at.key] = structuredClone(value);
            continue;
          }
          const parts = String(slot[at.key]).split(delimiter);
          if (index === undefined || index < 0 || index >= parts.length) throw new KustomizeError(`${dir}: index ${String(index)} is not in ${String(slot[at.key])}`);
          parts[index] = String(value);
          slot[at.key] = parts.join(delimiter);
        }
      }
    }
  }
}
