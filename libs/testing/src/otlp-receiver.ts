/**
 * A stand-in OTLP/HTTP trace receiver (a collector's /v1/traces) on 127.0.0.1:
 * it decodes OTLP/JSON (`http/json`) into spans, and keeps protobuf bodies
 * (`http/protobuf`) as they came, for a smoke check.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from './wait.ts';

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  /** The resource's service.name. */
  service: string;
  attributes: Record<string, unknown>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpAttribute {
  key: string;
  value?: OtlpValue;
}
interface OtlpTraces {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: Array<{
      spans?: Array<{ traceId: string; spanId: string; parentSpanId?: string; name: string; kind?: number; attributes?: OtlpAttribute[] }>;
    }>;
  }>;
}

function attributesOf(list: OtlpAttribute[] | undefined): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const { key, value } of list ?? []) {
    attributes[key] = value?.stringValue ?? value?.intValue ?? value?.boolValue ?? value?.doubleValue;
  }
  return attributes;
}

export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Bodies sent as application/x-protobuf. */
  readonly protobufBodies: Buffer[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.method !== 'POST' || request.url !== '/v1/traces') {
          response.writeHead(404).end();
          return;
        }
        const body = Buffer.concat(chunks);
        if ((request.headers['content-type'] ?? '').includes('protobuf')) {
          this.protobufBodies.push(body);
          // An empty ExportTraceServiceResponse is zero bytes of protobuf.
          response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
          return;
        }
        this.take(JSON.parse(body.toString('utf8')) as OtlpTraces);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The spans of one trace. */
  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((span) => span.traceId === traceId);
  }

  /** Waits until `check` finds what it looks for in the spans received so far, and answers it. */
  async waitFor<T>(what: string, check: (spans: ReceivedSpan[]) => T | undefined, timeoutMs = 30_000): Promise<T> {
    return (await waitFor(() => check(this.spans), { what, timeoutMs, intervalMs: 100, until: (found) => found !== undefined })) as T;
  }

  private take(request: OtlpTraces): void {
    for (const resourceSpans of request.resourceSpans ?? []) {
      const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name'] ?? '');
      for (const scope of resourceSpans.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          this.spans.push({
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId ?? '',
            name: span.name,
            kind: span.kind ?? 0,
            service,
            attributes: attributesOf(span.attributes),
          });
        }
      }
    }
  }
}
