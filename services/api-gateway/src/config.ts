/** The gateway's variables (docs/design.md §2); a bad value stops start-up with one line naming it. */
import { isIP } from 'node:net';
import { ConfigError, commonConfig, envVar, readConfig, type Env, type EnvReader } from '@delinkcious/kit';
import { publicProfilesModes } from './auth/public-access.ts';

/**
 * Whom to believe about X-Forwarded-*: `false` (no one), a count of proxy hops
 * in front of the gateway (`1`: the ingress; `true` means 1), or the proxies'
 * addresses and CIDRs, comma-separated. Either way the client address is read
 * from the right of X-Forwarded-For, so a client cannot choose it by sending one.
 */
const trustProxy = (): EnvReader<false | number | string[]> => (name, env) => {
  const value = env[name]?.trim();
  if (!value || value === 'false' || value === '0') return false;
  if (value === 'true') return 1;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 10) throw new ConfigError(`${name} must be false, a number of proxy hops (1 to 10) or a list of CIDRs, got "${value}"`);
    return hops;
  }
  const blocks = value.split(',').map((block) => block.trim());
  for (const block of blocks) {
    const [address = '', prefix, ...rest] = block.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    if (!family || rest.length > 0 || (prefix !== undefined && (!/^\d+$/.test(prefix) || Number(prefix) > bits))) {
      throw new ConfigError(`${name} must be false, a number of proxy hops or a comma-separated list of addresses/CIDRs, got "${block}"`);
    }
  }
  return blocks;
};

/** An http(s) base URL without its trailing slash (GitHub Enterprise bases have a path, e.g. /api/v3). */
const optionalBaseUrl = (): EnvReader<string | undefined> => (name, env) =>
  envVar.url(['http', 'https'])(name, env)?.replace(/\/+$/, '');
const baseUrl =
  (fallback: string): EnvReader<string> =>
  (name, env) =>
    optionalBaseUrl()(name, env) ?? fallback;

export const apiGatewayConfigSpec = {
  ...commonConfig,
  /**
   * The public base URL (e.g. https://delinkcious.example.com): the OAuth redirect_uri and the cookies' origin.
   * Required behind a proxy and when the gateway runs as its own service; else derived from each request.
   */
  PUBLIC_URL: optionalBaseUrl(),
  GITHUB_CLIENT_ID: envVar.optionalString(),
  GITHUB_CLIENT_SECRET: envVar.optionalString(),
  GITHUB_OAUTH_URL: baseUrl('https://github.com'),
  GITHUB_API_URL: baseUrl('https://api.github.com'),
  GITHUB_TIMEOUT: envVar.durationMs(10_000),
  /** Signs the OAuth state cookie; generated when absent (then sign-ins in flight do not survive a restart). */
  SESSION_SECRET: envVar.optionalString(),
  DEV_LOGIN: envVar.bool(false),
  BODY_LIMIT: envVar.int(64 * 1024, 1024, 64 * 1024 * 1024),
  /** Requests per minute per token (or per address without one); 0 turns rate limiting off. */
  RATE_LIMIT_PER_MINUTE: envVar.int(600, 0, 1_000_000),
  /** Set: the rate-limit counters live in this Redis, shared by every replica (else each replica counts alone). */
  REDIS_URL: envVar.url(['redis', 'rediss']),
  /** The prefix of the rate-limit keys in REDIS_URL. */
  RATE_LIMIT_REDIS_PREFIX: envVar.string('delinkcious:rate-limit:'),
  /** How long a validated token is trusted without asking user-service again. */
  TOKEN_CACHE_TTL: envVar.durationMs(5000),
  TOKEN_CACHE_SIZE: envVar.int(10_000, 1, 10_000_000),
  /** Per attempt, on each call to a service behind the gateway (the clients add retries and a circuit breaker). */
  DOWNSTREAM_TIMEOUT: envVar.durationMs(5000),
  /**
   * Who may read profiles, people search and the public Atom feeds: `anyone` (public means public),
   * `signed-in` (feeds then 404: feed readers do not sign in), or `off` (all of them 404). The private
   * news feed (/feeds/news/<token>) works in every mode.
   */
  PUBLIC_PROFILES: envVar.oneOf('anyone', publicProfilesModes),
  /** Behind an ingress or load balancer: which proxies' X-Forwarded-* to believe (see trustProxy above). */
  TRUST_PROXY: trustProxy(),
  /** The largest bookmark file POST /v1/import takes (413 past it); this route only. */
  IMPORT_MAX_BYTES: envVar.int(50 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
  /** POST /v1/links/recheck per user per minute (docs/design.md §17), within RATE_LIMIT_PER_MINUTE's limiter. */
  RECHECK_PER_MINUTE: envVar.int(10, 1, 10_000),
  /** Pinboard v1 API (docs/design.md §20): calls per user per minute, any method; 0 turns it off. */
  PINBOARD_RATE_LIMIT_PER_MINUTE: envVar.int(60, 0, 1_000_000),
  /** …and, on top, calls that read every link (posts/all) per user per minute; 0 turns it off. */
  PINBOARD_FULL_READS_PER_MINUTE: envVar.int(10, 0, 1_000_000),
};

export type ApiGatewayConfig = ReturnType<typeof readApiGatewayConfig>;

/** `embedded`: every service in one process (`delinkcious start`), not the gateway as a service of its own. */
export function readApiGatewayConfig(env: Env, mode: { embedded: boolean } = { embedded: true }) {
  const config = readConfig(apiGatewayConfigSpec, env);
  if (!config.PUBLIC_URL && (config.TRUST_PROXY !== false || !mode.embedded)) {
    // Else the sign-in redirect_uri and the cookies' origin would come from the Host and X-Forwarded-* a client sends.
    throw new ConfigError(
      `PUBLIC_URL is required ${config.TRUST_PROXY !== false ? 'when TRUST_PROXY is on' : 'when the api-gateway runs as its own service'} (e.g. https://delinkcious.example.com)`,
    );
  }
  if (Boolean(config.GITHUB_CLIENT_ID) !== Boolean(config.GITHUB_CLIENT_SECRET)) {
    const missing = config.GITHUB_CLIENT_ID ? 'GITHUB_CLIENT_SECRET' : 'GITHUB_CLIENT_ID';
    throw new ConfigError(`${missing} is required when the other GitHub OAuth credential is set`);
  }
  if (config.SESSION_SECRET !== undefined && config.SESSION_SECRET.length < 32) {
    throw new ConfigError('SESSION_SECRET must be at least 32 characters');
  }
  if (config.TOKEN_CACHE_TTL > 60_000) {
    throw new ConfigError('TOKEN_CACHE_TTL must be at most 60s: a revoked token must stop working quickly');
  }
  return config;
}
