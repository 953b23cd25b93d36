/**
 * The image recipe, without a Docker engine: deploy/docker/build.sh is valid
 * bash and tags what the manifests expect; the Dockerfile passes lint-level
 * checks (multi-stage, pinned base, production dependencies only, no package
 * manager at run time, non-root, OCI labels, a target per service); the
 * .dockerignore keeps out what must not go in and nothing the build needs; and
 * the bundle the build stage makes really runs: it imports only production
 * dependencies and finds its migrations from its own location.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bundle, type BundleResult } from '../../cli/src/bundle.ts';
import { repoRoot } from './support/manifests.ts';

const dockerDir = join(repoRoot, 'deploy/docker');
const services = ['api-gateway', 'link-service', 'social-graph-service', 'user-service', 'news-service', 'link-checker'];
const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

describe('deploy/docker/build.sh', () => {
  const run = (env: Record<string, string>, ...args: string[]) =>
    spawnSync('bash', [join(dockerDir, 'build.sh'), ...args], { encoding: 'utf8', env: { ...process.env, DOCKER: 'echo', ...env } });

  test('is valid bash (bash -n)', () => {
    const result = spawnSync('bash', ['-n', join(dockerDir, 'build.sh')], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
  });

  test('builds every service from its target, tagged <REGISTRY>/delinkcious-<service>:<VERSION>', () => {
    const defaults = run({});
    assert.equal(defaults.status, 0, defaults.stderr);
    const builds = defaults.stdout.trim().split('\n');
    assert.equal(builds.length, services.length);
    services.forEach((service, index) => {
      assert.match(builds[index]!, new RegExp(`^build --file deploy/docker/Dockerfile --target ${service} .* --tag localhost:5000/delinkcious-${service}:${version.replaceAll('.', '\\.')} \\.$`));
    });
    const pushed = run({ REGISTRY: 'registry.example.com/team', VERSION: '2.0.1', PUSH: 'true' }, 'link-checker');
    assert.equal(pushed.status, 0, pushed.stderr);
    assert.deepEqual(pushed.stdout.trim().split('\n').slice(-1), ['push registry.example.com/team/delinkcious-link-checker:2.0.1']);
  });

  test('refuses "latest" and unknown services', () => {
    const latest = run({ VERSION: 'latest' });
    assert.equal(latest.status, 2);
    assert.match(latest.stderr, /VERSION must name a release/);
    const unknown = run({}, 'web');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown service "web"/);
  });
});

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** The Dockerfile's ARG defaults before the first FROM, and its stages with their instructions. */
function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of lines.map((raw) => raw.trim()).filter((raw) => raw && !raw.startsWith('#'))) {
    const [, keyword = '', rest = ''] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: rest.replace(/\s+/g, ' ') };
    if (instruction.keyword === 'FROM') {
      const [, from = '', name] = /^(\S+)(?: AS (\S+))?$/i.exec(instruction.args) ?? [];
      stages.push({ from, name, instructions: [] });
    } else if (stages.length === 0) {
      const [, name = '', value = ''] = /^(\w+)=(.*)$/.exec(instruction.args) ?? [];
      if (instruction.keyword === 'ARG') args[name] = value;
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return { args, stages };
}

