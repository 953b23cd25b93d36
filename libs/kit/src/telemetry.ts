/**
 * Trace export with OpenTelemetry, configured by the standard OTEL_* variables.
 * Off unless an OTLP endpoint is set (and OTEL_SDK_DISABLED is not): then,
 * and only then, telemetry-sdk.ts and the SDK are imported. Start it before
 * the service modules load (cli/src/telemetry-preload.ts does), since the
 * instrumentation of pg, ioredis, gRPC and node:http must be in place first.
 *
 * This module imports only config.ts, so that the preload pulls in nothing else.
 */
import { ConfigError, envVar, readConfig, type ConfigOf, type EnvReader } from './config.ts';

// For the preload, which imports this module alone.
export { ConfigError };

type Env = Record<string, string | undefined>;

export const otlpProtocols = ['http/protobuf', 'http/json', 'grpc'] as const;
export type OtlpProtocol = (typeof otlpProtocols)[number];
/** The samplers of the OpenTelemetry specification that the Node SDK implements. */
const samplers = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

/** OTEL_TRACES_SAMPLER_ARG: a sampling ratio between 0 and 1. */
const ratio: EnvReader<number | undefined> = (name, env) => {
  const value = env[name]?.trim();
  if (!value) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new ConfigError(`${name} must be a ratio between 0 and 1, got "${value}"`);
  return n;
};

export const telemetryConfig = {
  OTEL_SDK_DISABLED: envVar.bool(false),
  OTEL_EXPORTER_OTLP_ENDPOINT: envVar.url(['http', 'https']),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: envVar.url(['http', 'https']),
  OTEL_EXPORTER_OTLP_PROTOCOL: envVar.oneOf<OtlpProtocol>('http/protobuf', otlpProtocols),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: envVar.oneOf<OtlpProtocol | ''>('', otlpProtocols),
  OTEL_SERVICE_NAME: envVar.optionalString(),
  OTEL_TRACES_SAMPLER: envVar.oneOf('parentbased_always_on', samplers),
  OTEL_TRACES_SAMPLER_ARG: ratio,
};

export interface TelemetrySettings {
  serviceName: string;
  /** Where traces go: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT (plus /v1/traces over HTTP). */
  endpoint: string;
  protocol: OtlpProtocol;
  sampler: ConfigOf<typeof telemetryConfig>['OTEL_TRACES_SAMPLER'];
}

/**
 * What to export, or undefined when tracing is off: no endpoint, or
 * OTEL_SDK_DISABLED. A bad value throws ConfigError naming the variable, set
 * or not set the endpoint. `serviceName` is the default of OTEL_SERVICE_NAME.
 */
export function readTelemetryConfig(env: Env, serviceName: string): TelemetrySettings | undefined {
  const config = readConfig(telemetryConfig, env);
  const base = config.OTEL_EXPORTER_OTLP_ENDPOINT;
  const tracesEndpoint = config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (config.OTEL_SDK_DISABLED || (!base && !tracesEndpoint)) return undefined;
  const protocol = config.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || config.OTEL_EXPORTER_OTLP_PROTOCOL;
  const endpoint = tracesEndpoint ?? (protocol === 'grpc' ? base! : `${base!.replace(/\/+$/, '')}/v1/traces`);
  return { serviceName: config.OTEL_SERVICE_NAME ?? serviceName, endpoint, protocol, sampler: config.OTEL_TRACES_SAMPLER };
}

interface RunningTelemetry {
  shutdown(): Promise<void>;
}

// On globalThis for the reason trace.ts keeps the API there: the image's preload has its own copy of this module.
const runningSlot = Symbol.for('delinkcious.telemetry.running');
const slots = globalThis as { [runningSlot]?: RunningTelemetry };

/**
 * Starts the OpenTelemetry SDK when configured; answers the settings it runs
 * with, or undefined when tracing is off (then nothing was imported).
 */
export async function startTelemetry(env: Env, serviceName: string): Promise<TelemetrySettings | undefined> {
  const settings = readTelemetryConfig(env, serviceName);
  if (!settings || slots[runningSlot]) return settings;
  const { startOpenTelemetry } = await import('./telemetry-sdk.ts');
  slots[runningSlot] = await startOpenTelemetry(settings);
  return settings;
}

/** Exports the spans still buffered and stops the SDK (at shutdown); nothing when tracing is off. */
export async function stopTelemetry(): Promise<void> {
  const running = slots[runningSlot];
  slots[runningSlot] = undefined;
  await running?.shutdown();
}
