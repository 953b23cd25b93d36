/**
 * Traces in the deployment (docs/operations.md "Traces"):
 * - the monitoring component runs Jaeger all-in-one, which takes OTLP on 4317
 *   and 4318 and serves its UI on 16686, and points every process's
 *   OTEL_EXPORTER_OTLP_ENDPOINT at it; without the component nothing exports;
 * - the image's entry really traces: the command's bundle, started behind the
 *   preload bundle (`node --import`, as the Dockerfile's ENTRYPOINT does), exports
 *   spans of its HTTP requests and in-process calls to an OTLP receiver.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { OtlpReceiver, embeddedPorts, localSignIn } from '@delinkcious/testing';
import { bundle, type BundleResult } from '../../cli/src/bundle.ts';
import { configMapData, find, render, repoRoot, workloads, type Container } from './support/manifests.ts';

const withMonitoring = ['overlays/monitoring', 'overlays/staging', 'overlays/production'];

interface ServicePort {
  name: string;
  port: number;
  targetPort: string | number;
}

for (const target of withMonitoring) {
  describe(`${target}: traces go to Jaeger`, () => {
    const objects = render(target);

    test('Jaeger all-in-one, pinned, takes OTLP (4317 gRPC, 4318 HTTP) and serves its UI (16686)', () => {
      const [jaeger] = workloads(objects).filter((workload) => workload.name === 'jaeger');
      assert.ok(jaeger, 'a jaeger Deployment');
      const container = jaeger.template.spec.containers[0] as Container & { ports: { name: string; containerPort: number }[] };
      assert.match(container.image, /^jaegertracing\/all-in-one:\d+\.\d+\.\d+$/);
      assert.equal(container.env?.find((variable) => variable.name === 'COLLECTOR_OTLP_ENABLED')?.value, 'true');
      const service = find(objects, 'Service', 'jaeger');
      assert.ok(service, 'a jaeger Service');
      const ports = (service.spec as { ports: ServicePort[] }).ports;
      assert.deepEqual(ports.map((port) => port.port).sort((a, b) => a - b), [4317, 4318, 16686]);
      for (const port of ports) {
        assert.ok(container.ports.some((open) => open.name === port.targetPort), `the Service's port ${port.port} reaches a port the container opens`);
      }
    });

    test("every process's OTEL_EXPORTER_OTLP_ENDPOINT is Jaeger's OTLP/HTTP port", () => {
      const common = configMapData(objects, 'delinkcious-common');
      const endpoint = new URL(common.OTEL_EXPORTER_OTLP_ENDPOINT!);
      assert.equal(common.OTEL_EXPORTER_OTLP_PROTOCOL, 'http/protobuf');
      // The Service's short name: it resolves in whichever namespace the overlay deploys to.
      assert.equal(endpoint.hostname, 'jaeger');
      const ports = (find(objects, 'Service', 'jaeger')!.spec as { ports: ServicePort[] }).ports;
      assert.equal(ports.find((port) => port.port === Number(endpoint.port))?.name, 'otlp-http');
    });
  });
}

test('without the monitoring component nothing exports traces', () => {
  for (const target of ['overlays/cloudnative-pg', 'overlays/knative', 'overlays/istio']) {
    assert.equal(configMapData(render(target), 'delinkcious-common').OTEL_EXPORTER_OTLP_ENDPOINT, undefined, target);
  }
});

describe("the image's entry, preload then bundle, exports traces", () => {
  // Inside the repository, so that its imports resolve from the root node_modules as /app/node_modules in the image.
  const outDir = join(repoRoot, 'deploy/test/dist', `tracing-${process.pid}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'delinkcious-tracing-'));
  const receiver = new OtlpReceiver();
  let result: BundleResult;
  let child: ReturnType<typeof spawn> | undefined;

  before(async () => {
    result = await bundle(outDir);
    await receiver.start();
  });
  after(async () => {
    child?.kill('SIGKILL');
    await receiver.stop();
    rmSync(outDir, { recursive: true, force: true });
    if (readdirSync(dirname(outDir)).length === 0) rmSync(dirname(outDir), { recursive: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('an HTTP request and the in-process calls it makes reach the collector as one trace', { timeout: 120_000 }, async () => {
    const ports = await embeddedPorts();
    child = spawn(process.execPath, ['--import', result.preload, result.bundle, 'start'], {
      cwd: outDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        DEV_LOGIN: 'true',
        ...ports,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const baseUrl = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      child!.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /running at (\S+)/.exec(stdout);
        if (match) resolve(match[1]!);
      });
      child!.once('exit', (code) => reject(new Error(`the bundle exited with ${code}: ${stderr}`)));
    });
    await localSignIn(baseUrl, 'tracer');

    // The sign-in's gateway span, and under it the in-process call: the command's bundle sees the SDK its preload started.
    const call = await receiver.waitFor('the in-process call to user-service, traced', (spans) =>
      spans.find((span) => span.name === 'user-service register' && span.service === 'delinkcious'),
    );
    const root = receiver.trace(call.traceId).find((span) => !span.parentSpanId);
    assert.ok(root, 'its trace has a root');
    assert.equal(root.kind, 2, 'the root is the HTTP server span of the sign-in');
  });
});
