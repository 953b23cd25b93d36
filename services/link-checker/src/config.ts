import { ConfigError, commonConfig, envVar, readConfig, type Env, type EnvReader } from '@delinkcious/kit';

/** A duration of at least 1 ms: a zero deadline would fail every check. */
const positiveDuration =
  (fallback: number): EnvReader<number> =>
  (name, env) => {
    const value = envVar.durationMs(fallback)(name, env);
    if (value < 1) throw new ConfigError(`${name} must be longer than 0 ms`);
    return value;
  };

/** An http(s) URL with a default when unset; set but empty turns the feature off (''). */
const offWhenEmpty =
  (fallback: string): EnvReader<string> =>
  (name, env) => {
    if (env[name] === '') return '';
    const value = envVar.url(['http', 'https'])(name, env);
    return value ?? fallback;
  };

export const linkCheckerConfigSpec = {
  ...commonConfig,
  /** The deadline of one whole check (DNS, redirects, GET fallback). */
  LINK_CHECK_TIMEOUT: positiveDuration(10_000),
  /** The Wayback Machine availability API asked for an archived copy of a dead link (docs/design.md §17); empty: off. */
  WAYBACK_API_URL: offWhenEmpty('https://archive.org/wayback/available'),
  /** The deadline of one archive lookup: short, it delays the dead link's result. */
  WAYBACK_TIMEOUT: positiveDuration(3_000),
  /** Lifts the SSRF guard (docs/design.md §5): tests and local use only. */
  LINK_CHECKER_ALLOW_PRIVATE_NETWORKS: envVar.bool(false),
};

export const readLinkCheckerConfig = (env: Env) => readConfig(linkCheckerConfigSpec, env);
export type LinkCheckerConfig = ReturnType<typeof readLinkCheckerConfig>;
