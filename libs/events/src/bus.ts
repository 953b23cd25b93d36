/**
 * The event bus (docs/design.md §4): at-least-once delivery with explicit
 * acknowledgement. A handler that resolves acknowledges its message; one that
 * throws gets it again later, with backoff. Subscribers sharing a group share
 * the messages (each is handled by one of them), as replicas of one consumer
 * service do. Publishing is deduplicated by event id, and consumers are
 * idempotent by event id, so redelivery and duplicates change nothing.
 */
import { childSpan, parseTraceparent, runInTrace } from '@delinkcious/kit';

export interface BusEvent {
  id: string;
}

export interface BusMessage<T> {
  subject: string;
  data: T;
  /** Trace context and other metadata (W3C `traceparent`). */
  headers: Record<string, string>;
  /** 1 on the first delivery. */
  deliveryCount: number;
}

export type Handler<T> = (message: BusMessage<T>) => Promise<void>;

export interface SubscribeOptions {
  /** The durable consumer group, e.g. `news-service`. */
  group: string;
  /** Exact subjects, or NATS wildcards (`link.*`). */
  subjects: string[];
}

export interface Subscription {
  close(): Promise<void>;
}

export interface Bus {
  readonly kind: 'nats' | 'in-process';
  publish(subject: string, event: BusEvent, headers?: Record<string, string>): Promise<void>;
  subscribe<T>(options: SubscribeOptions, handler: Handler<T>): Promise<Subscription>;
  /** Throws when the bus cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Runs a handler inside the trace its message carries, so its logs and calls continue that trace. */
export function inMessageTrace<T>(headers: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  return runInTrace(childSpan(parseTraceparent(headers.traceparent)), fn);
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
