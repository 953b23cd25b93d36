/**
 * Regex filters cannot freeze link-service: oversized programs are refused with a
 * 400, matching runs on a per-request work budget (a short page with a token when
 * spent), and it yields to the event loop so /healthz and other users are served
 * during an attack of long descriptions and heavy (but linear-time) patterns.
 */
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import { ServiceMetrics, createLogger, createServiceServer, listen, mutualAuthFromTokens } from '@delinkcious/kit';
import { ValidationError, limits } from '@delinkcious/object-model';
import type { FastifyInstance } from 'fastify';
import { RE2JS } from 're2js';
import { compilePattern, maxInstructions, programSize, regexWork } from '../src/filters.ts';
import { DefaultLinkManager } from '../src/manager.ts';
import { MemoryLinkStore } from '../src/stores/memory-link-store.ts';
import { registerLinkRoutes } from '../src/transport/http.ts';

const longDescription = (i: number) => `${i} `.padEnd(limits.descriptionLength, 'x');
const fourThousand = '.{1000}'.repeat(4);
const thirtySixThousand = '.{1000}'.repeat(36);
/** The costliest description filter still allowed: every one of its 64 instructions live at every character. */
const heaviestAllowed = '(?s).{61}$';

async function seed(manager: DefaultLinkManager, username: string, count: number, description: (i: number) => string) {
  for (let i = 1; i <= count; i++) {
    await manager.addLink({ username, url: `https://e.com/${username}/${i}`, title: `T${i}`, description: description(i) });
  }
}

describe('the size of a regex program', () => {
  test('is read from re2js (this fails if a re2js release moves its internal program)', () => {
    assert.equal(programSize(RE2JS.compile(fourThousand)), 4002);
    assert.equal(programSize(RE2JS.compile('kube')), 6);
    assert.equal(programSize(RE2JS.compile(heaviestAllowed)), maxInstructions(limits.descriptionLength));
  });

  test('is bounded per field so that one match of the longest text costs at most one slice of work', () => {
    assert.equal(maxInstructions(limits.descriptionLength), 64);
    assert.equal(maxInstructions(limits.urlLength), 256);
    assert.equal(maxInstructions(limits.titleLength), 1024);
    assert.ok(regexWork.perMatch <= regexWork.perSlice);
  });

  test('legitimate filters compile within the limits', () => {
    const patterns = [
      '^https://',
      'kube',
      '(?i)postgres',
      '(?i)postgres(ql)?|pg_',
      '(?i)\\b(kubernetes|docker|helm|istio|envoy|prometheus|grafana)\\b',
      '^https://(www\\.)?github\\.com/[^/]+/[^/]+/?$',
      '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}',
      '\\d{4}-\\d{2}-\\d{2}',
      '^.{0,20}$',
    ];
    for (const pattern of patterns) assert.ok(compilePattern(pattern, 'description_regex', limits.descriptionLength), pattern);
  });

  test('too big a program is a ValidationError naming the field and the limit', () => {
    assert.throws(
      () => compilePattern(fourThousand, 'description_regex', limits.descriptionLength),
      (error: Error) => error instanceof ValidationError && /^description_regex is too complex: it compiles to 4002 .*at most 64 are allowed/.test(error.message),
    );
    assert.throws(() => compilePattern('.{1000}', 'url_regex', limits.urlLength), /url_regex is too complex: .*at most 256/);
  });
});