describe('deploy/docker/Dockerfile', () => {
  const { args, stages } = parseDockerfile(readFileSync(join(dockerDir, 'Dockerfile'), 'utf8'));
  const stage = (name: string) => stages.find((candidate) => candidate.name === name);
  const all = (name: string, keyword: string) => stage(name)?.instructions.filter((instruction) => instruction.keyword === keyword) ?? [];
  const runtime = stage('runtime')!;

  test('builds in stages from a pinned, maintained Node.js LTS (24) slim image, the version CI tests', () => {
    assert.deepEqual(
      stages.slice(0, 3).map((candidate) => candidate.name),
      ['build', 'deps', 'runtime'],
    );
    for (const candidate of stages) {
      const image = candidate.from.replace(/^\$\{(\w+)\}$/, (_, name: string) => args[name] ?? candidate.from);
      if (stages.some((other) => other.name === image)) continue; // a stage of this file
      assert.match(image, /^node:24(\.\d+)*-(bookworm-slim|slim)$/, `${candidate.name ?? 'default'} starts from ${image}`);
      assert.doesNotMatch(image, /latest/);
    }
    // The Node.js CI runs the suite on (scripts/node-lts.sh) is the image's.
    const ciVersion = /NODE_LTS_VERSION:-([\d.]+)/.exec(readFileSync(join(repoRoot, 'scripts/node-lts.sh'), 'utf8'))?.[1];
    assert.equal(args.NODE_IMAGE, `node:${ciVersion}-bookworm-slim`);
  });

  test('needs no BuildKit frontend: the classic builder builds it where no registry is reachable', () => {
    assert.doesNotMatch(readFileSync(join(dockerDir, 'Dockerfile'), 'utf8'), /^#\s*syntax=/m);
  });

  test('installs production dependencies only (npm ci --omit=dev) for the runtime, and bundles in the build stage', () => {
    assert.ok(all('deps', 'RUN').some((run) => /npm ci --omit=dev\b/.test(run.args)), 'deps: npm ci --omit=dev');
    const build = all('build', 'RUN').map((run) => run.args).join(' && ');
    assert.match(build, /npm run --if-present build:web .*cli\/src\/bundle\.ts/, 'build: the web UI, then the bundle (which ships web/dist)');
    const copies = all('runtime', 'COPY').map((copy) => copy.args);
    assert.ok(copies.every((copy) => /^--from=(build|deps) /.test(copy)), `runtime copies only from the build and deps stages: ${copies.join('; ')}`);
    assert.ok(copies.some((copy) => copy.startsWith('--from=deps /app/node_modules')), 'runtime: the production node_modules');
  });

  test('has no package manager or build tool at run time', () => {
    for (const run of all('runtime', 'RUN')) {
      assert.doesNotMatch(run.args, /\b(npm (ci|install|i)|yarn (add|install)|apt-get install|apk add|pip install|gcc|make)\b/, `runtime RUN: ${run.args}`);
    }
    const removal = all('runtime', 'RUN').map((run) => run.args).join(' ');
    for (const tool of ['npm', 'npx', 'corepack', 'yarn']) assert.match(removal, new RegExp(`/usr/local/bin/${tool}\\b`), `runtime removes ${tool}`);
  });

  test('runs as a numeric non-root user, everywhere after the runtime stage', () => {
    const users = all('runtime', 'USER').map((user) => user.args);
    assert.deepEqual(users, ['10001:10001']);
    for (const later of stages.slice(stages.indexOf(runtime) + 1)) {
      assert.equal(later.from, 'runtime', `${later.name ?? 'the default target'} builds on runtime`);
      assert.deepEqual(later.instructions.filter((instruction) => instruction.keyword === 'USER'), [], `${later.name} keeps the user`);
    }
  });

  test('says how it is health-checked, starts the bundle in exec form and carries OCI labels', () => {
    assert.deepEqual(all('runtime', 'HEALTHCHECK').map((instruction) => instruction.args), ['NONE']);
    const [entrypoint] = all('runtime', 'ENTRYPOINT');
    assert.deepEqual(JSON.parse(entrypoint!.args), ['node', '--enable-source-maps', '--import', '/app/dist/telemetry-preload.mjs', '/app/dist/delinkcious.mjs']);
    const labels = all('runtime', 'LABEL').map((label) => label.args).join(' ');
    for (const key of ['title', 'description', 'version', 'revision', 'created', 'licenses']) {
      assert.match(labels, new RegExp(`org\\.opencontainers\\.image\\.${key}=`), `label ${key}`);
    }
  });

  test('has a target per service that starts that service, and a default target', () => {
    for (const service of services) {
      const target = stage(service);
      assert.ok(target, `a target ${service}`);
      const [cmd] = target.instructions.filter((instruction) => instruction.keyword === 'CMD');
      assert.deepEqual(JSON.parse(cmd!.args), ['start', '--service', service]);
    }
    assert.equal(stages.at(-1)!.name, undefined, 'the last stage (the default) is the plain command');
    const buildScript = readFileSync(join(dockerDir, 'build.sh'), 'utf8');
    assert.match(buildScript, new RegExp(`SERVICES=\\(${services.join(' ')}\\)`), 'build.sh builds the same services');
  });
});

/** Whether .dockerignore's patterns leave `path` out of the build context (the subset of its syntax in use: `**`, `*`, leading `/`). */
function ignored(patterns: string[], path: string): boolean {
  let result = false;
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const pattern = (negate ? raw.slice(1) : raw).replace(/^\//, '');
    const regex = new RegExp(
      `^${pattern
        .split('/')
        .map((part) => (part === '**' ? '(?:.*/)?' : `${part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '[^/]*')}/`))
        .join('')
        .replace(/\/$/, '')
        .replace('(?:.*/)?/', '(?:.*/)?')}(?:/.*)?$`,
    );
    if (regex.test(path)) result = !negate;
  }
  return result;
}

