#!/usr/bin/env node
// The `delinkcious` command. Sources are TypeScript: run from the bundle `npm start` builds when it is up
// to date with them (no compiling, and no tsx loader thread: ~1 s of CPU and ~70 MB of RSS less), else
// loaded through tsx.
import module from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { upToDatePrebuilt } from './prebuilt.js';

const prebuilt = upToDatePrebuilt();
if (prebuilt) {
  // Node.js 22+ keeps V8's compiled code of the bundle and its modules between runs (a restart
  // ~0.5 s sooner on Node.js 24); where the cache cannot be written it is simply not used.
  module.enableCompileCache?.(fileURLToPath(new URL('../../node_modules/.cache/delinkcious/compile-cache', import.meta.url)));
  // Trace export (when OTEL_EXPORTER_OTLP_ENDPOINT is set) must hook node:http, pg, ioredis and gRPC before they load.
  await import(pathToFileURL(prebuilt.preload).href);
  await import(pathToFileURL(prebuilt.main).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/telemetry-preload.ts');
  await import('../src/main.ts');
}
