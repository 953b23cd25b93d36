/**
 * Turns a rendered overlay (deploy/kubernetes, through deploy/test/support's
 * renderer) into `docker run` arguments that run each Delinkcious container as
 * its pod would: the same arguments, the environment of its ConfigMaps, literal
 * values and Secrets (with Kubernetes' `$(VAR)` expansion and the `<NAME>_SERVICE_HOST/PORT`
 * variables it injects), a read-only root with tmpfs where the pod has an
 * emptyDir, its user, no capabilities, no privilege escalation, and its Secret
 * volumes as read-only bind mounts. Only the addresses change: every host is
 * 127.0.0.1 (host networking) and every port moves by an offset.
 *
 * No Secret is in the manifests (docs/operations.md), so this makes the CI
 * stand-ins: database URIs on the machine's PostgreSQL, Redis without a
 * password, random session and caller tokens (mutual-auth files as the
 * operations recipe writes them), an empty GitHub app.
 *
 *   node --import tsx deploy/docker/pod-runs.ts <out-dir>
 * writes <out-dir>/<order>-<workload>.args (one docker run argument a line,
 * then `--`, then the container's arguments), its <workload>.env, where its
 * readiness probe looks (<workload>.ready), nats.conf (the NATS server's), and prints the workload names in
 * start order: the migration Jobs first, then the services. Settings, all optional:
 *   POD_RUNS_TARGET       the render (default base)
 *   POD_RUNS_PORT_OFFSET  added to every container port (default 20000)
 *   POD_RUNS_DB_PREFIX    prefix of the databases (default ci_image_)
 *   POD_RUNS_POSTGRES     server URL (default postgres://postgres@127.0.0.1:5432)
 *   POD_RUNS_REDIS        Redis URL, its database index kept (default redis://127.0.0.1:6379/9)
 *   POD_RUNS_NATS         NATS URL (default nats://127.0.0.1:4222)
 *   POD_RUNS_NATS_PASSWORD the password of the Secret nats-auth (user delinkcious), which that
 *                         server requires (default: random)
 *   POD_RUNS_OVERRIDES    extra KEY=VALUE,... for every service container (e.g. DEV_LOGIN=true)
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { configMapData, ofKind, render, workloads, type Container, type K8sObject, type Workload } from '../test/support/manifests.ts';
import { serviceCatalog } from '@delinkcious/kit';

type Env = Record<string, string | undefined>;

export interface PodRunSettings {
  target: string;
  portOffset: number;
  dbPrefix: string;
  postgres: string;
  redis: string;
  nats: string;
  /** The password of the Secret nats-auth (user delinkcious), which the NATS server given must require. */
  natsPassword: string;
  overrides: Record<string, string>;
}

export interface PodRun {
  name: string;
  /** docker run options (before the image). */
  options: string[];
  /** The container's environment, written to an --env-file. */
  env: Record<string, string>;
  /** The container's arguments (after the image). */
  args: string[];
  /** Files to write before running: path → content (the Secret volumes). */
  files: Record<string, string>;
  /** A Job runs to completion before the services start. */
  job: boolean;
  /** Where its readiness probe looks: http://127.0.0.1:<port><path>, or tcp://127.0.0.1:<port> for a gRPC or TCP probe. */
  ready?: string;
}

