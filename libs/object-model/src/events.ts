/** Events that cross service boundaries (docs/design.md §4). */
import type { LinkStatus } from './link.ts';

export type LinkEventType = 'link.added' | 'link.updated' | 'link.deleted';

export interface LinkSnapshot {
  url: string;
  title: string;
  description: string;
  status: LinkStatus;
  tags: string[];
}

export interface LinkEvent {
  id: string;
  type: LinkEventType;
  /** Who made the change. */
  username: string;
  link: LinkSnapshot;
  /** Set on a link.updated that moved the link to another URL. */
  previousUrl?: string;
  /** RFC 3339. */
  timestamp: string;
}

export interface LinkCheckedEvent {
  id: string;
  type: 'link.checked';
  username: string;
  url: string;
  status: Exclude<LinkStatus, 'pending'>;
  http_status: number;
  error: string;
  checked_at: string;
  /** The page's metadata and the archive fallback (docs/design.md §17); absent from older checkers, '' when unknown. */
  title?: string;
  description?: string;
  canonical_url?: string;
  favicon_url?: string;
  archive_url?: string;
}

/**
 * The event bus's contract (docs/design.md §4): at-least-once delivery with
 * explicit acknowledgement. A handler that resolves acknowledges its message;
 * one that throws gets it again later, with backoff. Subscribers sharing a
 * group share the messages (each is handled by one of them), as replicas of one
 * consumer service do. Publishing is deduplicated by event id, and consumers
 * are idempotent by event id, so redelivery and duplicates change nothing.
 * The implementations live in libs/events; the contract lives here so that the
 * service runtime (libs/kit) can name it without depending on them.
 */
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
