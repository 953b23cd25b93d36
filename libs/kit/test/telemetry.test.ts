import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../src/config.ts';
import { readTelemetryConfig, startTelemetry } from '../src/telemetry.ts';
import { tracingEnabled } from '../src/trace.ts';

test('tracing is off without an endpoint, and with OTEL_SDK_DISABLED', async () => {
  assert.equal(readTelemetryConfig({}, 'link-service'), undefined);
  assert.equal(readTelemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }, 'link-service'), undefined);
  assert.equal(readTelemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_SDK_DISABLED: 'true' }, 'link-service'), undefined);
  // Off, start does nothing: no SDK, the trace context stays the light one.
  assert.equal(await startTelemetry({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' }, 'x'), undefined);
  assert.equal(tracingEnabled(), false);
});

test('an endpoint turns it on: /v1/traces over HTTP, the endpoint as it is over gRPC, the per-signal variables winning', () => {
  assert.deepEqual(readTelemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318/' }, 'link-service'), {
    serviceName: 'link-service',
    endpoint: 'http://jaeger:4318/v1/traces',
    protocol: 'http/protobuf',
    sampler: 'parentbased_always_on',
  });
  assert.equal(readTelemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'x')?.endpoint, 'http://jaeger:4317');
  const traces = readTelemetryConfig(
    {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/v1/traces',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'links',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    },
    'link-service',
  );
  assert.deepEqual(traces, { serviceName: 'links', endpoint: 'https://traces.example/v1/traces', protocol: 'http/json', sampler: 'parentbased_traceidratio' });
});

test('a bad value is a ConfigError naming the variable, endpoint set or not', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift' }, /^OTEL_EXPORTER_OTLP_PROTOCOL must be one of http\/protobuf, http\/json, grpc, got "thrift"$/],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'json' }, /^OTEL_EXPORTER_OTLP_TRACES_PROTOCOL must be one of/],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'jaeger:4318' }, /^OTEL_EXPORTER_OTLP_ENDPOINT must be a http or https URL/],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'not a url' }, /^OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is not a valid URL$/],
    [{ OTEL_TRACES_SAMPLER: 'sometimes' }, /^OTEL_TRACES_SAMPLER must be one of always_on, always_off, traceidratio, /],
    [{ OTEL_TRACES_SAMPLER_ARG: '1.5' }, /^OTEL_TRACES_SAMPLER_ARG must be a ratio between 0 and 1, got "1.5"$/],
    [{ OTEL_SDK_DISABLED: 'maybe' }, /^OTEL_SDK_DISABLED must be true or false/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => readTelemetryConfig(env, 'x'), (error: unknown) => error instanceof ConfigError && message.test(error.message), JSON.stringify(env));
  }
});