describe('.dockerignore', () => {
  const patterns = readFileSync(join(repoRoot, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));

  test('keeps out dependencies, Git, local data, tests and manifests', () => {
    for (const path of ['node_modules/fastify/package.json', 'services/link-service/node_modules/x', '.git/config', '.delinkcious/link_manager/PG_VERSION', 'services/link-service/test/link.test.ts', 'deploy/kubernetes/base/kustomization.yaml', 'deploy/test/policy.test.ts', 'web/dist/index.html']) {
      assert.ok(ignored(patterns, path), `${path} is left out`);
    }
  });

  test('lets in everything the build reads', () => {
    for (const path of ['package.json', 'package-lock.json', 'cli/src/bundle.ts', 'cli/src/main.ts', 'libs/kit/src/config.ts', 'libs/testing/package.json', 'services/link-service/migrations/001_create_links.sql', 'proto/news.proto', 'web/build.mjs', 'web/src/main.ts', 'web/tsconfig.json']) {
      assert.ok(!ignored(patterns, path), `${path} is in the build context`);
    }
  });
});

describe('the bundle the build stage makes', () => {
  // Inside the repository, so that its imports resolve from the root node_modules as /app/node_modules in the image.
  const outDir = join(repoRoot, 'deploy/test/dist', `bundle-${process.pid}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'delinkcious-bundle-'));
  let result: BundleResult;

  before(async () => {
    result = await bundle(outDir);
  });
  after(() => {
    rmSync(outDir, { recursive: true, force: true });
    if (readdirSync(dirname(outDir)).length === 0) rmSync(dirname(outDir), { recursive: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  const run = (...args: string[]) =>
    spawnSync(process.execPath, [result.bundle, ...args], {
      encoding: 'utf8',
      cwd: outDir,
      timeout: 60_000,
      env: { PATH: process.env.PATH, DATA_DIR: dataDir, LOG_LEVEL: 'warn', DELINKCIOUS_MUTUAL_AUTH: 'false' },
    });

  test('holds the workspaces compiled, and imports only packages `npm ci --omit=dev` installs', () => {
    const text = readFileSync(result.bundle, 'utf8');
    assert.doesNotMatch(text, /from\s+["']@delinkcious\//, 'no workspace package is left as an import');
    assert.doesNotMatch(text, /from\s+["'][^"']+\.ts["']/, 'no TypeScript import is left');
    const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    assert.ok(result.externals.length > 0);
    for (const name of result.externals) {
      const entry = lock.packages[`node_modules/${name}`];
      assert.ok(entry, `${name} is in package-lock.json`);
      assert.notEqual(entry.dev, true, `${name} is a production dependency`);
    }
    for (const dev of ['tsx', 'typescript', 'esbuild']) assert.ok(!result.externals.includes(dev), `the bundle does not need ${dev}`);
  });

  test('ships the files the services read, and no TypeScript', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? files(join(dir, entry.name)) : [relative(result.appDir, join(dir, entry.name))],
      );
    const shipped = files(result.appDir);
    assert.deepEqual(shipped.filter((file) => /\.[cm]?tsx?$/.test(file)), []);
    for (const service of ['link-service', 'social-graph-service', 'user-service']) {
      assert.ok(shipped.some((file) => file.startsWith(`services/${service}/migrations/`) && file.endsWith('.sql')), `${service}'s migrations`);
    }
    if (existsSync(join(repoRoot, 'proto/news.proto'))) assert.ok(shipped.includes('proto/news.proto'));
    // The built web UI, where the gateway looks for it (web/dist at the root); `npm test` builds it first.
    if (existsSync(join(repoRoot, 'web/dist/index.html'))) assert.ok(shipped.includes('web/dist/index.html'), 'web/dist/index.html');
    assert.ok(!shipped.some((file) => file.startsWith('web/src/')), 'not the web sources');
  });

  test('runs: prints its usage', () => {
    const help = run('--help');
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /delinkcious migrate --service <name>/);
  });

  test("runs: finds and applies each service's migrations from where it is", () => {
    for (const service of ['link-service', 'social-graph-service', 'user-service']) {
      const migrate = run('migrate', '--service', service);
      assert.equal(migrate.status, 0, `${service}: ${migrate.stderr}`);
      assert.match(migrate.stdout, new RegExp(`^${service}: applied migrations 1`), migrate.stdout);
    }
  });
});
