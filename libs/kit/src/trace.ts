/**
 * W3C trace context (`traceparent`), carried through a request's async work:
 * a service continues the caller's trace (or starts one), logs its trace id,
 * and passes it on in HTTP headers, gRPC metadata and event headers.
 *
 * Two modes behind one set of functions. Without OpenTelemetry (the default),
 * a cheap AsyncLocalStorage of our own holds the context and nothing is
 * recorded. Once telemetry.ts has started the OpenTelemetry SDK it calls
 * useOpenTelemetry(): the context is then OpenTelemetry's (its instrumentation
 * opens the HTTP, gRPC, PostgreSQL and Redis spans), and inSpan(),
 * inMessageSpan() and inProducerSpan() record the spans no library makes (the
 * event bus hop, the outbox relay, the news fan-out, in-process calls).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomFillSync } from 'node:crypto';
// Types only: the API itself is handed over by the SDK's start-up, so nothing of it loads while tracing is off.
import type * as OpenTelemetryApi from '@opentelemetry/api';

export interface TraceContext {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

type Api = typeof OpenTelemetryApi;
export type SpanAttributes = Record<string, string | number | boolean>;

const storage = new AsyncLocalStorage<TraceContext>();
const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
/**
 * Where the SDK's start-up leaves the API: on globalThis, not in a variable of
 * this module, because the image's preload is bundled apart from the command
 * (cli/src/bundle.ts) and so has a copy of this module of its own.
 */
const apiSlot = Symbol.for('delinkcious.trace.opentelemetry-api');
const slots = globalThis as { [apiSlot]?: Api };

/** Called by telemetry-sdk.ts once the SDK runs: from then on the trace context and spans are OpenTelemetry's. */
export function useOpenTelemetry(api: Api | undefined): void {
  slots[apiSlot] = api;
}

/** Whether spans are recorded and exported (OpenTelemetry started). */
export function tracingEnabled(): boolean {
  return slots[apiSlot] !== undefined;
}

