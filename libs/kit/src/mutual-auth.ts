/**
 * Mutual authentication between services (docs/design.md §3). A caller sends
 * its own token in `Delinkcious-Caller-Token`; a service accepts a request only
 * when the token's SHA-256 is one it lists for a caller, compared in constant
 * time (what each caller may then call is authorization.ts's). Each pod mounts
 * one YAML file (`MUTUAL_AUTH_FILE`) holding its own token and only the hashes
 * of its callers' tokens, so a leaked file cannot be used to pose as a caller:
 *
 *   token: <this service's token>          # absent when it calls no service
 *   callers:
 *     api-gateway: sha256:<64 hex digits>  # or a list of them, while a token rotates
 *
 * The earlier format, `caller: token` for every caller, is still read.
 * Embedded mode generates the tokens in memory.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ConfigError } from './config.ts';

export const callerTokenHeader = 'delinkcious-caller-token';

export interface MutualAuth {
  readonly enabled: boolean;
  /** The token this service sends when it calls another service. */
  readonly outboundToken: string | undefined;
  /** The caller a token belongs to, or undefined when it belongs to none. */
  verify(token: string | undefined): string | undefined;
}

interface KnownCaller {
  caller: string;
  digest: Buffer;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** How a caller's token is written in another service's file: `sha256:` and its hex digest. */
export function callerTokenHash(token: string): string {
  return `sha256:${digest(token).toString('hex')}`;
}

function mutualAuthFromDigests(outboundToken: string | undefined, callers: readonly KnownCaller[]): MutualAuth {
  return {
    enabled: true,
    outboundToken,
    verify(token) {
      if (!token) return undefined;
      const presented = digest(token);
      let match: string | undefined;
      // Compare against every caller, so the time taken says nothing about which matched.
      for (const candidate of callers) {
        if (timingSafeEqual(presented, candidate.digest)) match ??= candidate.caller;
      }
      return match;
    },
  };
}

/** `self` sends tokens[self]; every listed token identifies its caller. */
export function mutualAuthFromTokens(self: string, tokens: Record<string, string>): MutualAuth {
  const callers = Object.entries(tokens).map(([caller, token]) => ({ caller, digest: digest(token) }));
  return mutualAuthFromDigests(tokens[self], callers);
}

export const mutualAuthDisabled: MutualAuth = {
  enabled: false,
  outboundToken: undefined,
  verify: () => 'anonymous',
};

const hashPattern = /^sha256:([0-9a-f]{64})$/i;

export function loadMutualAuth(options: { self: string; file: string; enabled: boolean }): MutualAuth {
  if (!options.enabled) return mutualAuthDisabled;
  let text: string;
  try {
    text = readFileSync(options.file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(
      `MUTUAL_AUTH_FILE ${options.file} cannot be read (${code}); mount it, or set DELINKCIOUS_MUTUAL_AUTH=false`,
      { cause: error },
    );
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new ConfigError(`MUTUAL_AUTH_FILE ${options.file} is not valid YAML`, { cause: error });
  }
  if (!isMapping(document)) {
    throw new ConfigError(`MUTUAL_AUTH_FILE ${options.file} must map each caller to its token, or hold "token" and "callers"`);
  }
  return isMapping(document.callers) ? fromHashedFile(options.file, document) : fromTokenFile(options.self, options.file, document);
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function checkToken(file: string, what: string, token: unknown): asserts token is string {
  if (typeof token !== 'string' || token.length < 16) {
    throw new ConfigError(`MUTUAL_AUTH_FILE ${file}: ${what} must be a string of at least 16 characters`);
  }
}

/** The earlier format: `caller: token` for every caller, this service's own among them. */
function fromTokenFile(self: string, file: string, tokens: Record<string, unknown>): MutualAuth {
  for (const [caller, token] of Object.entries(tokens)) checkToken(file, `the token of ${caller}`, token);
  return mutualAuthFromTokens(self, tokens as Record<string, string>);
}

/** `token:` (this service's, optional) and `callers:` (each caller's token hash, or a list of them). */
function fromHashedFile(file: string, document: Record<string, unknown>): MutualAuth {
  const unknownKeys = Object.keys(document).filter((key) => key !== 'token' && key !== 'callers');
  if (unknownKeys.length > 0) throw new ConfigError(`MUTUAL_AUTH_FILE ${file}: unknown key ${unknownKeys[0]}; expected "token" and "callers"`);
  if (document.token !== undefined && document.token !== null) checkToken(file, 'token', document.token);
  const callers: KnownCaller[] = [];
  for (const [caller, value] of Object.entries(document.callers as Record<string, unknown>)) {
    const hashes = Array.isArray(value) ? value : [value];
    if (hashes.length === 0) throw new ConfigError(`MUTUAL_AUTH_FILE ${file}: callers.${caller} lists no hash`);
    for (const hash of hashes) {
      const hex = typeof hash === 'string' ? hashPattern.exec(hash)?.[1] : undefined;
      if (!hex) throw new ConfigError(`MUTUAL_AUTH_FILE ${file}: callers.${caller} must be "sha256:" and 64 hex digits, or a list of them`);
      callers.push({ caller, digest: Buffer.from(hex, 'hex') });
    }
  }
  return mutualAuthFromDigests(typeof document.token === 'string' ? document.token : undefined, callers);
}

/** Fresh random tokens for callers that share one process (embedded mode). */
export function generateCallerTokens(callers: readonly string[]): Record<string, string> {
  return Object.fromEntries(callers.map((caller) => [caller, randomBytes(32).toString('base64url')]));
}
