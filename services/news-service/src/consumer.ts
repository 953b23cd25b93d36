/**
 * The link-event consumer: the bus delivers at least once to the group
 * `news-service` (replicas share it); the fan-out makes a repeat harmless.
 * A failure throws, so the bus redelivers with backoff; an unusable event is
 * logged and acknowledged, never redelivered forever.
 */
import { hasConsumerHealth, subjects as busSubjects, type Bus, type Subscription } from '@delinkcious/events';
import { inSpan, type Logger, type ServiceMetrics } from '@delinkcious/kit';
import type { LinkEventHandler } from './fanout.ts';

export const consumerGroup = 'news-service';
export const linkSubjects = [busSubjects.linkAdded, busSubjects.linkUpdated, busSubjects.linkDeleted];

export interface NewsConsumerOptions {
  bus: Bus;
  fanOut: LinkEventHandler;
  metrics: ServiceMetrics;
  logger: Logger;
  group?: string;
  /** The subjects to consume; tests use prefixed ones. */
  subjects?: string[];
  pendingIntervalMs?: number;
}

export interface NewsConsumer extends Subscription {
  /** Throws while the consumer cannot consume (for /readyz), where the bus can tell (NATS JetStream can). */
  assertConsuming(): Promise<void>;
}

export async function startNewsConsumer(options: NewsConsumerOptions): Promise<NewsConsumer> {
  const { bus, fanOut, metrics, logger } = options;
  const group = options.group ?? consumerGroup;
  const fanOutSeconds = metrics.histogram('news_fanout_duration_seconds', 'Time to add one link event to every follower feed', [], [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
  ]);

  const subscription = await bus.subscribe<unknown>({ group, subjects: options.subjects ?? linkSubjects }, async ({ subject, data, deliveryCount }) => {
    const started = performance.now();
    try {
      const result = await inSpan('news fan-out', {}, () => fanOut.handleLinkEvent(data));
      metrics.eventsConsumed.inc({ subject, result: result.status });
      if (result.status === 'ok') fanOutSeconds.observe((performance.now() - started) / 1000);
      if (result.status === 'invalid') logger.error({ subject, reason: result.reason }, 'unusable link event dropped');
    } catch (error) {
      metrics.eventsConsumed.inc({ subject, result: 'failed' });
      logger.warn({ subject, deliveryCount, err: error }, 'fan-out failed; the event will be redelivered');
      throw error;
    }
  });

  // Consumer lag, where the bus can tell it (NATS JetStream can).
  const pending = (bus as Partial<{ pending(group: string): Promise<number> }>).pending?.bind(bus);
  const timer = pending
    ? setInterval(() => {
        pending(group).then(
          (n) => metrics.consumerPending.set({ group }, n),
          () => undefined,
        );
      }, options.pendingIntervalMs ?? 5000)
    : undefined;
  timer?.unref();

  return {
    assertConsuming: async () => {
      if (hasConsumerHealth(bus)) await bus.assertConsuming(group);
    },
    async close() {
      if (timer) clearInterval(timer);
      await subscription.close();
    },
  };
}
