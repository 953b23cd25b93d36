/**
 * W3C trace context (`traceparent`), carried through a request's async work
 * with AsyncLocalStorage: a service continues the caller's trace (or starts
 * one), logs its trace id, and passes it on in HTTP headers and event headers.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

export interface TraceContext {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

const storage = new AsyncLocalStorage<TraceContext>();
const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function parseTraceparent(header: string | undefined): TraceContext | undefined {
  const match = header ? traceparentPattern.exec(header.trim().toLowerCase()) : null;
  if (!match || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return undefined;
  return { traceId: match[1]!, spanId: match[2]!, sampled: (parseInt(match[3]!, 16) & 1) === 1 };
}

function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.spanId}-${context.sampled ? '01' : '00'}`;
}

// randomUUID draws from a cached pool of entropy: far cheaper per request than randomBytes.
const randomHex = (length: 16 | 32) => randomUUID().replace(/-/g, '').slice(0, length);

/** A span of this service: the parent's trace with a new span id, or a new trace. */
export function childSpan(parent: TraceContext | undefined): TraceContext {
  return {
    traceId: parent?.traceId ?? randomHex(32),
    spanId: randomHex(16),
    sampled: parent?.sampled ?? true,
  };
}

export function currentTrace(): TraceContext | undefined {
  return storage.getStore();
}

export function runInTrace<T>(context: TraceContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** Headers that carry the current trace to the next hop (empty outside a trace). */
export function traceHeaders(): Record<string, string> {
  const current = currentTrace();
  return current ? { traceparent: formatTraceparent(childSpan(current)) } : {};
}
