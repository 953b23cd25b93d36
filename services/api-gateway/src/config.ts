/** The gateway's variables (docs/design.md §2); a bad value stops start-up with one line naming it. */
import { ConfigError, commonConfig, envVar, readConfig, type Env, type EnvReader } from '@delinkcious/kit';

/** An http(s) base URL without its trailing slash (GitHub Enterprise bases have a path, e.g. /api/v3). */
const optionalBaseUrl = (): EnvReader<string | undefined> => (name, env) =>
  envVar.url(['http', 'https'])(name, env)?.replace(/\/+$/, '');
const baseUrl =
  (fallback: string): EnvReader<string> =>
  (name, env) =>
    optionalBaseUrl()(name, env) ?? fallback;

export const apiGatewayConfigSpec = {
  ...commonConfig,
  /** The public base URL (e.g. https://delinkcious.example.com); else derived from each request. */
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
  /** How long a validated token is trusted without asking user-service again. */
  TOKEN_CACHE_TTL: envVar.durationMs(5000),
  TOKEN_CACHE_SIZE: envVar.int(10_000, 1, 10_000_000),
  /** Per attempt, on each call to a service behind the gateway (the clients add retries and a circuit breaker). */
  DOWNSTREAM_TIMEOUT: envVar.durationMs(5000),
  /** Behind an ingress or load balancer: take the client address and protocol from X-Forwarded-*. */
  TRUST_PROXY: envVar.bool(false),
};

export type ApiGatewayConfig = ReturnType<typeof readApiGatewayConfig>;

export function readApiGatewayConfig(env: Env) {
  const config = readConfig(apiGatewayConfigSpec, env);
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
