/**
 * The embedded deployment: one `delinkcious start` process, as an operator
 * would run it, with PGlite under a temporary DATA_DIR and every service on a
 * free port (runs in parallel do not collide).
 */
import { join } from 'node:path';
import { defaultLogLevel, defaultStartTimeoutMs, localSignIn, whenReady, type Deployment } from './deployment.ts';
import { embeddedPorts } from './process.ts';
import { Registry } from './registry.ts';

export interface EmbeddedOptions {
  /** Added to the process's environment (after the defaults, so it wins). */
  extraEnv?: Record<string, string>;
  startTimeoutMs?: number;
}

export async function startEmbedded(options: EmbeddedOptions = {}): Promise<Deployment> {
  // A free port can be taken by a concurrent test between choosing it and listening: choose again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startEmbeddedOnce(options);
    } catch (error) {
      if (attempt >= 3 || !String(error).includes('EADDRINUSE')) throw error;
    }
  }
}

async function startEmbeddedOnce(options: EmbeddedOptions): Promise<Deployment> {
  const registry = new Registry();
  const stop = () => registry.release();
  try {
    const dir = registry.temporaryDirectory('delinkcious-e2e-embedded-');
    const env = {
      DATA_DIR: join(dir, 'data'),
      DEV_LOGIN: 'true',
      LOG_LEVEL: defaultLogLevel(),
      ...(await embeddedPorts()),
      // Tests never reach the internet: no archive lookups unless a test serves a stand-in.
      WAYBACK_API_URL: '',
      ...options.extraEnv,
    };
    const run = registry.spawnDelinkcious(['start'], env);
    const baseUrl = await whenReady(run, 'delinkcious start', options.startTimeoutMs ?? defaultStartTimeoutMs);
    return { mode: 'embedded', baseUrl, signIn: (username) => localSignIn(baseUrl, username), pids: () => registry.pids(), stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
