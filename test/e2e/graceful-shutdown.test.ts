/**
 * SIGTERM under load loses no request: one `delinkcious start` process (every
 * service, as embedded), 16 readers listing links over kept-alive
 * connections, then SIGTERM. Every request a reader sends is answered 200,
 * or its connection is refused before anything is sent; none gets a 503 or a
 * reset after it was written, and the process exits 0 within the grace period.
 */
import assert from 'node:assert/strict';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Registry, defaultLogLevel, defaultStartTimeoutMs, embeddedPorts, localSignIn, whenReady, type RunningCommand } from '@delinkcious/testing';

const readers = 16;
const drainMs = 3_000;
const graceMs = 20_000;

interface Outcome {
  kind: 'ok' | 'refused' | 'lost';
  detail: string;
  afterSignal: boolean;
}

let registry: Registry | undefined;
let run: RunningCommand | undefined;
let baseUrl = '';
let token = '';

before(async () => {
  registry = new Registry();
  const dir = registry.temporaryDirectory('delinkcious-e2e-shutdown-');
  const env = {
    DATA_DIR: join(dir, 'data'),
    DEV_LOGIN: 'true',
    LOG_LEVEL: defaultLogLevel(),
    SHUTDOWN_DRAIN: `${drainMs}ms`,
    SHUTDOWN_TIMEOUT: `${graceMs}ms`,
    RATE_LIMIT_PER_MINUTE: '0', // one user reads as fast as it can
    ...(await embeddedPorts()),
  };
  run = registry.spawnDelinkcious(['start'], env);
  baseUrl = await whenReady(run, 'delinkcious start', defaultStartTimeoutMs);
  token = await localSignIn(baseUrl, 'shutdown-reader');
}, { timeout: 120_000 });
after(() => registry?.release(), { timeout: 60_000 });

/** One GET on the reader's own kept-alive connection: 200, refused before sending, or lost. */
function listLinks(agent: Agent, signalled: () => boolean): Promise<Outcome> {
  return new Promise((resolve) => {
    const afterSignal = signalled();
    const req = httpRequest(`${baseUrl}/v1/links`, { agent, headers: { authorization: `Bearer ${token}` } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () =>
        resolve({ kind: response.statusCode === 200 ? 'ok' : 'lost', detail: `${response.statusCode} ${body.slice(0, 120)}`, afterSignal }),
      );
      response.on('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'lost', detail: `${error.code ?? ''} ${error.message}`, afterSignal }));
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      // ECONNREFUSED comes from connect(): nothing of the request was sent.
      resolve({ kind: error.code === 'ECONNREFUSED' ? 'refused' : 'lost', detail: `${error.code ?? ''} ${error.message}`, afterSignal }),
    );
    req.end();
  });
}

test('SIGTERM under 16 kept-alive readers: every request is answered 200 or refused before it is sent; exit 0', { timeout: 120_000 }, async () => {
  const child = run!;
  const signal: { at?: number } = {};
  const signalled = () => signal.at !== undefined;
  const outcomes: Outcome[] = [];

  const reader = async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (;;) {
        const outcome = await listLinks(agent, signalled);
        outcomes.push(outcome);
        if (outcome.kind !== 'ok') return; // refused: the process is gone for this reader
      }
    } finally {
      agent.destroy();
    }
  };
  const readersDone = Promise.all(Array.from({ length: readers }, reader));

  // Let every reader settle into its kept-alive connection before the signal.
  while (outcomes.length < readers * 20) await new Promise((resolve) => setTimeout(resolve, 50));
  const before = outcomes.length;
  const signalledAt = Date.now();
  signal.at = signalledAt;
  child.child.kill('SIGTERM');

  // Not ready while draining, though still serving.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const readyz = await fetch(`${baseUrl}/readyz`);
  await readyz.body?.cancel();
  assert.equal(readyz.status, 503, '/readyz answers 503 once draining');

  const exitCode = await child.exited;
  const stoppedAfterMs = Date.now() - signalledAt;
  await readersDone;

  const lost = outcomes.filter((outcome) => outcome.kind === 'lost');
  const servedAfterSignal = outcomes.filter((outcome) => outcome.afterSignal && outcome.kind === 'ok').length;
  const refused = outcomes.filter((outcome) => outcome.kind === 'refused').length;
  console.log(
    `shutdown under load: ${before} requests before SIGTERM, ${servedAfterSignal} answered 200 after it, ` +
      `${refused} readers refused at connect, ${lost.length} lost; exited ${exitCode} after ${stoppedAfterMs} ms`,
  );
  assert.deepEqual(lost.map((outcome) => outcome.detail), [], 'no request was answered 503 or reset after it was sent');
  assert.equal(refused, readers, 'every reader ends refused at connect, once the process stopped accepting');
  assert.ok(servedAfterSignal > 0, 'requests were still served while draining');
  assert.equal(exitCode, 0, `exit 0; stderr: ${child.stderr().slice(-2000)}`);
  assert.ok(stoppedAfterMs < graceMs, `stopped within the ${graceMs} ms grace period (took ${stoppedAfterMs} ms)`);
});
