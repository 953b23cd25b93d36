/** SharedResolver: one lookup per host for every check of it, answers reused briefly, lookups bounded and dropped when unwanted. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkUrl } from '../src/check-url.ts';
import { SharedResolver } from '../src/shared-resolver.ts';
import { createAddressPolicy, resolveAllowed, type ResolvedAddress } from '../src/ssrf-guard.ts';
import { startTestSite, type TestSite } from './support/sites.ts';

/** A lookup the test answers by hand: each call waits until answered or failed. */
class ManualLookup {
  readonly calls: string[] = [];
  private readonly pending = new Map<string, Array<{ resolve: (a: ResolvedAddress[]) => void; reject: (e: Error) => void }>>();
  running = 0;
  maxRunning = 0;

  readonly lookup = (hostname: string): Promise<ResolvedAddress[]> => {
    this.calls.push(hostname);
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    return new Promise((resolve, reject) => {
      const list = this.pending.get(hostname) ?? [];
      list.push({ resolve, reject });
      this.pending.set(hostname, list);
    });
  };

  answer(hostname: string, address = '93.184.216.34'): void {
    this.settle(hostname, (waiter) => waiter.resolve([{ address, family: 4 }]));
  }

  fail(hostname: string, code = 'ENOTFOUND'): void {
    this.settle(hostname, (waiter) => waiter.reject(Object.assign(new Error(`getaddrinfo ${code} ${hostname}`), { code })));
  }

  private settle(hostname: string, how: (waiter: { resolve: (a: ResolvedAddress[]) => void; reject: (e: Error) => void }) => void): void {
    const waiter = this.pending.get(hostname)?.shift();
    assert.ok(waiter, `a lookup of ${hostname} is running`);
    this.running--;
    how(waiter);
  }
}