export function settingsFrom(env: Env): PodRunSettings {
  const overrides: Record<string, string> = {};
  for (const pair of (env.POD_RUNS_OVERRIDES ?? '').split(',').filter(Boolean)) {
    const at = pair.indexOf('=');
    if (at < 1) throw new Error(`POD_RUNS_OVERRIDES: "${pair}" is not KEY=VALUE`);
    overrides[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return {
    target: env.POD_RUNS_TARGET || 'base',
    portOffset: Number(env.POD_RUNS_PORT_OFFSET || 20000),
    dbPrefix: env.POD_RUNS_DB_PREFIX || 'ci_image_',
    postgres: env.POD_RUNS_POSTGRES || 'postgres://postgres@127.0.0.1:5432',
    redis: env.POD_RUNS_REDIS || 'redis://127.0.0.1:6379/9',
    nats: env.POD_RUNS_NATS || 'nats://127.0.0.1:4222',
    // Letters first: nats-server would read a bare hex such as 12e4… as a number (docs/operations.md).
    natsPassword: env.POD_RUNS_NATS_PASSWORD || `pw${randomBytes(24).toString('hex')}`,
    overrides,
  };
}

/** Who calls whom (docs/design.md §3), as docs/operations.md writes the mutual-auth Secrets. */
const callersOf: Record<string, string[]> = {
  'api-gateway': [],
  'link-service': ['api-gateway'],
  'social-graph-service': ['api-gateway', 'news-service'],
  'user-service': ['api-gateway'],
  'news-service': ['api-gateway'],
  'link-checker': ['link-service'],
};

/** The CI stand-ins for the Secrets docs/operations.md lists. */
function ciSecrets(settings: PodRunSettings): Record<string, Record<string, string>> {
  const database = (name: string) => ({ username: 'postgres', password: '', uri: `${settings.postgres}/${settings.dbPrefix}${name}` });
  const tokens = Object.fromEntries(Object.keys(callersOf).map((service) => [service, randomBytes(32).toString('hex')]));
  const sha = (token: string) => `sha256:${createHash('sha256').update(token).digest('hex')}`;
  const secrets: Record<string, Record<string, string>> = {
    'link-db-app': database('link_manager'),
    'social-graph-db-app': database('social_graph_manager'),
    'user-db-app': database('user_manager'),
    'redis-auth': { password: '' },
    'nats-auth': { user: 'delinkcious', password: settings.natsPassword },
    'github-oauth': { 'client-id': '', 'client-secret': '' },
    'api-gateway-session': { 'session-secret': randomBytes(32).toString('hex') },
  };
  for (const [service, callers] of Object.entries(callersOf)) {
    const lines = service === 'link-checker' ? [] : [`token: ${tokens[service]}`];
    lines.push('callers:', ...(callers.length ? callers.map((caller) => `  ${caller}: ${sha(tokens[caller]!)}`) : ['  {}']));
    secrets[`mutual-auth-${service}`] = { 'mutual-auth.yaml': `${lines.join('\n')}\n` };
  }
  return secrets;
}

/** Kubernetes' `$(VAR)` expansion of env values, from the variables defined before. */
const expand = (value: string, env: Record<string, string>) => value.replace(/\$\((\w+)\)/g, (whole, name: string) => env[name] ?? whole);

/** The same URL on 127.0.0.1 (host networking): the machine's server for infrastructure. */
function localised(name: string, value: string, settings: PodRunSettings): string {
  if (/^redis:\/\//.test(value)) {
    const url = new URL(value);
    const target = new URL(settings.redis);
    // The machine's Redis has no password: an empty one must not be sent (AUTH would fail).
    target.password = url.password;
    return target.href;
  }
  if (/^(nats|tls):\/\//.test(value) && name.startsWith('NATS')) {
    const url = new URL(value);
    const target = new URL(settings.nats);
    if (url.username) [target.username, target.password] = [url.username, url.password];
    return target.href;
  }
  return value;
}

function containerEnv(objects: K8sObject[], container: Container, secrets: Record<string, Record<string, string>>, settings: PodRunSettings): Record<string, string> {
  const env: Record<string, string> = {};
  const secret = (name: string, key: string, optional = false) => {
    const value = secrets[name]?.[key];
    if (value === undefined && !optional) throw new Error(`${container.name}: no CI stand-in for Secret ${name} key ${key}`);
    return value;
  };
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) Object.assign(env, configMapData(objects, source.configMapRef.name));
    if (source.secretRef) Object.assign(env, secrets[source.secretRef.name] ?? {});
  }
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    let value: string | undefined;
    if (variable.value !== undefined) value = expand(variable.value, env);
    else if (from?.configMapKeyRef) value = configMapData(objects, from.configMapKeyRef.name)[from.configMapKeyRef.key];
    else if (from?.secretKeyRef) value = secret(from.secretKeyRef.name, from.secretKeyRef.key, from.secretKeyRef.optional);
    if (value !== undefined) env[variable.name] = value;
  }
  for (const [name, value] of Object.entries(env)) env[name] = localised(name, value, settings);
  return env;
}

/** What Kubernetes injects for each Service in the namespace, for the Delinkcious services: here 127.0.0.1 and the moved port. */
function serviceLinks(objects: K8sObject[], settings: PodRunSettings): Record<string, string> {
  const env: Record<string, string> = {};
  const prefixes = new Set<string>(Object.values(serviceCatalog).map((entry) => entry.envPrefix));
  for (const service of ofKind(objects, 'Service')) {
    const prefix = service.metadata.name.toUpperCase().replace(/-/g, '_');
    if (!prefixes.has(prefix)) continue;
    const port = (service.spec as { ports: { port: number }[] }).ports[0]!.port;
    env[`${prefix}_SERVICE_HOST`] = '127.0.0.1';
    env[`${prefix}_SERVICE_PORT`] = String(port + settings.portOffset);
  }
  return env;
}

function isDelinkcious(workload: Workload): boolean {
  const args = workload.template.spec.containers[0]?.args ?? [];
  return (workload.kind === 'Deployment' && args[0] === 'start') || (workload.kind === 'Job' && args[0] === 'migrate');
}

