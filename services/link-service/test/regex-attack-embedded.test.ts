/**
 * The regex attack through the gateway of the embedded deployment, where every
 * service shares one process and one event loop: the oversized filter is a 400,
 * and during the heaviest allowed filters /healthz and another user are served.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { limits } from '@delinkcious/object-model';
import { startEmbedded, type Deployment } from '@delinkcious/testing';

let deployment: Deployment | undefined;
let mallory = '';
let bob = '';

async function call(method: string, path: string, token?: string, json?: unknown) {
  const started = performance.now();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (json !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(new URL(path, deployment!.baseUrl), {
    method,
    headers,
    body: json === undefined ? undefined : JSON.stringify(json),
    signal: AbortSignal.timeout(60_000),
  });
  const body = (await response.json()) as Record<string, unknown>;
  return { status: response.status, body, ms: performance.now() - started };
}

before(async () => {
  deployment = await startEmbedded({ extraEnv: { RATE_LIMIT_PER_MINUTE: '0' } });
  mallory = await deployment.signIn('mallory');
  bob = await deployment.signIn('bob');
  for (let i = 1; i <= 50; i++) {
    const description = `${i} `.padEnd(limits.descriptionLength, 'x');
    assert.equal((await call('POST', '/v1/links', mallory, { url: `https://e.com/m/${i}`, title: `M${i}`, description })).status, 200);
  }
  for (let i = 1; i <= 10; i++) assert.equal((await call('POST', '/v1/links', bob, { url: `https://e.com/b/${i}`, title: `B${i}` })).status, 200);
}, { timeout: 180_000 });
after(() => deployment?.stop(), { timeout: 60_000 });

test('through the gateway: an oversized filter is a 400 at once; heavy allowed ones leave /healthz and other users served', async () => {
  const attack = (pattern: string) => call('GET', `/v1/links?limit=100&description_regex=${encodeURIComponent(pattern)}`, mallory);
  const refused = await attack('.{1000}'.repeat(4));
  assert.equal(refused.status, 400);
  assert.match(String(refused.body.err), /description_regex is too complex: .*at most 64 are allowed/);
  assert.ok(refused.ms < 10_000, `a guard against a hang: answered in ${Math.round(refused.ms)} ms`);

  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const probe = async () => {
    const [health, links] = await Promise.all([call('GET', '/healthz'), call('GET', '/v1/links', bob)]);
    assert.equal(health.status, 200);
    assert.equal(links.status, 200);
    assert.equal((links.body.links as unknown[]).length, 10);
    return [health.ms, links.ms] as const;
  };
  for (let i = 0; i < 5; i++) await probe(); // warm up
  const quiet: Array<readonly [number, number]> = [];
  for (let i = 0; i < 20; i++) quiet.push(await probe());

  let attacking = true;
  const heavy = Promise.all([attack('(?s).{61}$'), attack('(?s).{61}$')]).finally(() => (attacking = false));
  const during: Array<readonly [number, number]> = [];
  while (attacking) during.push(await probe());
  for (const answer of await heavy) {
    assert.equal(answer.status, 200, JSON.stringify(answer.body).slice(0, 200));
    // All 50 match; a request out of budget answers a short page and a token.
    const links = (answer.body.links as unknown[]).length;
    assert.ok(links === 50 || (links > 0 && answer.body.next_page_token), `${links} links, token ${String(answer.body.next_page_token)}`);
  }
  const ratio = (i: 0 | 1) => median(during.map((d) => d[i])) / median(quiet.map((q) => q[i]));
  console.log(
    `embedded: ${during.length} probes during the attack; median /healthz ${median(quiet.map((q) => q[0])).toFixed(1)} → ` +
      `${median(during.map((d) => d[0])).toFixed(1)} ms (×${ratio(0).toFixed(1)}), bob's GET /v1/links ` +
      `${median(quiet.map((q) => q[1])).toFixed(1)} → ${median(during.map((d) => d[1])).toFixed(1)} ms (×${ratio(1).toFixed(1)})`,
  );
  assert.ok(during.length >= 5, `only ${during.length} probes were answered during the attack`);
  assert.ok(ratio(0) < 50 && ratio(1) < 50, `latency ratios during the attack: ${ratio(0).toFixed(1)}, ${ratio(1).toFixed(1)}`);
});
