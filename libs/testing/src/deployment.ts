/**
 * What every whole deployment of Delinkcious started for tests and benchmarks
 * offers (./embedded.ts, ./separate.ts), and the steps they share: waiting for
 * a `delinkcious` process to be ready, and the gateway's local sign-in.
 */
import type { RunningCommand } from './process.ts';
import { isRunning } from './registry.ts';
import { GiveUp, waitFor } from './wait.ts';

/** Generous: on a slow shared machine PGlite alone can take ~10 s to open a database. */
export const defaultStartTimeoutMs = 90_000;
export const defaultLogLevel = (): string => process.env.TEST_LOG_LEVEL ?? 'warn';

export interface Deployment {
  readonly mode: 'embedded' | 'separate';
  /** The gateway, the only public entry. */
  readonly baseUrl: string;
  /** The local sign-in (DEV_LOGIN=true): the user's Delinkcious token. */
  signIn(username: string): Promise<string>;
  /** PIDs of the Delinkcious processes running now (not nats-server, PostgreSQL or Redis), e.g. to sum their RSS. */
  pids(): number[];
  /** Stops every process and removes what the deployment made (directories, databases, keys). */
  stop(): Promise<void>;
}

/** Waits for a `delinkcious` process's "running at <url>" line, then for its /readyz to answer 200; answers the URL. */
export async function whenReady(run: RunningCommand, what: string, timeoutMs: number): Promise<string> {
  const started = Date.now();
  const [, url] = await run.waitFor(/running at (\S+)/, timeoutMs);
  try {
    await waitFor(
      async () => {
        if (!isRunning(run.child)) throw new GiveUp(`it exited (${run.child.exitCode ?? run.child.signalCode})`);
        const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5_000) });
        await response.body?.cancel();
        return response.status;
      },
      {
        what: `${what} at ${url} to be ready`,
        until: (status) => status === 200,
        timeoutMs: Math.max(5_000, timeoutMs - (Date.now() - started)),
        intervalMs: 250,
      },
    );
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}; stderr: ${run.stderr().slice(-2000)}`, { cause: error });
  }
  return url!;
}

/** The gateway's local sign-in (DEV_LOGIN=true): answers the user's Delinkcious token. */
export async function localSignIn(baseUrl: string, username: string): Promise<string> {
  const response = await fetch(new URL('/login/dev', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ username }),
    redirect: 'manual',
    signal: AbortSignal.timeout(20_000),
  });
  const text = await response.text();
  let token: unknown;
  try {
    token = (JSON.parse(text) as { access_token?: unknown }).access_token;
  } catch {
    token = undefined;
  }
  if (response.status !== 200 || typeof token !== 'string') {
    throw new Error(`local sign-in of ${username} answered ${response.status}: ${text.slice(0, 300)}`);
  }
  return token;
}
