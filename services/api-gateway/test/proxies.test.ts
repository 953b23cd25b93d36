/**
 * Behind proxies: whose X-Forwarded-For the gateway believes, rate limits that
 * replicas share through Redis, and a public URL that request headers cannot
 * change.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { ConfigError } from '@delinkcious/kit';
import { deleteRedisKeys, externalService } from '@delinkcious/testing';
import { readApiGatewayConfig } from '../src/config.ts';
import { startGateway, type GatewayHarness } from './support/harness.ts';

/** Unknown tokens are limited per client address: what X-Forwarded-For can or cannot change. */
async function statusesFrom(gateways: GatewayHarness[], count: number, forwardedFor: (i: number) => string): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    const gateway = gateways[i % gateways.length]!;
    statuses.push((await gateway.call('GET', '/v1/links', { token: `guess-${i}`, headers: { 'x-forwarded-for': forwardedFor(i) } })).status);
  }
  return statuses;
}

describe('TRUST_PROXY', () => {
  test('a fresh X-Forwarded-For per request does not buy a fresh rate-limit bucket', async () => {
    for (const trust of ['true', '1', '127.0.0.1/32']) {
      const gateway = await startGateway({ env: { RATE_LIMIT_PER_MINUTE: '5', TRUST_PROXY: trust, PUBLIC_URL: 'https://links.example.com' } });
      try {
        // The client writes any address it likes; the proxy in front (here: 127.0.0.1) appends the one it saw.
        const statuses = await statusesFrom([gateway], 8, (i) => `10.9.${i}.1, 198.51.100.7`);
        assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429], `TRUST_PROXY=${trust}`);
      } finally {
        await gateway.close();
      }
    }
  });

  test('two hops: the client address is the one the outer proxy saw, and each client has its own bucket', async () => {
    const gateway = await startGateway({ env: { RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: '2', PUBLIC_URL: 'https://links.example.com' } });
    try {
      assert.deepEqual(await statusesFrom([gateway], 5, (i) => `10.9.${i}.1, 198.51.100.7, 10.0.0.2`), [401, 401, 401, 429, 429]);
      assert.deepEqual(await statusesFrom([gateway], 2, () => '198.51.100.8, 10.0.0.2'), [401, 401], 'another client is not limited');
    } finally {
      await gateway.close();
    }
  });

  test('accepts false, hop counts and CIDR lists; refuses anything else naming the variable', () => {
    const base = { PUBLIC_URL: 'https://links.example.com' };
    assert.equal(readApiGatewayConfig({}).TRUST_PROXY, false);
    assert.equal(readApiGatewayConfig({ ...base, TRUST_PROXY: 'false' }).TRUST_PROXY, false);
    assert.equal(readApiGatewayConfig({ ...base, TRUST_PROXY: 'true' }).TRUST_PROXY, 1);
    assert.equal(readApiGatewayConfig({ ...base, TRUST_PROXY: '2' }).TRUST_PROXY, 2);
    assert.deepEqual(readApiGatewayConfig({ ...base, TRUST_PROXY: '10.0.0.0/8, 192.0.2.1, fd00::/8' }).TRUST_PROXY, ['10.0.0.0/8', '192.0.2.1', 'fd00::/8']);
    for (const bad of ['yes', '10.0.0.0/33', 'proxy.example.com', '99']) {
      assert.throws(() => readApiGatewayConfig({ ...base, TRUST_PROXY: bad }), (error: unknown) => error instanceof ConfigError && /^TRUST_PROXY must be/.test(error.message), bad);
    }
  });
});

describe('PUBLIC_URL', () => {
  test('is required behind a proxy and when the gateway runs as its own service, in one line naming it', () => {
    const missing = (env: Record<string, string>, embedded: boolean) => () => readApiGatewayConfig(env, { embedded });
    assert.throws(missing({ TRUST_PROXY: '1' }, true), (error: unknown) => error instanceof ConfigError && /^PUBLIC_URL is required when TRUST_PROXY is on/.test(error.message));
    assert.throws(missing({}, false), (error: unknown) => error instanceof ConfigError && /^PUBLIC_URL is required when the api-gateway runs as its own service/.test(error.message));
    assert.equal(readApiGatewayConfig({ PUBLIC_URL: 'https://links.example.com' }, { embedded: false }).PUBLIC_URL, 'https://links.example.com');
    assert.equal(readApiGatewayConfig({}, { embedded: true }).PUBLIC_URL, undefined, 'embedded on one machine, the request says where it is');
  });

  test('behind a proxy, forged X-Forwarded-Host/Proto do not move the sign-in redirect_uri', async () => {
    const gateway = await startGateway({
      env: { TRUST_PROXY: '1', PUBLIC_URL: 'https://links.example.com', GITHUB_CLIENT_ID: 'id', GITHUB_CLIENT_SECRET: 'secret' },
    });
    try {
      const answer = await gateway.call('GET', '/login', { headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' } });
      assert.equal(answer.status, 302);
      const location = new URL(answer.headers.get('location')!);
      assert.equal(location.searchParams.get('redirect_uri'), 'https://links.example.com/login/authorized');
    } finally {
      await gateway.close();
    }
  });
});

const redis = await externalService('TEST_REDIS_URL');
describe('rate limits shared through REDIS_URL', { skip: redis.skip }, () => {
  const prefix = `test:rate-limit:${randomBytes(6).toString('hex')}:`;
  after(() => deleteRedisKeys(redis.url!, prefix));

  test('two gateway replicas count one limit together, not one each', async () => {
    const env = { RATE_LIMIT_PER_MINUTE: '6', REDIS_URL: redis.url!, RATE_LIMIT_REDIS_PREFIX: prefix };
    const replicas = [await startGateway({ env }), await startGateway({ env })];
    try {
      // Alternating between the replicas, as a load balancer would: 6 in all, then 429 from both.
      const statuses = await statusesFrom(replicas, 10, () => '');
      assert.deepEqual(statuses, [401, 401, 401, 401, 401, 401, 429, 429, 429, 429]);
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
    }
  });
});
