/**
 * Prometheus metrics. Each service has its own registry (labelled with its name,
 * so services sharing the embedded process keep separate /metrics); process-wide
 * metrics (CPU, memory, event loop) are collected once and served by every one.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

let processRegistry: Registry | undefined;

function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly eventsPublished: Counter<'subject'>;
  readonly eventsPublishFailed: Counter<'subject'>;
  readonly eventsConsumed: Counter<'subject' | 'result'>;
  readonly outboxBacklog: Gauge;
  readonly consumerPending: Gauge<'group'>;

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    this.httpRequests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests served, by route template, method and status',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency, by route template, method and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    const registers = [this.registry];
    this.eventsPublished = new Counter({ name: 'events_published_total', help: 'Events published, by subject', labelNames: ['subject'], registers });
    this.eventsPublishFailed = new Counter({
      name: 'events_publish_failed_total',
      help: 'Event publishes that failed (they stay in the outbox and are retried), by subject',
      labelNames: ['subject'],
      registers,
    });
    this.eventsConsumed = new Counter({
      name: 'events_consumed_total',
      help: 'Events handled, by subject and result (ok, failed: redelivered later)',
      labelNames: ['subject', 'result'],
      registers,
    });
    this.outboxBacklog = new Gauge({ name: 'outbox_backlog', help: 'Events written but not yet published', registers });
    this.consumerPending = new Gauge({
      name: 'events_consumer_pending',
      help: 'Events waiting for (or being handled by) a consumer group',
      labelNames: ['group'],
      registers,
    });
  }

  /** A counter of the service's own, in its registry. */
  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  /** A histogram of the service's own (seconds), in its registry. */
  histogram<L extends string>(name: string, help: string, labelNames: readonly L[] = [], buckets?: number[]): Histogram<L> {
    return new Histogram({ name, help, labelNames, registers: [this.registry], ...(buckets ? { buckets } : {}) });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  async render(): Promise<string> {
    const [own, shared] = await Promise.all([this.registry.metrics(), processMetrics().metrics()]);
    return `${own}\n${shared}`;
  }
}
