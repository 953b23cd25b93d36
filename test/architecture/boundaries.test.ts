import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import {
  declaredCycles,
  importsOf,
  layeringViolations,
  readWorkspaces,
  undeclaredImports,
  unusedDeclarations,
  type Workspace,
} from './support/boundaries.ts';

describe('the repository', () => {
  const workspaces = readWorkspaces(fileURLToPath(new URL('../..', import.meta.url)));

  test('finds every workspace and its sources', () => {
    const names = workspaces.map((w) => w.name);
    for (const name of ['@delinkcious/object-model', '@delinkcious/kit', '@delinkcious/proto', '@delinkcious/cli', '@delinkcious/link-service']) {
      assert.ok(names.includes(name), `${name} is a workspace`);
    }
    assert.ok(workspaces.every((w) => w.files.length > 0));
  });

  test('each workspace declares the @delinkcious packages it imports, and only those', () => {
    assert.deepEqual(undeclaredImports(workspaces), []);
    assert.deepEqual(unusedDeclarations(workspaces), []);
  });

  test('the declared package graph has no cycle', () => {
    assert.deepEqual(declaredCycles(workspaces), []);
  });

  test('rule files import no transport, driver or server code', () => {
    assert.deepEqual(layeringViolations(workspaces), []);
  });
});

function workspace(name: string, dir: string, files: Record<string, string>, deps: string[] = [], devDeps: string[] = []): Workspace {
  return {
    name: `@delinkcious/${name}`,
    dir,
    dependencies: deps.map((d) => `@delinkcious/${d}`),
    devDependencies: devDeps.map((d) => `@delinkcious/${d}`),
    files: Object.entries(files).map(([path, text]) => ({ path: `${dir}/${path}`, text })),
  };
}

describe('the checker', () => {
  test('reads imports, type imports, re-exports and import() calls, not comments or strings', () => {
    const text = [
      "import { a } from '@delinkcious/kit';",
      "import type { B } from '@delinkcious/object-model';",
      "export * from './local.ts';",
      "const c = await import('@delinkcious/db');",
      "// import { d } from '@delinkcious/clients';",
      "const e = \"import { e } from '@delinkcious/events'\";",
    ].join('\n');
    assert.deepEqual(importsOf(text), ['@delinkcious/kit', '@delinkcious/object-model', './local.ts', '@delinkcious/db']);
  });

  test('an undeclared import, a self-import and a relative path out of the workspace are reported', () => {
    const problems = undeclaredImports([
      workspace('events', 'libs/events', {
        'src/bus.ts': "import { x } from '@delinkcious/kit';\nimport type { Y } from '@delinkcious/object-model/src/events.ts';",
        'src/outbox.ts': "import { z } from '@delinkcious/events';\nimport { w } from '../../kit/src/trace.ts';",
      }, ['object-model']),
    ]);
    assert.deepEqual(problems, [
      'libs/events/src/bus.ts imports @delinkcious/kit, which libs/events/package.json does not declare in dependencies',
      'libs/events/src/outbox.ts imports its own package @delinkcious/events',
      'libs/events/src/outbox.ts reaches outside libs/events by relative path: ../../kit/src/trace.ts',
    ]);
  });

  test('tests may use devDependencies; sources may not', () => {
    const db = workspace('db', 'libs/db', {
      'src/open.ts': "import { t } from '@delinkcious/testing';",
      'test/db.test.ts': "import { t } from '@delinkcious/testing';",
    }, [], ['testing']);
    assert.deepEqual(undeclaredImports([db]), [
      'libs/db/src/open.ts imports @delinkcious/testing, which libs/db/package.json does not declare in dependencies',
    ]);
  });

  test('a declared package nothing imports is reported', () => {
    assert.deepEqual(unusedDeclarations([workspace('kit', 'libs/kit', { 'src/a.ts': '' }, ['events'])]), [
      'libs/kit/package.json declares @delinkcious/events, which nothing in it imports',
    ]);
  });

  test('a cycle in the declared graph is reported, through devDependencies too', () => {
    assert.deepEqual(
      declaredCycles([
        workspace('kit', 'libs/kit', {}, ['events']),
        workspace('events', 'libs/events', {}, ['kit']),
        workspace('object-model', 'libs/object-model', {}),
      ]),
      [['@delinkcious/events', '@delinkcious/kit', '@delinkcious/events']],
    );
    assert.equal(declaredCycles([workspace('db', 'libs/db', {}, [], ['testing']), workspace('testing', 'libs/testing', {}, ['db'])]).length, 1);
    assert.deepEqual(declaredCycles([workspace('kit', 'libs/kit', {}, ['object-model']), workspace('object-model', 'libs/object-model', {})]), []);
  });

  test('a manager or object-model file importing transport, driver or server code is reported', () => {
    const service = workspace('link-service', 'services/link-service', {
      'src/manager.ts': [
        "import type { FastifyInstance } from 'fastify';",
        "import { registerLinkRoutes } from './transport/http.ts';",
        "import { SqlLinkStore } from './stores/sql-link-store.ts';",
        "import type { LinkStore } from './stores/link-store.ts';",
      ].join('\n'),
      'src/validation.ts': "import { request } from 'undici';",
      'src/stores/sql-link-store.ts': "import pg from 'pg';",
      'src/stores/link-store.ts': "import type { Link } from '@delinkcious/object-model';",
      'src/main.ts': "import Fastify from 'fastify';",
    });
    const model = workspace('object-model', 'libs/object-model', { 'src/link.ts': "import http from 'node:http';" });
    assert.deepEqual(layeringViolations([service, model]), [
      'services/link-service/src/manager.ts is a rule file but imports fastify',
      'services/link-service/src/manager.ts is a rule file but imports the transport module services/link-service/src/transport/http.ts',
      'services/link-service/src/manager.ts is a rule file but imports services/link-service/src/stores/sql-link-store.ts, which imports pg',
      'services/link-service/src/validation.ts is a rule file but imports undici',
      'libs/object-model/src/link.ts is a rule file but imports node:http',
    ]);
  });
});
