/**
 * The one way tests wait for something that happens in the background (an
 * event handled, a process ready, a feed caught up): ask again and again until
 * it holds, and on timeout say what was awaited and what was seen last.
 */
import { inspect } from 'node:util';

export interface WaitOptions<T> {
  /** What is awaited, for the timeout error: "the link to be checked", "nats-server to accept connections". */
  what: string;
  timeoutMs?: number;
  intervalMs?: number;
  /** When the value `check` answered is the one awaited (default: when it is truthy). */
  until?: (value: T) => boolean;
}

/** Thrown by a check when waiting longer is pointless (the process it waits for has exited, say). */
export class GiveUp extends Error {
  override readonly name = 'GiveUp';
}

/** Thrown when a wait times out; `last` is the value the final check answered (undefined if it threw). */
export class WaitTimeout extends Error {
  override readonly name = 'WaitTimeout';
  constructor(
    message: string,
    readonly last: unknown,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `check` until its value is the awaited one and answers that value. A check that throws
 * counts as "not yet" (a server still starting refuses connections), except GiveUp, which ends the
 * wait at once. Past `timeoutMs` (default 10 s) it throws WaitTimeout naming `what`, the last value
 * and the last error.
 */
export async function waitFor<T>(check: () => T | Promise<T>, options: WaitOptions<T>): Promise<T> {
  const { what, timeoutMs = 10_000, intervalMs = 50, until = Boolean } = options;
  const started = Date.now();
  for (;;) {
    let value: T | undefined;
    let failure: unknown;
    try {
      value = await check();
      if (until(value)) return value;
    } catch (error) {
      if (error instanceof GiveUp) throw new Error(`gave up waiting for ${what}: ${error.message}`, { cause: error });
      failure = error;
    }
    const waited = Date.now() - started;
    if (waited >= timeoutMs) {
      const last = failure === undefined ? `last value: ${inspect(value, { depth: 3, breakLength: Infinity })}` : `last error: ${describe(failure)}`;
      throw new WaitTimeout(`timed out after ${waited} ms waiting for ${what} (${last})`, value, failure === undefined ? undefined : { cause: failure });
    }
    await sleep(Math.min(intervalMs, Math.max(0, timeoutMs - waited)));
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
