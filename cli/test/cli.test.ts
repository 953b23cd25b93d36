import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { returnFreedMemory } from '@delinkcious/kit';
import { createTemporaryDatabase, embeddedPorts, externalService, freePort, runDelinkcious } from '@delinkcious/testing';

const dir = mkdtempSync(join(tmpdir(), 'delinkcious-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('configuration errors end the command with one clear line', () => {
  const cases: Array<[string, string[], Record<string, string>, string]> = [
    ['a bad number', ['start', '--service', 'link-service'], { MAX_LINKS_PER_USER: 'lots' }, 'delinkcious: MAX_LINKS_PER_USER must be a whole number, got "lots"'],
    ['a bad port', ['start', '--service', 'link-service'], { PORT: '99999' }, 'delinkcious: PORT must be between 1 and 65535'],
    ['a non-PostgreSQL URL', ['start', '--service', 'link-service'], { LINK_DATABASE_URL: 'mysql://root:pw@db/x' }, 'delinkcious: LINK_DATABASE_URL must be a postgres or postgresql URL, got a mysql URL'],
    ['a bad boolean', ['start'], { DELINKCIOUS_MUTUAL_AUTH: 'perhaps' }, 'delinkcious: DELINKCIOUS_MUTUAL_AUTH must be true or false, got "perhaps"'],
    ['an unknown service', ['start', '--service', 'nope'], {}, 'delinkcious: unknown service "nope"; known services:'],
    ['a name from Object\'s prototype', ['start', '--service', 'constructor'], {}, 'delinkcious: unknown service "constructor"; known services:'],
    ['a missing mutual-auth file', ['start', '--service', 'link-service'], { MUTUAL_AUTH_FILE: join(dir, 'absent.yaml') }, 'delinkcious: MUTUAL_AUTH_FILE'],
    ['migrate without a service', ['migrate'], {}, 'delinkcious: migrate needs --service <name>'],
  ];
  for (const [name, args, env, line] of cases) {
    test(name, async () => {
      const run = runDelinkcious(args, { DATA_DIR: join(dir, 'unused'), LOG_LEVEL: 'silent', ...env });
      assert.equal(await run.exited, 2);
      const lines = run.stderr().trim().split('\n');
      assert.equal(lines.length, 1, `one line, got: ${run.stderr()}`);
      assert.ok(lines[0]!.startsWith(line), `"${lines[0]}" should start with "${line}"`);
      assert.doesNotMatch(run.stderr(), /\bat .+:\d+:\d+/, 'no stack trace');
    });
  }
});

test('migrate --service link-service applies the migrations once (embedded PGlite)', async () => {
  const env = { DATA_DIR: join(dir, 'migrate'), LOG_LEVEL: 'silent' };
  const first = runDelinkcious(['migrate', '--service', 'link-service'], env);
  assert.equal(await first.exited, 0, first.stderr());
  assert.match(first.stdout(), /link-service: applied migrations 1/);
  const second = runDelinkcious(['migrate', '--service', 'link-service'], env);
  assert.equal(await second.exited, 0);
  assert.match(second.stdout(), /link-service: already up to date/);
});

// The restart runs as `npm start` does, with the allocator's settings: on Node.js 22+ PGlite's
// WebAssembly is then tiered up (cli/src/start.ts), and the data is the same data.
test('embedded start keeps links across a restart (the restart with npm start\'s allocator settings)', async () => {
  const ports = await embeddedPorts();
  // link-service's own port, opened for debugging.
  const env = { DATA_DIR: join(dir, 'embedded'), LOG_LEVEL: 'silent', DELINKCIOUS_MUTUAL_AUTH: 'false', EMBEDDED_INTERNAL_PORTS: 'true', ...ports };
  const base = `http://127.0.0.1:${ports.LINK_MANAGER_SERVICE_PORT}`;
  const first = runDelinkcious(['start'], env);
  await first.waitFor(/Delinkcious is running at/, 60_000);
  const added = await fetch(`${base}/links`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ Username: 'alice', Url: 'https://kept.example/', Title: 'kept' }),
  });
  assert.equal(added.status, 200);
  first.child.kill('SIGTERM');
  assert.equal(await first.exited, 0);

  const second = runDelinkcious(['start'], { ...env, ...returnFreedMemory });
  await second.waitFor(/Delinkcious is running at/, 60_000);
  const listed = (await (await fetch(`${base}/links?username=alice`)).json()) as { links: Array<{ Url: string }> };
  assert.deepEqual(listed.links.map((l) => l.Url), ['https://kept.example/']);
  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0);
});

