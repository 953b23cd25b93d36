/**
 * link-service, as its own process, while its PostgreSQL server restarts under
 * write load: it does not crash, calls during the outage answer 503 (never 500,
 * never a hang), every write it answered 200 is stored, and it serves again by
 * itself once the server is back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { freePort, privatePostgresSkip, runDelinkcious, startPrivatePostgres, type PrivatePostgres, type RunningCommand } from '@delinkcious/testing';

const skip = privatePostgresSkip();

describe('link-service while its database restarts', { skip }, () => {
  let database: PrivatePostgres;
  let service: RunningCommand;
  let base: string;

  before(async () => {
    database = await startPrivatePostgres();
    const port = await freePort();
    service = runDelinkcious(['start', '--service', 'link-service'], {
      HOST: '127.0.0.1',
      PORT: String(port),
      LINK_DATABASE_URL: database.url,
      DELINKCIOUS_MUTUAL_AUTH: 'false',
      LINK_CHECKER_URL: `http://127.0.0.1:${await freePort()}`,
      LINK_RECONCILE_EVERY: '0',
      LOG_LEVEL: 'fatal',
    });
    await service.waitFor(/running at/);
    base = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    service?.child.kill('SIGKILL');
    await service?.exited;
    database?.remove();
  });

  test('restarts, fast and as a crash, lose no acknowledged write and end in service', async () => {
    const statuses = new Map<number, number>();
    const acknowledged: string[] = [];
    let slowest503 = 0;
    let running = true;
    let next = 0;
    const writers = Array.from({ length: 6 }, async () => {
      while (running) {
        const url = `https://example.org/${next++}`;
        const started = Date.now();
        const response = await fetch(`${base}/links`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ Username: 'writer', Url: url, Title: 'a link' }),
        });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status === 200) acknowledged.push(url);
        if (response.status === 503) {
          slowest503 = Math.max(slowest503, Date.now() - started);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    });
    const settle = () => new Promise((resolve) => setTimeout(resolve, 700));
    await settle();
    database.restart('fast');
    await settle();
    database.stop('immediate');
    await settle();
    database.start();
    const countBefore = acknowledged.length;
    const deadline = Date.now() + 20_000;
    while (acknowledged.length < countBefore + 30 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    running = false;
    await Promise.all(writers);

    assert.equal(service.child.exitCode, null, `link-service is still running; stderr: ${service.stderr().slice(-1500)}`);
    assert.deepEqual([...statuses.keys()].filter((status) => status !== 200 && status !== 503), [], `only 200 and 503: ${JSON.stringify([...statuses])}`);
    assert.ok((statuses.get(503) ?? 0) > 0, 'the outage was seen as 503');
    // The connect timeout (5 s) bounds a 503; a hang would run into the test's deadline instead.
    assert.ok(slowest503 < 10_000, `503s come without hanging (slowest ${slowest503} ms)`);
    assert.ok(acknowledged.length >= countBefore + 30, 'writes succeed again after the restart');

    const stored = new Set<string>();
    let token = '';
    do {
      const page = (await (await fetch(`${base}/links?username=writer&limit=100&start_token=${encodeURIComponent(token)}`)).json()) as {
        links: { Url: string }[];
        next_page_token: string;
      };
      for (const link of page.links) stored.add(link.Url);
      token = page.next_page_token;
    } while (token);
    assert.deepEqual(acknowledged.filter((url) => !stored.has(url)), [], 'every acknowledged write is stored');
    const sent = [...statuses.values()].reduce((a, b) => a + b, 0);
    const duplicated = acknowledged.length - new Set(acknowledged).size;
    console.log(`# fault postgres-restart sent ${sent} acknowledged ${acknowledged.length} refused-503 ${statuses.get(503) ?? 0} stored ${stored.size} lost 0 duplicated ${duplicated} slowest-503 ${slowest503} ms`);
  });
});
