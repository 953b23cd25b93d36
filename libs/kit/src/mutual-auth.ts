/**
 * Mutual authentication between services (docs/design.md §3): every caller has a
 * token, all listed in one YAML file (`caller: token`) mounted into each pod.
 * A caller sends its own token in `Delinkcious-Caller-Token`; a service accepts
 * a request only when the token is one of the listed ones, compared in
 * constant time. Embedded mode generates the tokens in memory.
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

const digest = (value: string) => createHash('sha256').update(value).digest();

export function mutualAuthFromTokens(self: string, tokens: Record<string, string>): MutualAuth {
  const callers = Object.entries(tokens).map(([caller, token]) => ({ caller, digest: digest(token) }));
  return {
    enabled: true,
    outboundToken: tokens[self],
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

export const mutualAuthDisabled: MutualAuth = {
  enabled: false,
  outboundToken: undefined,
  verify: () => 'anonymous',
};

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
  let tokens: unknown;
  try {
    tokens = parse(text);
  } catch (error) {
    throw new ConfigError(`MUTUAL_AUTH_FILE ${options.file} is not valid YAML`, { cause: error });
  }
  if (!tokens || typeof tokens !== 'object' || Array.isArray(tokens)) {
    throw new ConfigError(`MUTUAL_AUTH_FILE ${options.file} must map each caller to its token`);
  }
  const entries = Object.entries(tokens as Record<string, unknown>);
  for (const [caller, token] of entries) {
    if (typeof token !== 'string' || token.length < 16) {
      throw new ConfigError(`MUTUAL_AUTH_FILE ${options.file}: the token of ${caller} must be a string of at least 16 characters`);
    }
  }
  return mutualAuthFromTokens(options.self, Object.fromEntries(entries) as Record<string, string>);
}

/** Fresh random tokens for callers that share one process (embedded mode). */
export function generateCallerTokens(callers: readonly string[]): Record<string, string> {
  return Object.fromEntries(callers.map((caller) => [caller, randomBytes(32).toString('base64url')]));
}