/** Lets queued promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('SharedResolver', () => {
  test('every check of a host at the same moment shares one lookup and its answer', async () => {
    const dns = new ManualLookup();
    const resolver = new SharedResolver({ lookup: dns.lookup });
    const answers = Array.from({ length: 100 }, () => resolver.resolve('burst.example'));
    await settle();
    dns.answer('burst.example', '93.184.216.34');
    for (const answer of await Promise.all(answers)) assert.deepEqual(answer, [{ address: '93.184.216.34', family: 4 }]);
    assert.deepEqual(dns.calls, ['burst.example']);
  });

  test('an answer is reused until its time is up, then looked up again', async () => {
    let now = 0;
    const dns = new ManualLookup();
    const resolver = new SharedResolver({ lookup: dns.lookup, answerTtlMs: 30_000, now: () => now });
    const first = resolver.resolve('site.example');
    await settle();
    dns.answer('site.example', '93.184.216.34');
    await first;
    now = 29_999;
    assert.deepEqual(await resolver.resolve('site.example'), [{ address: '93.184.216.34', family: 4 }]);
    assert.equal(dns.calls.length, 1);
    now = 30_000;
    const again = resolver.resolve('site.example');
    await settle();
    dns.answer('site.example', '93.184.216.35');
    assert.deepEqual(await again, [{ address: '93.184.216.35', family: 4 }], 'the new answer, not the old one');
    assert.equal(dns.calls.length, 2);
  });

  test('a failure is reused for its own, shorter time, and keeps its code (the check reads "DNS failure")', async () => {
    let now = 0;
    const dns = new ManualLookup();
    const resolver = new SharedResolver({ lookup: dns.lookup, failureTtlMs: 5_000, now: () => now });
    const policy = createAddressPolicy({ allowPrivateNetworks: false });
    const first = resolveAllowed('gone.example', resolver.resolve, policy);
    await settle();
    dns.fail('gone.example', 'ENOTFOUND');
    await assert.rejects(first, { name: 'HostRefusedError', reason: 'DNS failure' });
    now = 4_999;
    await assert.rejects(resolveAllowed('gone.example', resolver.resolve, policy), { reason: 'DNS failure' });
    assert.equal(dns.calls.length, 1);
    now = 5_000;
    const again = resolver.resolve('gone.example');
    await settle();
    dns.answer('gone.example');
    await again;
    assert.equal(dns.calls.length, 2, 'looked up again once the failure expired');
  });

  test('at most `concurrency` lookups run at once; the next starts as one ends', async () => {
    const dns = new ManualLookup();
    const resolver = new SharedResolver({ lookup: dns.lookup, concurrency: 2 });
    const hosts = ['a.example', 'b.example', 'c.example', 'd.example'];
    const answers = hosts.map((host) => resolver.resolve(host));
    await settle();
    assert.deepEqual(dns.calls, ['a.example', 'b.example']);
    dns.fail('a.example');
    await settle();
    assert.deepEqual(dns.calls, ['a.example', 'b.example', 'c.example']);
    dns.answer('b.example');
    dns.answer('c.example');
    await settle();
    dns.answer('d.example');
    await Promise.allSettled(answers);
    assert.equal(dns.maxRunning, 2);
    assert.deepEqual(dns.calls, hosts);
  });

  test('a queued lookup is dropped unstarted once every check waiting for it gave up; one still wanted runs', async () => {
    const dns = new ManualLookup();
    const resolver = new SharedResolver({ lookup: dns.lookup, concurrency: 1 });
    const busy = resolver.resolve('slow.example');
    const givingUp = [new AbortController(), new AbortController()];
    const abandoned = givingUp.map((controller) => resolver.resolve('abandoned.example', controller.signal));
    const stillWanted = new AbortController();
    const wanted = [resolver.resolve('wanted.example', stillWanted.signal), resolver.resolve('wanted.example', new AbortController().signal)];
    givingUp[0]!.abort();
    await settle();
    assert.equal(resolver.size, 3, 'one of two callers left: still queued');
    givingUp[1]!.abort();
    for (const answer of abandoned) await assert.rejects(answer, { name: 'AbortError' });
    assert.equal(resolver.size, 2, 'the abandoned lookup is forgotten');
    stillWanted.abort(); // the other caller of wanted.example still waits
    dns.answer('slow.example');
    await busy;
    await settle();
    dns.answer('wanted.example');
    await Promise.all(wanted);
    assert.deepEqual(dns.calls, ['slow.example', 'wanted.example'], 'abandoned.example was never looked up');
    // Asked again later, a dropped host is looked up as new.
    const later = resolver.resolve('abandoned.example');
    await settle();
    dns.answer('abandoned.example');
    await later;
    assert.deepEqual(dns.calls.at(-1), 'abandoned.example');
  });

  test('a lookup that started runs to its end and is reused, even when its caller gave up', async () => {
    const dns = new ManualLookup();
    const resolver = new SharedResolver({ lookup: dns.lookup });
    const controller = new AbortController();
    const first = resolver.resolve('started.example', controller.signal);
    await settle();
    controller.abort();
    dns.answer('started.example');
    await first;
    await resolver.resolve('started.example');
    assert.equal(dns.calls.length, 1);
  });

  test('remembers at most maxHosts settled hosts, the least recently asked forgotten first', async () => {
    const dns = new ManualLookup();
    const resolver = new SharedResolver({ lookup: dns.lookup, maxHosts: 2 });
    const ask = async (host: string) => {
      const answer = resolver.resolve(host);
      await settle();
      if (dns.running > 0) dns.answer(host);
      return answer;
    };
    await ask('one.example');
    await ask('two.example');
    await ask('one.example'); // one.example is now the most recently asked
    await ask('three.example');
    assert.equal(resolver.size, 2);
    await ask('one.example');
    assert.deepEqual(dns.calls, ['one.example', 'two.example', 'three.example']);
    await ask('two.example');
    assert.deepEqual(dns.calls.at(-1), 'two.example', 'two.example was forgotten');
  });
});

describe('checks of one host through the shared resolver', () => {
  let site: TestSite;
  before(async () => {
    site = await startTestSite();
  });
  after(() => site?.close());

  test('200 checks of one site at once: one lookup, every check answered by the site', async () => {
    const lookups: string[] = [];
    const resolver = new SharedResolver({
      lookup: async (hostname) => {
        lookups.push(hostname);
        await new Promise((resolve) => setTimeout(resolve, 20));
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    const options = { timeoutMs: 5000, resolver: resolver.resolve, policy: createAddressPolicy({ allowPrivateNetworks: true }) };
    const results = await Promise.all(Array.from({ length: 200 }, () => checkUrl(`http://burst.test:${site.port}/ok`, options)));
    assert.deepEqual(new Set(results.map((result) => `${result.status} ${result.httpStatus}`)), new Set(['valid 200']));
    assert.deepEqual(lookups, ['burst.test']);
  });

  test('a check whose deadline passes while its lookup waits in the queue times out, and that lookup never runs', async () => {
    const lookups: string[] = [];
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const resolver = new SharedResolver({
      concurrency: 1,
      lookup: async (hostname) => {
        lookups.push(hostname);
        await blocked;
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    const options = { resolver: resolver.resolve, policy: createAddressPolicy({ allowPrivateNetworks: true }) };
    const slow = checkUrl(`http://first.test:${site.port}/ok`, { ...options, timeoutMs: 5000 });
    assert.deepEqual(await checkUrl(`http://second.test:${site.port}/ok`, { ...options, timeoutMs: 50 }), { status: 'invalid', httpStatus: 0, error: 'timeout' });
    release();
    assert.deepEqual(await slow, { status: 'valid', httpStatus: 200, error: '' });
    assert.deepEqual(lookups, ['first.test']);
  });
});
