/**
 * The package boundaries, checked from the sources: each workspace declares the
 * @delinkcious packages it imports, the declared graph has no cycle, and the
 * rules (object-model, managers and the like) import no transport, driver or
 * server code. Pure functions over an in-memory picture of the workspaces, so
 * that a test can feed them a small broken case; `readWorkspaces` builds the
 * picture of the real repository.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export interface SourceFile {
  /** Relative to the repository root, with forward slashes. */
  path: string;
  text: string;
}

export interface Workspace {
  name: string;
  /** Relative to the repository root, e.g. `libs/kit`. */
  dir: string;
  dependencies: string[];
  devDependencies: string[];
  files: SourceFile[];
}

const ownScope = '@delinkcious/';

/** Packages and built-ins that speak a protocol, run a server or drive a store. */
const forbiddenInRules: RegExp[] = [
  /^fastify$/,
  /^@fastify\//,
  /^pg$/,
  /^@electric-sql\/pglite$/,
  /^ioredis$/,
  /^@nats-io\//,
  /^@grpc\//,
  /^grpc-health-check$/,
  /^undici$/,
  /^(node:)?(http|https|http2|net|tls|dgram)$/,
  // Our own packages that wrap the above: the SQL layer, the service clients, the gRPC wire.
  /^@delinkcious\/(db|clients|proto)$/,
];

/** The rules: every object-model module, and each service's managers, validation and other rule modules. */
export function isRuleFile(path: string): boolean {
  return (
    /^libs\/object-model\/src\/.+\.ts$/.test(path) ||
    /^services\/[^/]+\/src\/(manager|validation|filters|feed|fanout|tokens|check-scheduler|checker|check-result)\.ts$/.test(path) ||
    /^services\/[^/]+\/src\/rules\/.+\.ts$/.test(path)
  );
}

/** Test code may use what it declares as devDependencies; the rest only `dependencies`. */
function isTestFile(workspace: Workspace, path: string): boolean {
  return path.startsWith(`${workspace.dir}/test/`);
}

/** Every module a file imports, exports from, `import()`s or `require()`s, as written; type-only imports included. */
export function importsOf(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((file) => file.fileName);
}

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
export function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

const isRelative = (specifier: string) => specifier.startsWith('./') || specifier.startsWith('../');

function resolveRelative(from: string, specifier: string): string {
  return join(dirname(from), specifier).split('\\').join('/');
}

/**
 * Imports of @delinkcious packages a workspace does not declare (test files may
 * use devDependencies too), of the workspace itself by name, and relative imports
 * that leave the workspace's folder.
 */
export function undeclaredImports(workspaces: Workspace[]): string[] {
  const problems: string[] = [];
  for (const workspace of workspaces) {
    for (const file of workspace.files) {
      const declared = new Set(isTestFile(workspace, file.path) ? [...workspace.dependencies, ...workspace.devDependencies] : workspace.dependencies);
      for (const specifier of importsOf(file.text)) {
        if (isRelative(specifier)) {
          const target = resolveRelative(file.path, specifier);
          if (!target.startsWith(`${workspace.dir}/`)) problems.push(`${file.path} reaches outside ${workspace.dir} by relative path: ${specifier}`);
          continue;
        }
        const name = packageOf(specifier);
        if (!name.startsWith(ownScope)) continue;
        if (name === workspace.name) problems.push(`${file.path} imports its own package ${name}`);
        else if (!declared.has(name)) {
          const where = isTestFile(workspace, file.path) ? 'dependencies or devDependencies' : 'dependencies';
          problems.push(`${file.path} imports ${name}, which ${workspace.dir}/package.json does not declare in ${where}`);
        }
      }
    }
  }
  return problems;
}

