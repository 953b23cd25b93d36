/**
 * The bus of the embedded process. Same semantics as JetStream, without a
 * server: publish resolves only once every group has handled the message
 * (retrying with backoff), and rejects when a group keeps failing or no group
 * listens yet. The durable part is the publisher's outbox: an event whose
 * publish rejected stays there and is published again, so nothing is lost
 * across restarts, and consumers dedupe by event id.
 */
import { copyData } from '@delinkcious/kit';
import { UnavailableError } from '@delinkcious/object-model';
import { inMessageTrace, publishInTrace, redeliveryDelayMs, subjectMatches, type Bus, type BusEvent, type Handler, type SubscribeOptions, type Subscription } from './bus.ts';

interface Group {
  subjects: string[];
  handlers: Handler<unknown>[];
  next: number;
}

export interface InProcessBusOptions {
  /** Deliveries per group before publish gives up (the outbox retries later). */
  maxDeliveries?: number;
  /** How long a published id is remembered for deduplication. */
  dedupeWindowMs?: number;
}

export class InProcessBus implements Bus {
  readonly kind = 'in-process';
  private readonly groups = new Map<string, Group>();
  private readonly recent = new Map<string, number>();
  private readonly maxDeliveries: number;
  private readonly dedupeWindowMs: number;
  /** Forgets the ids past the window when no publish comes to do it (after a burst, say). */
  private forgetting: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: InProcessBusOptions = {}) {
    this.maxDeliveries = options.maxDeliveries ?? 4;
    this.dedupeWindowMs = options.dedupeWindowMs ?? 120_000;
  }

  async publish(subject: string, event: BusEvent, headers: Record<string, string> = {}): Promise<void> {
    if (this.closed) throw new UnavailableError('the event bus is closed');
    this.forgetOld();
    if (this.recent.has(event.id)) return;
    const targets = [...this.groups.values()].filter(
      (group) => group.handlers.length > 0 && group.subjects.some((pattern) => subjectMatches(pattern, subject)),
    );
    if (targets.length === 0) throw new UnavailableError(`no consumer listens to ${subject} yet`);
    // A copy, as a message over the wire would be: handlers cannot share objects with the publisher.
    const data = copyData(event);
    await publishInTrace('in-process', subject, headers, (traced) => Promise.all(targets.map((group) => this.deliver(group, subject, data, traced))));
    this.recent.set(event.id, Date.now());
    this.forgetting ??= setTimeout(() => this.forgetLater(), this.dedupeWindowMs).unref();
  }

  /** Event ids remembered for deduplication: those published within the window. */
  get remembered(): number {
    return this.recent.size;
  }

  async subscribe<T>(options: SubscribeOptions, handler: Handler<T>): Promise<Subscription> {
    const group = this.groups.get(options.group) ?? { subjects: options.subjects, handlers: [], next: 0 };
    group.handlers.push(handler as Handler<unknown>);
    this.groups.set(options.group, group);
    return {
      close: async () => {
        group.handlers = group.handlers.filter((h) => h !== handler);
      },
    };
  }

  async ping(): Promise<void> {
    if (this.closed) throw new UnavailableError('the event bus is closed');
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.forgetting);
  }

  private async deliver(group: Group, subject: string, data: unknown, headers: Record<string, string>): Promise<void> {
    for (let deliveryCount = 1; ; deliveryCount++) {
      if (group.handlers.length === 0) throw new UnavailableError(`no consumer listens to ${subject} any more`);
      const handler = group.handlers[group.next++ % group.handlers.length]!;
      try {
        await inMessageTrace('in-process', subject, headers, () => handler({ subject, data, headers: { ...headers }, deliveryCount }));
        return;
      } catch (error) {
        if (deliveryCount >= this.maxDeliveries) throw error;
        await new Promise((resolve) => setTimeout(resolve, redeliveryDelayMs(deliveryCount)));
      }
    }
  }

  /**
   * Without this, the ids of a burst stayed until the next publish: a minute of saves at full speed
   * (an import, say) held tens of thousands of them in a quiet process.
   */
  private forgetLater(): void {
    this.forgetOld();
    const oldest = this.recent.values().next();
    this.forgetting = oldest.done || this.closed ? undefined : setTimeout(() => this.forgetLater(), Math.max(1, oldest.value + this.dedupeWindowMs - Date.now())).unref();
  }

  private forgetOld(): void {
    const cutoff = Date.now() - this.dedupeWindowMs;
    for (const [id, at] of this.recent) {
      if (at >= cutoff) break; // insertion order is time order
      this.recent.delete(id);
    }
  }
}
