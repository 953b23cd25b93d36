/**
 * Typed configuration from environment variables. A bad value stops start-up
 * with one line naming the variable (the CLI prints ConfigError.message alone).
 * An empty variable counts as unset, as Kubernetes manifests often leave them.
 *
 * Checked by hand, not with a schema library: every check here is a pattern, a list or a range,
 * and zod, used for the whole numbers alone, cost 70-140 ms of every process's start loading its
 * 65 locales and the rest of its 860 kB (measured; the restart's target is 2 s).
 */

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;
export type EnvReader<T> = (name: string, env: Env) => T;

function raw(name: string, env: Env): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

function wholeNumber(name: string, value: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(value)) throw new ConfigError(`${name} must be a whole number, got "${value}"`);
  const number = Number(value);
  if (!(number >= min && number <= max)) throw new ConfigError(`${name} must be between ${min} and ${max}`);
  return number;
}

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export const envVar = {
  string:
    (fallback: string): EnvReader<string> =>
    (name, env) =>
      raw(name, env) ?? fallback,
  optionalString: (): EnvReader<string | undefined> => (name, env) => raw(name, env),
  int:
    (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): EnvReader<number> =>
    (name, env) => {
      const value = raw(name, env);
      return value === undefined ? fallback : wholeNumber(name, value, min, max);
    },
  port:
    (fallback: number): EnvReader<number> =>
    (name, env) =>
      envVar.int(fallback, 1, 65535)(name, env),
  bool:
    (fallback: boolean): EnvReader<boolean> =>
    (name, env) => {
      const value = raw(name, env)?.toLowerCase();
      if (value === undefined) return fallback;
      if (['true', '1', 'yes', 'on'].includes(value)) return true;
      if (['false', '0', 'no', 'off'].includes(value)) return false;
      throw new ConfigError(`${name} must be true or false, got "${value}"`);
    },
  oneOf:
    <T extends string>(fallback: T, values: readonly T[]): EnvReader<T> =>
    (name, env) => {
      const value = raw(name, env);
      if (value === undefined) return fallback;
      if ((values as readonly string[]).includes(value)) return value as T;
      throw new ConfigError(`${name} must be one of ${values.join(', ')}, got "${value}"`);
    },
  /** A URL with one of the given schemes; the value is not echoed (it may hold a password). */
  url:
    (schemes: readonly string[]): EnvReader<string | undefined> =>
    (name, env) => {
      const value = raw(name, env);
      if (value === undefined) return undefined;
      let parsed: URL;
      try {
        parsed = new URL(value);
      } catch (error) {
        throw new ConfigError(`${name} is not a valid URL`, { cause: error });
      }
      const scheme = parsed.protocol.replace(/:$/, '');
      if (!schemes.includes(scheme)) throw new ConfigError(`${name} must be a ${schemes.join(' or ')} URL, got a ${scheme} URL`);
      return value;
    },
  /** A duration: milliseconds as a number, or with a unit (500ms, 10s, 5m, 2h, 1d). */
  durationMs:
    (fallback: number): EnvReader<number> =>
    (name, env) => {
      const value = raw(name, env);
      if (value === undefined) return fallback;
      const match = /^(\d+)(ms|s|m|h|d)?$/.exec(value);
      if (!match) throw new ConfigError(`${name} must be a duration such as 500ms, 30s, 5m or 1h, got "${value}"`);
      return Number(match[1]) * unitMs[match[2] ?? 'ms']!;
    },
};

export type ConfigSpec = Record<string, EnvReader<unknown>>;
export type ConfigOf<S extends ConfigSpec> = { [K in keyof S]: ReturnType<S[K]> };

/** Reads every variable of `spec` (keys are the variable names); the first bad one throws ConfigError. */
export function readConfig<S extends ConfigSpec>(spec: S, env: Env = process.env): ConfigOf<S> {
  const config: Record<string, unknown> = {};
  for (const [name, reader] of Object.entries(spec)) config[name] = reader(name, env);
  return config as ConfigOf<S>;
}

const defaultShutdownTimeoutMs = 25_000;

/**
 * How long after SIGTERM a service keeps serving while it asks kept-alive
 * clients to reconnect; it must end before the grace period (SHUTDOWN_TIMEOUT),
 * which also has to cover finishing the requests in flight.
 */
function shutdownDrain(fallback: number): EnvReader<number> {
  return (name, env) => {
    const drainMs = envVar.durationMs(fallback)(name, env);
    const graceMs = envVar.durationMs(defaultShutdownTimeoutMs)('SHUTDOWN_TIMEOUT', env);
    if (drainMs >= graceMs) {
      throw new ConfigError(`${name} must be shorter than SHUTDOWN_TIMEOUT (${graceMs} ms), got ${drainMs} ms`);
    }
    return drainMs;
  };
}

/** Variables every service reads. */
export const commonConfig = {
  LOG_LEVEL: envVar.oneOf('info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
  /** Unset: pretty in a terminal, JSON elsewhere (logger.ts decides). */
  LOG_FORMAT: envVar.oneOf<'json' | 'pretty' | ''>('', ['json', 'pretty']),
  SHUTDOWN_TIMEOUT: envVar.durationMs(defaultShutdownTimeoutMs),
  SHUTDOWN_DRAIN: shutdownDrain(3_000),
  DELINKCIOUS_MUTUAL_AUTH: envVar.bool(true),
  MUTUAL_AUTH_FILE: envVar.string('/etc/delinkcious/mutual-auth.yaml'),
  DATA_DIR: envVar.string('./.delinkcious'),
};