const postgres = await externalService('TEST_DATABASE_URL');
test('start --service link-service on PostgreSQL: mutual auth from the mounted file, migrations, SIGTERM exits 0', { skip: postgres.skip }, async () => {
  const temp = await createTemporaryDatabase(postgres.url!, 'test_cli');
  const authFile = join(dir, 'mutual-auth.yaml');
  writeFileSync(authFile, 'api-gateway: gateway-token-for-the-cli-test\n');
  const port = await freePort();
  const run = runDelinkcious(['start', '--service', 'link-service'], {
    LINK_DATABASE_URL: temp.url,
    MUTUAL_AUTH_FILE: authFile,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
  });
  try {
    const [, url] = await run.waitFor(/running at (\S+)/, 60_000);
    assert.equal(url, `http://127.0.0.1:${port}`);
    assert.equal((await fetch(`${url}/links?username=a`)).status, 401);
    const response = await fetch(`${url}/links`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'delinkcious-caller-token': 'gateway-token-for-the-cli-test' },
      body: JSON.stringify({ Username: 'a', Url: 'https://pg.example/', Title: 'pg' }),
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await (await fetch(`${url}/readyz`)).json(), { status: 'ready' });
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
  } finally {
    run.child.kill('SIGKILL');
    await temp.drop();
  }
});

test('recheck: one pass over pending links; exit 1 while the checker is down, 0 once it takes the checks', async () => {
  const { createServer } = await import('node:http');
  const port = await freePort();
  const env = {
    DATA_DIR: join(dir, 'recheck'),
    LOG_LEVEL: 'silent',
    DELINKCIOUS_MUTUAL_AUTH: 'false',
    LINK_CHECKER_URL: 'http://127.0.0.1:1',
    LINK_RECHECK_PENDING_AFTER: '0',
    LINK_RECONCILE_EVERY: '0',
  };
  const service = runDelinkcious(['start', '--service', 'link-service'], { ...env, PORT: String(port), HOST: '127.0.0.1' });
  const [, url] = await service.waitFor(/running at (\S+)/, 60_000);
  const added = await fetch(`${url}/links`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ Username: 'alice', Url: 'https://pending.example/', Title: 'p' }),
  });
  assert.equal(added.status, 200);
  service.child.kill('SIGTERM');
  assert.equal(await service.exited, 0);

  const down = runDelinkcious(['recheck'], env);
  assert.equal(await down.exited, 1);
  assert.match(down.stdout(), /recheck: 1 URLs due, 0 checks requested, 0 recent results reused, 1 failed/);

  const asked: unknown[] = [];
  const checker = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      asked.push(JSON.parse(body));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"err":"","status":"valid","http_status":200}');
    });
  });
  await new Promise<void>((resolve) => checker.listen(0, '127.0.0.1', resolve));
  try {
    const address = checker.address() as { port: number };
    const up = runDelinkcious(['recheck'], { ...env, LINK_CHECKER_URL: `http://127.0.0.1:${address.port}` });
    assert.equal(await up.exited, 0, up.stderr());
    assert.match(up.stdout(), /recheck: 1 URLs due, 1 checks requested/);
    assert.deepEqual(asked, [{ Username: 'alice', Url: 'https://pending.example/' }]);
  } finally {
    checker.close();
  }
});