describe('GetLinks under a work budget', () => {
  test('legitimate filters answer exactly as before', async () => {
    const manager = new DefaultLinkManager({ store: new MemoryLinkStore(), maxLinksPerUser: 1000 });
    await manager.addLink({ username: 'alice', url: 'https://kubernetes.io/', title: 'Kube', description: 'Runs PostgreSQL too' });
    await manager.addLink({ username: 'alice', url: 'http://old.example/', title: 'Old', description: 'postgres notes' });
    await manager.addLink({ username: 'alice', url: 'https://go.dev/', title: 'Go', description: 'a language' });
    const urls = async (request: Record<string, string>) => (await manager.getLinks({ username: 'alice', ...request })).links.map((l) => l.url);
    assert.deepEqual(await urls({ urlRegex: '^https://' }), ['https://go.dev/', 'https://kubernetes.io/']);
    assert.deepEqual(await urls({ urlRegex: 'kube' }), ['https://kubernetes.io/']);
    assert.deepEqual(await urls({ descriptionRegex: '(?i)postgres' }), ['http://old.example/', 'https://kubernetes.io/']);
  });

  test('when the work runs out the page ends early with a token; the pages together hold every match once', async () => {
    const manager = new DefaultLinkManager({ store: new MemoryLinkStore(), maxLinksPerUser: 1000 });
    await seed(manager, 'mallory', 80, longDescription);
    const seen: string[] = [];
    const pageSizes: number[] = [];
    let token = '';
    do {
      const page = await manager.getLinks({ username: 'mallory', descriptionRegex: heaviestAllowed, limit: 100, startToken: token });
      seen.push(...page.links.map((l) => l.url));
      pageSizes.push(page.links.length);
      token = page.nextPageToken;
    } while (token);
    // 80 links × 64 instructions × 8,192 characters is more work than one request may do.
    assert.ok(pageSizes.length >= 2, `pages: ${pageSizes.join(', ')}`);
    assert.ok(pageSizes[0]! < 80);
    assert.deepEqual(seen, Array.from({ length: 80 }, (_, i) => `https://e.com/mallory/${80 - i}`));
  });

  for (const [name, budget] of [['work', { work: 1 }], ['time', { ms: 0 }]] as const) {
    test(`a ${name} budget too small for one link still examines a link per request, so paging always progresses`, async () => {
      const manager = new DefaultLinkManager({ store: new MemoryLinkStore(), maxLinksPerUser: 1000, regexBudget: budget });
      await seed(manager, 'alice', 3, (i) => `d${i}`);
      const first = await manager.getLinks({ username: 'alice', descriptionRegex: 'd' });
      assert.deepEqual(first.links.map((l) => l.url), ['https://e.com/alice/3']);
      const second = await manager.getLinks({ username: 'alice', descriptionRegex: 'd', startToken: first.nextPageToken });
      assert.deepEqual(second.links.map((l) => l.url), ['https://e.com/alice/2']);
    });
  }
});