export function parseTraceparent(header: string | undefined): TraceContext | undefined {
  const match = header ? traceparentPattern.exec(header.trim().toLowerCase()) : null;
  if (!match || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return undefined;
  return { traceId: match[1]!, spanId: match[2]!, sampled: (parseInt(match[3]!, 16) & 1) === 1 };
}

function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.spanId}-${context.sampled ? '01' : '00'}`;
}

// Ids from a pool of random bytes refilled 4 KiB at a time: a save makes about a dozen spans, and
// cutting them from randomUUID's text cost 0.65 µs an id against 0.14 (1% of a save's time, profiled).
const randomPool = Buffer.alloc(4096);
let randomUsed = randomPool.length;
function randomHex(length: 16 | 32): string {
  const bytes = length / 2;
  if (randomUsed + bytes > randomPool.length) {
    randomFillSync(randomPool);
    randomUsed = 0;
  }
  randomUsed += bytes;
  return randomPool.toString('hex', randomUsed - bytes, randomUsed);
}

/** A span of this service: the parent's trace with a new span id, or a new trace. */
export function childSpan(parent: TraceContext | undefined): TraceContext {
  return {
    traceId: parent?.traceId ?? randomHex(32),
    spanId: randomHex(16),
    sampled: parent?.sampled ?? true,
  };
}

function activeOtelSpan(api: Api): TraceContext | undefined {
  const context = api.trace.getActiveSpan()?.spanContext();
  if (!context || !api.trace.isSpanContextValid(context)) return undefined;
  return { traceId: context.traceId, spanId: context.spanId, sampled: (context.traceFlags & api.TraceFlags.SAMPLED) === 1 };
}

export function currentTrace(): TraceContext | undefined {
  const otel = slots[apiSlot];
  return (otel && activeOtelSpan(otel)) ?? storage.getStore();
}

/**
 * Runs `fn` in `context`. With OpenTelemetry, a span its instrumentation opened
 * for this request (HTTP, gRPC) is continued instead.
 */
export function runInTrace<T>(context: TraceContext, fn: () => T): T {
  const otel = slots[apiSlot];
  if (otel && activeOtelSpan(otel)) return fn();
  return storage.run(context, fn);
}

/** Headers that carry the current trace to the next hop (empty outside a trace). */
export function traceHeaders(): Record<string, string> {
  const otel = slots[apiSlot];
  if (otel) {
    const carrier: Record<string, string> = {};
    otel.propagation.inject(otel.context.active(), carrier);
    if (carrier.traceparent) return carrier;
  }
  const current = storage.getStore();
  return current ? { traceparent: formatTraceparent(childSpan(current)) } : {};
}

/** For an HTTP call through undici: with OpenTelemetry its instrumentation adds the header itself (twice would break it). */
export function httpTraceHeaders(): Record<string, string> {
  return slots[apiSlot] ? {} : traceHeaders();
}

interface SpanOptions {
  kind?: 'internal' | 'producer' | 'consumer';
  attributes?: SpanAttributes;
}

function spanKind(api: Api, kind: SpanOptions['kind']): OpenTelemetryApi.SpanKind {
  if (kind === 'producer') return api.SpanKind.PRODUCER;
  if (kind === 'consumer') return api.SpanKind.CONSUMER;
  return api.SpanKind.INTERNAL;
}

/** Runs fn in a new span under `parent`, ending it when fn's result settles (fn may answer a value or a promise). */
function recordSpan<T>(api: Api, name: string, options: SpanOptions, parent: OpenTelemetryApi.Context, fn: () => T): T {
  const tracer = api.trace.getTracer('delinkcious');
  return tracer.startActiveSpan(name, { kind: spanKind(api, options.kind), attributes: options.attributes ?? {} }, parent, (span) => {
    const failed = (error: unknown) => {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: api.SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    };
    let result: T;
    try {
      result = fn();
    } catch (error) {
      failed(error);
      span.end();
      throw error;
    }
    if (!(result instanceof Promise)) {
      span.end();
      return result;
    }
    return result.then(
      (value: unknown) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        failed(error);
        span.end();
        throw error;
      },
    ) as T;
  });
}

/**
 * A span of work in this process, under the active span; or under the trace
 * in `parentHeaders` (a message's) when no span is active, as in the outbox
 * relay. Without OpenTelemetry, just fn().
 */
export function inSpan<T>(name: string, options: SpanOptions & { parentHeaders?: Record<string, string> }, fn: () => T): T {
  const api = slots[apiSlot];
  if (!api) return fn();
  const parent =
    options.parentHeaders && !activeOtelSpan(api) ? api.propagation.extract(api.context.active(), options.parentHeaders) : api.context.active();
  return recordSpan(api, name, options, parent, fn);
}

/**
 * A consumer's handling of a message: continues the trace in its headers, so
 * the handler's logs and calls are part of the request that published it.
 */
export function inMessageSpan<T>(name: string, headers: Record<string, string>, attributes: SpanAttributes, fn: () => T): T {
  const api = slots[apiSlot];
  if (!api) return storage.run(childSpan(parseTraceparent(headers.traceparent)), fn);
  return recordSpan(api, name, { kind: 'consumer', attributes }, api.propagation.extract(api.ROOT_CONTEXT, headers), fn);
}

/**
 * A publish: `send` runs in a producer span and gets the message's headers
 * carrying that span, so the consumer's span is its child. The parent is the
 * active span, else the trace already in the headers (an outbox row's).
 * Without OpenTelemetry the headers go as they are.
 */
export function inProducerSpan<T>(name: string, headers: Record<string, string>, attributes: SpanAttributes, send: (headers: Record<string, string>) => T): T {
  if (!slots[apiSlot]) return send(headers);
  return inSpan(name, { kind: 'producer', attributes, parentHeaders: headers }, () => send({ ...headers, ...traceHeaders() }));
}

/**
 * `target` with each method call recorded as a span `<component> <method>`
 * (embedded, the in-process calls between services that no HTTP span shows).
 * Without OpenTelemetry, `target` itself.
 */
export function tracedCalls<T extends object>(component: string, target: T, attributes: SpanAttributes = {}): T {
  if (!slots[apiSlot]) return target;
  const spanAttributes = { 'delinkcious.service': component, ...attributes };
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) =>
        inSpan(`${component} ${property}`, { attributes: spanAttributes }, () => (value as (...a: unknown[]) => unknown).apply(object, args));
    },
  });
}
