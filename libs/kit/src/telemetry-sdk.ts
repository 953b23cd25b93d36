/**
 * The OpenTelemetry Node SDK, started by telemetry.ts only when tracing is on.
 * Every OpenTelemetry package is imported here with import(), never statically:
 * bundled (cli/src/bundle.ts), a static import of a third-party package
 * would be hoisted to the bundle's top and load even with tracing off.
 *
 * The SDK reads the standard variables itself from the process environment
 * (exporter and protocol, endpoint, sampler, OTEL_BSP_*, OTEL_RESOURCE_ATTRIBUTES),
 * after telemetry.ts has checked them. Traces only: metrics stay Prometheus
 * (/metrics), logs stay pino on stderr.
 */
import { register } from 'node:module';
import type { IncomingMessage } from 'node:http';
import type { TelemetrySettings } from './telemetry.ts';
import { redactedUrlAttributes } from './redact.ts';
import { useOpenTelemetry } from './trace.ts';

/** Probes and scrapes: a span each every few seconds would bury the requests. */
const unrecordedPaths = new Set(['/healthz', '/readyz', '/metrics']);

export async function startOpenTelemetry(settings: TelemetrySettings): Promise<{ shutdown(): Promise<void> }> {
  // ES modules (and CommonJS ones imported from them) are patched through import-in-the-middle's loader hook,
  // which must be registered before they load; it wraps only the modules the instrumentations below name.
  const { createAddHookMessageChannel } = await import('import-in-the-middle');
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);

  const [api, { NodeSDK }, { HttpInstrumentation }, { UndiciInstrumentation }, { GrpcInstrumentation }, { PgInstrumentation }, { IORedisInstrumentation }] =
    await Promise.all([
      import('@opentelemetry/api'),
      import('@opentelemetry/sdk-node'),
      import('@opentelemetry/instrumentation-http'),
      import('@opentelemetry/instrumentation-undici'),
      import('@opentelemetry/instrumentation-grpc'),
      import('@opentelemetry/instrumentation-pg'),
      import('@opentelemetry/instrumentation-ioredis'),
    ]);

  const sdk = new NodeSDK({
    serviceName: settings.serviceName,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request: IncomingMessage) => unrecordedPaths.has((request.url ?? '').split('?')[0] ?? ''),
        // A token in a URL (Pinboard's auth_token, a feed token) must not leave in a trace, as it does not reach the log.
        requestHook: (span, request) => {
          if (!('socket' in request) || typeof (request as IncomingMessage).url !== 'string') return;
          const incoming = request as IncomingMessage;
          const scheme = 'encrypted' in incoming.socket && incoming.socket.encrypted ? 'https' : 'http';
          span.setAttributes(redactedUrlAttributes(incoming.url!, `${scheme}://${incoming.headers.host ?? 'localhost'}`));
        },
      }),
      // The internal HTTP client (libs/kit http-client.ts) and the link checker use undici.
      new UndiciInstrumentation(),
      new GrpcInstrumentation(),
      // Only queries inside a traced operation: the outbox relay's and the consumers' polling would be a trace each.
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  await waitForAllMessagesAcknowledged();
  useOpenTelemetry(api);
  return {
    shutdown: async () => {
      useOpenTelemetry(undefined);
      await sdk.shutdown();
    },
  };
}