describe('a regex attack on link-service over HTTP', () => {
  let server: FastifyInstance;
  let base: string;
  const token = 'gateway-token-0123456789';

  before(async () => {
    const manager = new DefaultLinkManager({ store: new MemoryLinkStore(), maxLinksPerUser: 1000 });
    server = createServiceServer({
      service: 'link-service',
      logger: createLogger('link-service-test').child({}, { level: 'silent' }),
      metrics: new ServiceMetrics('link-service'),
      mutualAuth: mutualAuthFromTokens('link-service', { 'api-gateway': token }),
    });
    registerLinkRoutes(server, manager);
    base = await listen(server, '127.0.0.1', 0);
    await seed(manager, 'mallory', 50, longDescription);
    await seed(manager, 'bob', 20, (i) => `bob's link ${i}`);
  });
  after(() => server.close());

  async function get(path: string): Promise<{ status: number; body: Record<string, unknown>; ms: number }> {
    const started = performance.now();
    const response = await fetch(`${base}${path}`, { headers: { 'delinkcious-caller-token': token } });
    const body = (await response.json()) as Record<string, unknown>;
    return { status: response.status, body, ms: performance.now() - started };
  }

  const attack = (pattern: string, extra = '') =>
    get(`/links?username=mallory&limit=100&description_regex=${encodeURIComponent(pattern)}${extra}`);

  for (const [name, pattern] of [
    ['.{1000} × 4', fourThousand],
    ['.{1000} × 36', thirtySixThousand],
    ['\\pL{1000} × 25', '\\pL{1000}'.repeat(25)],
  ] as const) {
    test(`description_regex ${name} is refused with a 400 naming the field, at once`, async () => {
      const answer = await attack(pattern);
      assert.equal(answer.status, 400);
      assert.match(String(answer.body.err), /^description_regex is too complex: .*at most 64 are allowed/);
      assert.ok(answer.ms < 10_000, `a guard against a hang: answered in ${Math.round(answer.ms)} ms`);
    });
  }

  test('the heaviest allowed filters on every field: /healthz and another user are served meanwhile', async () => {
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const probe = async (count: number) => {
      const health: number[] = [];
      const bob: number[] = [];
      for (let i = 0; i < count; i++) {
        const [h, b] = await Promise.all([get('/healthz'), get('/links?username=bob&limit=20')]);
        assert.equal(h.status, 200);
        assert.equal(b.status, 200);
        assert.equal((b.body.links as unknown[]).length, 20);
        health.push(h.ms);
        bob.push(b.ms);
      }
      return { health, bob };
    };
    await probe(5); // warm up
    const quiet = await probe(20);
    // One slice on this machine now: the heaviest allowed match of the longest description.
    const heaviest = compilePattern(heaviestAllowed, 'description_regex', limits.descriptionLength)!;
    const sliceMs = median(
      Array.from({ length: 5 }, (_, i) => {
        const started = performance.now();
        heaviest.test(longDescription(i));
        return performance.now() - started;
      }),
    );

    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    let attacking = true;
    const heavy = Promise.all([
      attack(heaviestAllowed),
      attack(heaviestAllowed, `&url_regex=${encodeURIComponent('(?s).{253}$')}&title_regex=${encodeURIComponent('(?s).{1000}')}`),
      attack(fourThousand),
    ]).finally(() => (attacking = false));
    const during = { health: [] as number[], bob: [] as number[] };
    while (attacking) {
      const sample = await probe(1);
      during.health.push(...sample.health);
      during.bob.push(...sample.bob);
    }
    const [full, allFields, refused] = await heavy;
    await new Promise((resolve) => setTimeout(resolve, 30)); // the monitor records a block at its next tick
    delay.disable();

    assert.equal(full.status, 200);
    // Every description matches, but 50 of them are more work than one request may do: a short page and a token.
    const firstPage = (full.body.links as Array<{ Url: string }>).map((l) => l.Url);
    assert.ok(firstPage.length > 0 && firstPage.length < 50, `first page: ${firstPage.length}`);
    assert.notEqual(full.body.next_page_token, '');
    assert.equal(allFields.status, 200);
    assert.equal(refused.status, 400);
    const maxDelayMs = delay.max / 1e6;
    const ratios = { health: median(during.health) / median(quiet.health), bob: median(during.bob) / median(quiet.bob) };
    console.log(
      `one slice ${sliceMs.toFixed(1)} ms; attack ${Math.round(full.ms)} ms; event-loop delay max ${maxDelayMs.toFixed(1)} ms, mean ${(delay.mean / 1e6).toFixed(1)} ms; ` +
        `${during.health.length} probes during it; median /healthz ${median(quiet.health).toFixed(1)} → ${median(during.health).toFixed(1)} ms (×${ratios.health.toFixed(1)}), ` +
        `bob's GET /links ${median(quiet.bob).toFixed(1)} → ${median(during.bob).toFixed(1)} ms (×${ratios.bob.toFixed(1)})`,
    );
    assert.ok(during.health.length >= 3, `only ${during.health.length} probes were answered during the attack`);
    // Generous, as the machine may be busy with other work (a few slices, or 300 ms): blocked for the
    // whole attack, the loop would stall for ≥ 50 slices (2,970 ms when measured so).
    const bound = Math.max(300, 8 * sliceMs);
    assert.ok(maxDelayMs < bound, `the event loop was blocked for ${maxDelayMs.toFixed(0)} ms (bound ${bound.toFixed(0)} ms)`);
    assert.ok(ratios.health < 50 && ratios.bob < 50, `latency ratios during the attack: ${JSON.stringify(ratios)}`);

    const seen = [...firstPage];
    for (let next = String(full.body.next_page_token); next; ) {
      const page = await attack(heaviestAllowed, `&start_token=${next}`);
      assert.equal(page.status, 200);
      seen.push(...(page.body.links as Array<{ Url: string }>).map((l) => l.Url));
      next = String(page.body.next_page_token ?? '');
    }
    assert.deepEqual(seen, Array.from({ length: 50 }, (_, i) => `https://e.com/mallory/${50 - i}`), 'none lost, none repeated');
  });
});
