/**
 * Starts trace export (OTEL_* variables, libs/kit telemetry.ts) before any
 * service module loads: the instrumentation of node:http, pg, ioredis and
 * gRPC has to be in place first. cli/bin/delinkcious.js imports it before
 * main.ts; the image runs its bundle with `node --import` (deploy/docker).
 * With tracing off it imports nothing beyond kit's config reader.
 */
import { parseArgs } from 'node:util';
import { ConfigError, startTelemetry } from '@delinkcious/kit/telemetry';

/** The resource's service.name unless OTEL_SERVICE_NAME says otherwise: the one service a process runs, else delinkcious. */
function defaultServiceName(argv: string[]): string {
  const { values } = parseArgs({ args: argv, strict: false, allowPositionals: true, options: { service: { type: 'string', multiple: true } } });
  const services = (values.service ?? []).filter((name): name is string => typeof name === 'string');
  return services.length === 1 ? services[0]! : 'delinkcious';
}

try {
  await startTelemetry(process.env, defaultServiceName(process.argv.slice(2)));
} catch (error) {
  // As main.ts reports a bad setting: one line naming the variable, exit 2.
  const message = error instanceof Error ? error.message : String(error);
  console.error(`delinkcious: ${error instanceof ConfigError ? message : `could not start tracing: ${message}`}`);
  process.exit(2);
}
