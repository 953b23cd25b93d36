/**
 * Each service with a PostgreSQL database, as its own process, while that
 * server restarts under write load (`pg_ctl -m fast`, then `-m immediate`, a
 * crash): it does not crash, calls during the outage answer 503 (never 500,
 * never a hang), every write it answered 200 is stored, and it serves again by
 * itself once the server is back. The server is the test's own.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { freePort, privatePostgresSkip, runDelinkcious, startPrivatePostgres, type PrivatePostgres, type RunningCommand } from '@delinkcious/testing';

const skip = privatePostgresSkip();

interface Subject {
  service: string;
  env: (databaseUrl: string) => Promise<Record<string, string>>;
  /** The n-th write: method, path and JSON body. */
  write: (n: number) => { method: string; path: string; body: unknown };
  /** Whether the n-th write is stored. */
  stored: (base: string, n: number) => Promise<boolean>;
}

const getJson = async (url: string) => (await fetch(url)).json() as Promise<Record<string, unknown>>;

const subjects: Subject[] = [
  {
    service: 'link-service',
    env: async (url) => ({ LINK_DATABASE_URL: url, LINK_CHECKER_URL: `http://127.0.0.1:${await freePort()}`, LINK_RECONCILE_EVERY: '0' }),
    write: (n) => ({ method: 'POST', path: '/links', body: { Username: 'writer', Url: `https://example.org/${n}`, Title: 'a link' } }),
    stored: async (base, n) => {
      const page = await getJson(`${base}/links?username=writer&url_regex=${encodeURIComponent(`^https://example\\.org/${n}$`)}`);
      return (page.links as unknown[]).length === 1;
    },
  },
  {
    service: 'social-graph-service',
    env: async (url) => ({ SOCIAL_GRAPH_DATABASE_URL: url }),
    write: (n) => ({ method: 'POST', path: '/follow', body: { followed: 'star', follower: `fan-${n}` } }),
    stored: async (base, n) => Object.hasOwn((await getJson(`${base}/following/fan-${n}`)).following as object, 'star'),
  },
  {
    service: 'user-service',
    env: async (url) => ({ USER_DATABASE_URL: url }),
    write: (n) => ({ method: 'POST', path: '/register', body: { username: `user-${n}`, name: 'U', email: '' } }),
    stored: async (base, n) => (await fetch(`${base}/users/user-${n}`)).status === 200,
  },
];

for (const subject of subjects) {
  describe(`${subject.service} while its database restarts`, { skip }, () => {
    let database: PrivatePostgres;
    let service: RunningCommand;
    let base: string;

    before(async () => {
      database = await startPrivatePostgres();
      const port = await freePort();
      service = runDelinkcious(['start', '--service', subject.service], {
        HOST: '127.0.0.1',
        PORT: String(port),
        DELINKCIOUS_MUTUAL_AUTH: 'false',
        LOG_LEVEL: 'fatal',
        ...(await subject.env(database.url)),
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
      const acknowledged: number[] = [];
      let slowest503 = 0;
      let running = true;
      let next = 0;
      const writers = Array.from({ length: 6 }, async () => {
        while (running) {
          const n = next++;
          const { method, path, body } = subject.write(n);
          const started = Date.now();
          const response = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
          await response.arrayBuffer();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          if (response.status === 200) acknowledged.push(n);
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

      assert.equal(service.child.exitCode, null, `${subject.service} is still running; stderr: ${service.stderr().slice(-1500)}`);
      assert.deepEqual([...statuses.keys()].filter((status) => status !== 200 && status !== 503), [], `only 200 and 503: ${JSON.stringify([...statuses])}`);
      assert.ok((statuses.get(503) ?? 0) > 0, 'the outage was seen as 503');
      // The connect timeout (5 s) bounds a 503; a hang would run into the test's deadline instead.
      assert.ok(slowest503 < 10_000, `503s come without hanging (slowest ${slowest503} ms)`);
      assert.ok(acknowledged.length >= countBefore + 30, 'writes succeed again after the restart');

      const missing: number[] = [];
      for (const n of acknowledged) if (!(await subject.stored(base, n))) missing.push(n);
      assert.deepEqual(missing, [], 'every acknowledged write is stored');
      const sent = [...statuses.values()].reduce((a, b) => a + b, 0);
      console.log(
        `# fault postgres-restart ${subject.service.padEnd(21)} sent ${sent} acknowledged ${acknowledged.length} refused-503 ${statuses.get(503) ?? 0} lost 0 slowest-503 ${slowest503} ms`,
      );
    });
  });
}
