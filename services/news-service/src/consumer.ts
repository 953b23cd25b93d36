/**
 * The link-event consumer: the bus delivers at least once to the group
 * `news-service` (replicas share it); the manager makes a repeat harmless.
 * A failure throws, so the bus redelivers with backoff; an unusable event is
 * logged and acknowledged, never redelivered forever.
 */
import { Histogram } from 'prom-client';
import { subjects as busSubjects, type Bus, type Subscription } from '@delinkcious/events';
import type { Logger, ServiceMetrics } from '@delinkcious/kit';
import type { DefaultNewsManager } from './manager.ts';

export const consumerGroup = 'news-service';
export const linkSubjects = [busSubjects.linkAdded, busSubjects.linkUpdated, busSubjects.linkDeleted];

export interface NewsConsumerOptions {
  bus: Bus;
  manager: DefaultNewsManager;
  metrics: ServiceMetrics;
  logger: Logger;
  group?: string;
  /** The subjects to consume; tests use prefixed ones. */
  subjects?: string[];
  pendingIntervalMs?: number;
}

function fanOutHistogram(metrics: ServiceMetrics): Histogram {
  const name = 'news_fanout_duration_seconds';
  return (
    (metrics.registry.getSingleMetric(name) as Histogram | undefined) ??
    new Histogram({
      name,
      help: 'Time to add one link event to every follower feed',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [metrics.registry],
    })
  );
}

export async function startNewsConsumer(options: NewsConsumerOptions): Promise<Subscription> {
  const { bus, manager, metrics, logger } = options;
  const group = options.group ?? consumerGroup;
  const fanOut = fanOutHistogram(metrics);

  const subscription = await bus.subscribe<unknown>({ group, subjects: options.subjects ?? linkSubjects }, async ({ subject, data, deliveryCount }) => {
    const started = performance.now();
    try {
      const result = await manager.handleLinkEvent(data);
      metrics.eventsConsumed.inc({ subject, result: result.status });
      if (result.status === 'ok') fanOut.observe((performance.now() - started) / 1000);
      if (result.status === 'invalid') logger.error({ subject, reason: result.reason }, 'unusable link event dropped');
    } catch (error) {
      metrics.eventsConsumed.inc({ subject, result: 'failed' });
      logger.warn({ subject, deliveryCount, err: error instanceof Error ? error.message : String(error) }, 'fan-out failed; the event will be redelivered');
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
    async close() {
      if (timer) clearInterval(timer);
      await subscription.close();
    },
  };
}
