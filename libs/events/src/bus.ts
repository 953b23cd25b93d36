/**
 * The event bus's helpers shared by its implementations (docs/design.md §4).
 * The Bus contract itself (at-least-once delivery, explicit acknowledgement,
 * groups) is in @delinkcious/object-model.
 */
import { inMessageSpan, inProducerSpan } from '@delinkcious/kit';

// The contract is object-model's; re-exported so users of the bus find it here too.
export type { Bus, BusEvent, BusMessage, Handler, SubscribeOptions, Subscription } from '@delinkcious/object-model';

/** Runs a handler inside the trace its message carries (a consumer span with tracing on), so its logs and calls continue that trace. */
export function inMessageTrace<T>(system: string, subject: string, headers: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  return inMessageSpan(`${subject} process`, headers, messagingAttributes(system, subject, 'process'), fn);
}

/** Publishes in a producer span (with tracing on): `send` gets the headers that make the consumer's span its child. */
export function publishInTrace<T>(
  system: string,
  subject: string,
  headers: Record<string, string>,
  send: (headers: Record<string, string>) => Promise<T>,
): Promise<T> {
  return inProducerSpan(`${subject} publish`, headers, messagingAttributes(system, subject, 'send'), send);
}

/** OpenTelemetry's messaging attributes. */
function messagingAttributes(system: string, subject: string, operation: 'send' | 'process') {
  return { 'messaging.system': system, 'messaging.destination.name': subject, 'messaging.operation.type': operation };
}

/** The subjects of docs/design.md §4. */
export const subjects = {
  linkAdded: 'link.added',
  linkUpdated: 'link.updated',
  linkDeleted: 'link.deleted',
  linkChecked: 'link.checked',
} as const;

/** NATS subject matching: `*` one token, `>` the rest. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}

/** Redelivery delay after `deliveryCount` failed attempts: 200 ms doubling, at most 30 s. */
export function redeliveryDelayMs(deliveryCount: number): number {
  return Math.min(30_000, 200 * 2 ** Math.max(0, deliveryCount - 1));
}

/** A bus that can tell whether a group's consumer is consuming (NATS JetStream can; for readiness). */
export interface ConsumerHealth {
  /** Throws UnavailableError unless every subscription of `group` in this process is consuming. */
  assertConsuming(group: string): Promise<void>;
}

export function hasConsumerHealth(bus: unknown): bus is ConsumerHealth {
  return typeof (bus as Partial<ConsumerHealth> | null)?.assertConsuming === 'function';
}

/** A bus whose store can be lost (NATS restarted without its volume), and says so. */
export interface StreamLossAware {
  /** `listener` learns since when published events may have been lost; answers how to stop listening. */
  onStreamReplaced(listener: (lostSince: Date) => void): () => void;
}

export function isStreamLossAware(bus: unknown): bus is StreamLossAware {
  return typeof (bus as Partial<StreamLossAware> | null)?.onStreamReplaced === 'function';
}
