import { commonConfig, envVar, readConfig, type Env, type EnvReader } from '@delinkcious/kit';

/** A port (0 = any free one), or undefined when unset so the caller picks the default. */
const optionalPort: EnvReader<number | undefined> = (name, env) =>
  env[name]?.trim() ? envVar.int(0, 0, 65535)(name, env) : undefined;

export const newsServiceConfigSpec = {
  ...commonConfig,
  /** Absent: the embedded store (PGlite under DATA_DIR/news_manager). */
  REDIS_URL: envVar.url(['redis', 'rediss']),
  NEWS_REDIS_KEY_PREFIX: envVar.string('news:'),
  NEWS_FEED_MAX: envVar.int(1000, 1, 100_000),
  NEWS_PAGE_SIZE: envVar.int(10, 1, 1000),
  /** Followers written per round trip to the store. */
  NEWS_FANOUT_BATCH: envVar.int(500, 1, 10_000),
  /** Probes and metrics over HTTP; default: the gRPC port + 1 (6061). */
  NEWS_HTTP_PORT: optionalPort,
  /** Deadline of a call to social-graph-service. */
  NEWS_DOWNSTREAM_TIMEOUT: envVar.durationMs(5000),
};

export const readNewsServiceConfig = (env: Env) => readConfig(newsServiceConfigSpec, env);
export type NewsServiceConfig = ReturnType<typeof readNewsServiceConfig>;
