/**
 * news-service's /readyz with a bus that is reachable but whose consumer
 * cannot consume (NATS back without its store, the durable consumer not yet
 * re-created): not ready, and ready again once the consumer is.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InProcessBus, type ConsumerHealth } from '@delinkcious/events';
import { UnavailableError } from '@delinkcious/object-model';
import { startNews, startSocialGraph } from './support/news-harness.ts';

/** An in-process bus that answers ping but says whether its consumers consume, as the test sets. */
class BusWithConsumerHealth extends InProcessBus implements ConsumerHealth {
  consuming = true;
  readonly asked: string[] = [];
  async assertConsuming(group: string): Promise<void> {
    this.asked.push(group);
    if (!this.consuming) throw new UnavailableError(`the consumer ${group} is not consuming`);
  }
}

test('/readyz: 503 while the link-event consumer cannot consume although the bus answers, 200 once it consumes again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'news-readiness-'));
  const social = await startSocialGraph();
  const bus = new BusWithConsumerHealth();
  const news = await startNews({ env: { DATA_DIR: dir }, bus, socialGraphUrl: social.url });
  const readyz = async () => (await fetch(`${news.httpUrl}/readyz`)).status;
  try {
    assert.equal(await readyz(), 200);
    bus.consuming = false;
    await bus.ping();
    assert.equal(await readyz(), 503, 'the bus answers, but nothing is consumed');
    bus.consuming = true;
    assert.equal(await readyz(), 200);
    assert.ok(bus.asked.every((group) => group === 'news-service'));
  } finally {
    await news.lifecycle.close();
    await social.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