/** @delinkcious dependencies declared but imported by no file of the workspace: the declared graph should be the real one. */
export function unusedDeclarations(workspaces: Workspace[]): string[] {
  const problems: string[] = [];
  for (const workspace of workspaces) {
    const imported = new Set(workspace.files.flatMap((file) => importsOf(file.text).map(packageOf)));
    for (const name of [...workspace.dependencies, ...workspace.devDependencies]) {
      if (name.startsWith(ownScope) && !imported.has(name)) problems.push(`${workspace.dir}/package.json declares ${name}, which nothing in it imports`);
    }
  }
  return problems;
}

/** Cycles among the declared @delinkcious dependencies (devDependencies included), each as its path of package names. */
export function declaredCycles(workspaces: Workspace[]): string[][] {
  const edges = new Map(
    workspaces.map((w) => [w.name, [...w.dependencies, ...w.devDependencies].filter((name) => name.startsWith(ownScope))] as const),
  );
  const cycles: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      cycles.push([...path.slice(path.indexOf(name)), name]);
      return;
    }
    state.set(name, 'visiting');
    path.push(name);
    for (const next of edges.get(name) ?? []) visit(next);
    path.pop();
    state.set(name, 'done');
  };
  for (const name of [...edges.keys()].sort()) visit(name);
  return cycles;
}

/**
 * Rule files importing transport, driver or server code: a forbidden package,
 * a module in a `transport/` folder, or a module of their own workspace that
 * imports a forbidden package itself (a store's SQL or Redis driver, say).
 */
export function layeringViolations(workspaces: Workspace[]): string[] {
  const problems: string[] = [];
  const files = new Map(workspaces.flatMap((w) => w.files.map((file) => [file.path, file] as const)));
  const forbidden = (specifier: string) => forbiddenInRules.some((pattern) => pattern.test(specifier));
  const driverImport = (file: SourceFile) => importsOf(file.text).find((specifier) => !isRelative(specifier) && forbidden(packageOf(specifier)));
  for (const file of files.values()) {
    if (!isRuleFile(file.path)) continue;
    for (const specifier of importsOf(file.text)) {
      if (!isRelative(specifier)) {
        if (forbidden(specifier) || forbidden(packageOf(specifier))) problems.push(`${file.path} is a rule file but imports ${specifier}`);
        continue;
      }
      const target = resolveRelative(file.path, specifier);
      if (/(^|\/)transport\//.test(target)) {
        problems.push(`${file.path} is a rule file but imports the transport module ${target}`);
        continue;
      }
      const module = files.get(target);
      const driver = module && driverImport(module);
      if (driver) problems.push(`${file.path} is a rule file but imports ${target}, which imports ${driver}`);
    }
  }
  return problems;
}

const sourceExtensions = /\.(ts|mts|cts|js|mjs|cjs)$/;
const skipped = new Set(['node_modules', 'dist', '.delinkcious']);

function* sourceFiles(root: string, dir: string): Generator<SourceFile> {
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    if (skipped.has(entry.name)) continue;
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) yield* sourceFiles(root, path);
    else if (sourceExtensions.test(entry.name)) yield { path, text: readFileSync(join(root, path), 'utf8') };
  }
}

interface PackageJson {
  name?: string;
  workspaces?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const readPackage = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as PackageJson;

/** The workspaces the root package.json lists (`dir` or `dir/*`), with their sources. */
export function readWorkspaces(root: string): Workspace[] {
  const dirs = (readPackage(join(root, 'package.json')).workspaces ?? []).flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const parent = pattern.slice(0, -2);
    return readdirSync(join(root, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(root, parent, entry.name, 'package.json')))
      .map((entry) => `${parent}/${entry.name}`);
  });
  return dirs.sort().map((dir) => {
    const pkg = readPackage(join(root, dir, 'package.json'));
    return {
      name: pkg.name ?? dir,
      dir: relative(root, resolve(root, dir)).split('\\').join('/'),
      dependencies: Object.keys(pkg.dependencies ?? {}),
      devDependencies: Object.keys(pkg.devDependencies ?? {}),
      files: [...sourceFiles(root, dir)],
    };
  });
}