export function podRuns(objects: K8sObject[], settings: PodRunSettings): PodRun[] {
  const secrets = ciSecrets(settings);
  const links = serviceLinks(objects, settings);
  const runs: PodRun[] = [];
  const seen = new Set<string>();
  for (const workload of workloads(objects).filter(isDelinkcious)) {
    const spec = workload.template.spec;
    const container = spec.containers[0]!;
    // One container per service: a second Deployment of the same one (a canary) would take its ports.
    const key = (container.args ?? []).join(' ');
    if (seen.has(key)) continue;
    seen.add(key);
    const job = workload.kind === 'Job';
    const env: Record<string, string> = { ...links, ...containerEnv(objects, container, secrets, settings) };
    const ports = (container.ports ?? []).map((port) => port.containerPort);
    if (ports.length) env.PORT = String(ports[0]! + settings.portOffset);
    // A second port named in the pod's own settings (news-service's NEWS_HTTP_PORT) moves too.
    for (const [name, value] of Object.entries(env)) if (name.endsWith('_PORT') && name !== 'PORT' && ports.includes(Number(value)) && !links[name]) env[name] = String(Number(value) + settings.portOffset);
    if (!job) Object.assign(env, settings.overrides);

    const security = { ...spec.securityContext, ...container.securityContext };
    const options = ['--network', 'host', '--name', `delinkcious-ci-${workload.name}`];
    if (security.runAsUser !== undefined) options.push('--user', `${security.runAsUser}:${security.runAsGroup ?? security.runAsUser}`);
    if (security.readOnlyRootFilesystem) options.push('--read-only');
    for (const cap of security.capabilities?.drop ?? []) options.push('--cap-drop', cap);
    if (security.allowPrivilegeEscalation === false) options.push('--security-opt', 'no-new-privileges');
    const limit = container.resources?.limits?.memory;
    if (limit) options.push('--memory', limit.replace(/i$/, '').toLowerCase());
    const files: Record<string, string> = {};
    for (const mount of container.volumeMounts ?? []) {
      const volume = spec.volumes?.find((candidate) => candidate.name === mount.name);
      if (volume?.emptyDir) options.push('--tmpfs', `${mount.mountPath}:rw,nosuid,nodev,size=${volume.emptyDir.sizeLimit?.replace(/i$/, '').toLowerCase() ?? '64m'}`);
      else if (volume?.secret) {
        const data = secrets[volume.secret.secretName];
        if (!data && volume.secret.optional) continue;
        if (!data) throw new Error(`${workload.name}: no CI stand-in for Secret ${volume.secret.secretName}`);
        const dir = `secrets/${workload.name}-${volume.name}`;
        for (const item of volume.secret.items ?? Object.keys(data).map((k) => ({ key: k, path: k }))) files[`${dir}/${item.path}`] = data[item.key]!;
        options.push('--volume', `@OUT@/${dir}:${mount.mountPath}:ro`);
      }
    }
    options.push('--env-file', `@OUT@/${workload.name}.env`);
    const probe = container.readinessProbe;
    const probePort = probe?.httpGet?.port ?? probe?.grpc?.port ?? probe?.tcpSocket?.port;
    const portNumber = typeof probePort === 'string' ? container.ports?.find((port) => port.name === probePort)?.containerPort : probePort;
    const ready =
      portNumber === undefined ? undefined
      : probe?.httpGet ? `http://127.0.0.1:${portNumber + settings.portOffset}${probe.httpGet.path ?? '/'}`
      : `tcp://127.0.0.1:${portNumber + settings.portOffset}`;
    runs.push({ name: workload.name, options, env, args: container.args ?? [], files, job, ready });
  }
  // Jobs (migrations) first, as Argo CD's PreSync hooks or the operator would run them.
  return [...runs.filter((run) => run.job), ...runs.filter((run) => !run.job)];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = resolve(process.argv[2] ?? '');
  if (!process.argv[2]) {
    console.error('usage: pod-runs.ts <out-dir>');
    process.exit(2);
  }
  const settings = settingsFrom(process.env);
  const objects = render(settings.target);
  const runs = podRuns(objects, settings);
  mkdirSync(out, { recursive: true });
  // The NATS server's configuration (its authorization), for the nats-server CI runs beside the containers.
  writeFileSync(join(out, 'nats.conf'), configMapData(objects, 'nats-server-config')['nats.conf'] ?? '');
  runs.forEach((run, index) => {
    for (const [path, content] of Object.entries(run.files)) {
      mkdirSync(join(out, path, '..'), { recursive: true });
      // Readable by the container's user (uid 10001), as the Secret's 0440 with fsGroup is.
      writeFileSync(join(out, path), content, { mode: 0o444 });
    }
    // --env-file takes KEY=VALUE lines as they are (no quotes, no line breaks).
    writeFileSync(join(out, `${run.name}.env`), Object.entries(run.env).map(([name, value]) => `${name}=${value}\n`).join(''), { mode: 0o600 });
    if (run.ready) writeFileSync(join(out, `${run.name}.ready`), `${run.ready}\n`);
    const lines = [...run.options.map((option) => option.replace('@OUT@', out)), '--', ...run.args];
    writeFileSync(join(out, `${String(index).padStart(2, '0')}-${run.name}.args`), `${lines.join('\n')}\n`);
    console.log(`${String(index).padStart(2, '0')}-${run.name}`);
  });
}
