import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConflictError, NotFoundError, TransientError, UnavailableError, ValidationError } from '@delinkcious/object-model';
import { ServiceBreaker, isOutage } from '../src/index.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A downstream that fails as an outage until `recover()`, answering after `latencyMs`. */
function downstream(latencyMs: number) {
  let healthy = false;
  let calls = 0;
  return {
    recover: () => void (healthy = true),
    calls: () => calls,
    async call(n: number): Promise<number> {
      calls++;
      await sleep(latencyMs);
      if (!healthy) throw new TransientError('downstream is unavailable (unreachable)');
      return n;
    },
  };
}

async function openBreaker(breaker: ServiceBreaker<[number], number>, attempts = 5): Promise<void> {
  for (let i = 0; i < attempts; i++) await breaker.fire(i).catch(() => undefined);
  await assert.rejects(breaker.fire(-1), /failing fast/);
}

test('only outages count: 50 refused requests of each kind leave the circuit closed', async () => {
  const refusals = [
    new ValidationError('title must not contain control characters'),
    new NotFoundError('no such link'),
    new ConflictError('already exists'),
    new TypeError('a malformed request built on this side'),
  ];
  for (const refusal of refusals) {
    let calls = 0;
    const breaker = new ServiceBreaker('link-service', async () => {
      calls++;
      throw refusal;
    }, { volumeThreshold: 3 });
    for (let i = 0; i < 50; i++) await assert.rejects(breaker.fire(), (error: Error) => error === refusal);
    assert.equal(calls, 50, `every call reached the service after ${refusal.name}s: the circuit stayed closed`);
    breaker.close();
  }
});

test('outages do count: 5xx answers, timeouts and refused connections open the circuit', async () => {
  assert.equal(isOutage(new UnavailableError('link-service failed: internal error')), true);
  assert.equal(isOutage(new TransientError('link-service is unavailable (no answer within 5000 ms)')), true);
  assert.equal(isOutage(new ValidationError('bad')), false);
  const service = downstream(0);
  const breaker = new ServiceBreaker('link-service', (n: number) => service.call(n), { volumeThreshold: 3, resetTimeoutMs: 60_000 });
  await openBreaker(breaker, 3);
  assert.equal(service.calls(), 3, 'the open circuit did not call the service');
  breaker.close();
});

test('after the reset timeout a burst of concurrent calls to a recovered service all succeed', async () => {
  const service = downstream(50);
  const breaker = new ServiceBreaker('link-service', (n: number) => service.call(n), { volumeThreshold: 3, resetTimeoutMs: 200 });
  await openBreaker(breaker);
  service.recover();
  await sleep(300); // half-open now

  const burst = 40;
  const results = await Promise.allSettled(Array.from({ length: burst }, (_, i) => breaker.fire(i)));
  const rejected = results.filter((result) => result.status === 'rejected');
  assert.deepEqual(rejected, [], 'no call of the burst was refused');
  assert.deepEqual(
    results.map((result) => (result.status === 'fulfilled' ? result.value : undefined)),
    Array.from({ length: burst }, (_, i) => i),
  );
  breaker.close();
});

test('when the half-open trial fails, the calls that waited for it fail fast without reaching the service', async () => {
  const service = downstream(50);
  const breaker = new ServiceBreaker('link-service', (n: number) => service.call(n), { volumeThreshold: 3, resetTimeoutMs: 200 });
  await openBreaker(breaker);
  await sleep(300); // half-open, still failing
  const before = service.calls();

  const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => breaker.fire(i)));
  assert.equal(service.calls() - before, 1, 'only the trial reached the service');
  const reasons = results.map((result) => (result.status === 'rejected' ? (result.reason as Error) : undefined));
  assert.ok(reasons[0] instanceof TransientError, 'the trial itself fails with the outage');
  for (const reason of reasons.slice(1)) {
    assert.ok(reason instanceof UnavailableError && /failing fast/.test(reason.message), String(reason));
  }
  breaker.close();
});

test('a call waiting for a trial that never ends gives up after trialWaitMs', async () => {
  let release: () => void = () => undefined;
  let failing = true;
  const breaker = new ServiceBreaker(
    'link-service',
    async () => {
      if (failing) throw new TransientError('unreachable');
      await new Promise<void>((resolve) => (release = resolve));
    },
    { volumeThreshold: 3, resetTimeoutMs: 100, trialWaitMs: 100 },
  );
  for (let i = 0; i < 3; i++) await breaker.fire().catch(() => undefined);
  failing = false;
  await sleep(150);
  const trial = breaker.fire();
  await assert.rejects(breaker.fire(), /failing fast/);
  release();
  await trial;
  breaker.close();
});
