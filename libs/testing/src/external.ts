/**
 * Tests that need PostgreSQL, Redis or NATS get their address from
 * TEST_DATABASE_URL / TEST_REDIS_URL / TEST_NATS_URL. Unset or unreachable,
 * such a test is skipped with a line that says why, unless
 * DELINKCIOUS_REQUIRE_SERVICES=1 (CI), where it fails instead.
 */
import { connect } from 'node:net';

export type ExternalService = 'TEST_DATABASE_URL' | 'TEST_REDIS_URL' | 'TEST_NATS_URL';

const defaultPorts: Record<ExternalService, number> = { TEST_DATABASE_URL: 5432, TEST_REDIS_URL: 6379, TEST_NATS_URL: 4222 };

function reachable(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
  });
}

export interface ExternalServiceResult {
  url: string | undefined;
  /** Why tests needing it are skipped; false when the service is there. */
  skip: string | false;
}

export async function externalService(name: ExternalService): Promise<ExternalServiceResult> {
  const url = process.env[name]?.trim();
  let problem: string | undefined;
  if (!url) problem = `${name} is not set`;
  else {
    const parsed = new URL(url);
    if (!(await reachable(parsed.hostname, Number(parsed.port) || defaultPorts[name]))) problem = `${name} (${parsed.host}) is unreachable`;
  }
  if (!problem) return { url, skip: false };
  return { url: undefined, skip: missing(problem) };
}

/**
 * Something tests need is missing: with DELINKCIOUS_REQUIRE_SERVICES=1 (CI) that
 * fails the run; otherwise it answers the skip reason, and says it in the output.
 */
export function missing(problem: string): string {
  if (process.env.DELINKCIOUS_REQUIRE_SERVICES === '1') throw new Error(`DELINKCIOUS_REQUIRE_SERVICES=1 but ${problem}`);
  const skip = `skipped: ${problem}`;
  console.log(`# ${skip}`);
  return skip;
}
