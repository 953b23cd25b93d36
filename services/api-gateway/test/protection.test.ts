/** Body limits, rate limits, dead downstream services, security headers and error hygiene. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LinkClient, SocialGraphClient, UserClient } from '@delinkcious/clients';
import type { LinkManager } from '@delinkcious/object-model';
import { silentServer } from './support/github-stand-in.ts';
import { closedPort, memoryManagers, startGateway } from './support/harness.ts';

describe('limits', () => {
  test('a body over BODY_LIMIT answers 413 with {"err"}, JSON or form', async () => {
    const gateway = await startGateway({ env: { BODY_LIMIT: '2048' } });
    try {
      const token = await gateway.signIn('alice');
      const big = 'x'.repeat(3000);
      const json = await gateway.call('POST', '/v1/links', { token, json: { url: 'https://example.com', title: 't', description: big } });
      assert.equal(json.status, 413);
      assert.match(json.body.err, /larger than 2048 bytes/);
      const form = await gateway.call('POST', '/v1/links', { token, form: { url: 'https://example.com', title: 't', description: big } });
      assert.equal(form.status, 413);
      assert.ok(form.body.err);
      const small = await gateway.call('POST', '/v1/links', { token, json: { url: 'https://example.com', title: 't' } });
      assert.equal(small.status, 200);
    } finally {
      await gateway.close();
    }
  });

  test('over RATE_LIMIT_PER_MINUTE a token gets 429 with Retry-After; other callers go on', async () => {
    const gateway = await startGateway({ env: { RATE_LIMIT_PER_MINUTE: '5' } });
    try {
      const [alice, bob] = await Promise.all([gateway.signIn('alice'), gateway.signIn('bob')]);
      let limited;
      for (let i = 0; i < 10 && !limited; i++) {
        const answer = await gateway.call('GET', '/v1/links', { token: alice });
        if (answer.status === 429) limited = answer;
        else assert.equal(answer.status, 200);
      }
      assert.ok(limited, 'alice was limited');
      assert.match(limited.body.err, /too many requests/);
      const retryAfter = Number(limited.headers.get('retry-after'));
      assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After: ${limited.headers.get('retry-after')}`);
      assert.equal((await gateway.call('GET', '/v1/links', { token: bob })).status, 200, "bob has his own budget");
      assert.equal((await gateway.call('GET', '/healthz')).status, 200, 'probes are not limited');
    } finally {
      await gateway.close();
    }
  });

  test('random tokens do not escape the limit: unknown tokens count against the address', async () => {
    const gateway = await startGateway({ env: { RATE_LIMIT_PER_MINUTE: '5' } });
    try {
      const statuses = [];
      for (let i = 0; i < 8; i++) statuses.push((await gateway.call('GET', '/v1/links', { token: `guess-${i}` })).status);
      assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
    } finally {
      await gateway.close();
    }
  });
});

describe('dead downstream services', () => {
  test('answer 503 fast, not a hang, and keep failing fast once the breaker opens', async () => {
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const managers = memoryManagers();
    const links = new LinkClient({ baseUrl: dead });
    const socialGraph = new SocialGraphClient({ baseUrl: dead });
    const gateway = await startGateway({ ...managers, links, socialGraph });
    try {
      const token = await gateway.signIn('alice');
      for (let i = 0; i < 8; i++) {
        for (const [method, path] of [
          ['GET', '/v1/links'],
          ['POST', '/v1/links'],
          ['GET', '/v1/following'],
        ] as const) {
          const answer = await gateway.call(method, path, {
            token,
            json: method === 'POST' ? { url: 'https://example.com', title: 't' } : undefined,
          });
          assert.equal(answer.status, 503, `${method} ${path}: ${answer.text}`);
          assert.match(answer.body.err, /(link|social-graph)-service is unavailable/);
          assert.ok(answer.ms < 2000, `${method} ${path} answered in ${Math.round(answer.ms)} ms`);
        }
      }
      const last = await gateway.call('GET', '/v1/links', { token });
      assert.match(last.body.err, /failing fast/, 'the breaker is open');
    } finally {
      await gateway.close();
      links.close();
      socialGraph.close();
    }
  });

  test('a downstream that accepts and never answers gives 503 within the client timeout', async () => {
    const hanging = await silentServer();
    const links = new LinkClient({ baseUrl: hanging.url, timeoutMs: 200 });
    const gateway = await startGateway({ links });
    try {
      const token = await gateway.signIn('alice');
      const answer = await gateway.call('GET', '/v1/links', { token });
      assert.equal(answer.status, 503);
      assert.match(answer.body.err, /no answer within 200 ms/);
      assert.ok(answer.ms < 2000, `answered in ${Math.round(answer.ms)} ms (three tries)`);
    } finally {
      await gateway.close();
      links.close();
      await hanging.close();
    }
  });

  test('user-service down is 503, not 401: the token may be fine', async () => {
    const users = new UserClient({ baseUrl: `http://127.0.0.1:${await closedPort()}` });
    const gateway = await startGateway({ users });
    try {
      const answer = await gateway.call('GET', '/v1/links', { token: 'some-session-token' });
      assert.equal(answer.status, 503);
      assert.match(answer.body.err, /user-service is unavailable/);
      assert.ok(answer.ms < 2000);
    } finally {
      await gateway.close();
      users.close();
    }
  });
});

describe('headers and errors', () => {
  test('security headers are on every answer, with a same-origin CSP', async () => {
    const gateway = await startGateway();
    try {
      for (const path of ['/v1/links', '/healthz', '/openapi.json', '/docs/', '/nowhere']) {
        const answer = await gateway.call('GET', path);
        const csp = answer.headers.get('content-security-policy') ?? '';
        assert.match(csp, /default-src 'self'/, path);
        assert.match(csp, /script-src 'self'(;|$)/, `${path}: no inline or remote script`);
        assert.match(csp, /frame-ancestors 'none'/, path);
        assert.match(csp, /object-src 'none'/, path);
        assert.equal(answer.headers.get('x-content-type-options'), 'nosniff', path);
        assert.ok(answer.headers.get('strict-transport-security'), path);
        assert.ok(answer.headers.get('referrer-policy'), path);
        assert.equal(answer.headers.get('x-powered-by'), null, path);
      }
      const own = await gateway.call('GET', '/v1/links', { token: await gateway.signIn('alice') });
      assert.equal(own.headers.get('cache-control'), 'no-store', "a user's data is not for shared caches");
    } finally {
      await gateway.close();
    }
  });

  test('a NUL in an API token name answers 400 naming the field, JSON or form', async () => {
    const gateway = await startGateway();
    try {
      const token = await gateway.signIn('alice');
      for (const encoding of ['json', 'form'] as const) {
        const answer = await gateway.call('POST', '/v1/tokens', { token, [encoding]: { name: 'laptop\u0000' } });
        assert.equal(answer.status, 400, encoding);
        assert.deepEqual(answer.body, { err: 'name must not contain control characters' });
      }
    } finally {
      await gateway.close();
    }
  });

  test('an unexpected failure answers 500 {"err":"internal error"}, never a stack trace', async () => {
    const broken: LinkManager = Object.assign(Object.create(memoryManagers().links) as LinkManager, {
      getLinks: async () => {
        throw new Error('secret internals at /srv/app.ts:42');
      },
    });
    const gateway = await startGateway({ links: broken });
    try {
      const answer = await gateway.call('GET', '/v1/links', { token: await gateway.signIn('alice') });
      assert.equal(answer.status, 500);
      assert.deepEqual(answer.body, { err: 'internal error' });
      const unknown = await gateway.call('GET', '/v2/things');
      assert.equal(unknown.status, 404);
      assert.ok(unknown.body.err);
    } finally {
      await gateway.close();
    }
  });
});
