import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UnavailableError } from '@delinkcious/object-model';
import { InProcessBus, subjectMatches, type BusMessage } from '../src/index.ts';

test('subject patterns match as in NATS', () => {
  assert.ok(subjectMatches('link.added', 'link.added'));
  assert.ok(subjectMatches('link.*', 'link.checked'));
  assert.ok(subjectMatches('link.>', 'link.a.b'));
  assert.ok(!subjectMatches('link.*', 'link.a.b'));
  assert.ok(!subjectMatches('link.added', 'link.deleted'));
  assert.ok(!subjectMatches('link.>', 'link'));
});

test('each group gets every event once; replicas in one group share them', async () => {
  const bus = new InProcessBus();
  const news: string[][] = [[], []];
  const audit: string[] = [];
  await bus.subscribe<{ id: string }>({ group: 'news', subjects: ['link.*'] }, async (m) => void news[0]!.push(m.data.id));
  await bus.subscribe<{ id: string }>({ group: 'news', subjects: ['link.*'] }, async (m) => void news[1]!.push(m.data.id));
  await bus.subscribe<{ id: string }>({ group: 'audit', subjects: ['link.added'] }, async (m) => void audit.push(m.data.id));
  for (let i = 0; i < 6; i++) await bus.publish(i % 2 ? 'link.added' : 'link.deleted', { id: `e${i}` });
  assert.deepEqual([...news[0]!, ...news[1]!].sort(), ['e0', 'e1', 'e2', 'e3', 'e4', 'e5']);
  assert.ok(news[0]!.length > 0 && news[1]!.length > 0, 'both replicas worked');
  assert.deepEqual(audit, ['e1', 'e3', 'e5']);
});

test('a failing handler gets the message again with a higher delivery count, then publish resolves', async () => {
  const bus = new InProcessBus();
  const seen: Array<BusMessage<{ id: string }>> = [];
  await bus.subscribe<{ id: string }>({ group: 'g', subjects: ['s'] }, async (message) => {
    seen.push(message);
    if (message.deliveryCount < 2) throw new Error('transient');
  });
  await bus.publish('s', { id: 'x' }, { traceparent: '00-abc-def-01' });
  assert.deepEqual(seen.map((m) => m.deliveryCount), [1, 2]);
  assert.equal(seen[1]?.headers.traceparent, '00-abc-def-01');
});

test('a handler that keeps failing makes publish reject, so the outbox keeps the event', async () => {
  const bus = new InProcessBus({ maxDeliveries: 2 });
  await bus.subscribe({ group: 'g', subjects: ['s'] }, async () => {
    throw new Error('down');
  });
  await assert.rejects(bus.publish('s', { id: 'x' }), /down/);
});

test('no consumer yet is UnavailableError; a duplicate id is delivered once', async () => {
  const bus = new InProcessBus();
  await assert.rejects(bus.publish('s', { id: 'early' }), UnavailableError);
  const got: string[] = [];
  await bus.subscribe<{ id: string }>({ group: 'g', subjects: ['s'] }, async (m) => void got.push(m.data.id));
  await bus.publish('s', { id: 'a' });
  await bus.publish('s', { id: 'a' });
  await bus.publish('s', { id: 'early' });
  assert.deepEqual(got, ['a', 'early']);
});

test('the ids of a burst are forgotten once past the window, with no publish after them', async () => {
  const bus = new InProcessBus({ dedupeWindowMs: 40 });
  const got: string[] = [];
  await bus.subscribe<{ id: string }>({ group: 'g', subjects: ['s'] }, async (m) => void got.push(m.data.id));
  for (const id of ['a', 'b', 'c']) await bus.publish('s', { id });
  assert.equal(bus.remembered, 3);
  await bus.publish('s', { id: 'a' });
  assert.deepEqual(got, ['a', 'b', 'c'], 'within the window a duplicate is dropped');
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.equal(bus.remembered, 0, 'forgotten with no publish to prune them');
  await bus.publish('s', { id: 'a' });
  assert.deepEqual(got, ['a', 'b', 'c', 'a'], 'past the window the id is new again, as on JetStream');
  await bus.close();
});

test('handlers get a copy: changing it does not change the publisher’s object', async () => {
  const bus = new InProcessBus();
  await bus.subscribe<{ id: string; tags: string[] }>({ group: 'g', subjects: ['s'] }, async (m) => void m.data.tags.push('mutated'));
  const event = { id: 'c', tags: ['a'] };
  await bus.publish('s', event);
  assert.deepEqual(event.tags, ['a']);
});

test('a handler runs in the trace its message carries', async () => {
  const { currentTrace } = await import('@delinkcious/kit');
  const bus = new InProcessBus();
  let seen: string | undefined;
  await bus.subscribe({ group: 'g', subjects: ['s'] }, async () => void (seen = currentTrace()?.traceId));
  await bus.publish('s', { id: 't1' }, { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
  assert.equal(seen, '4bf92f3577b34da6a3ce929d0e0e4736');
});
