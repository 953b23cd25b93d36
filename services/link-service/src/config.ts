import { commonConfig, envVar, readConfig, type Env } from '@delinkcious/kit';

const postgresUrl = envVar.url(['postgres', 'postgresql']);

export const linkServiceConfigSpec = {
  ...commonConfig,
  LINK_DATABASE_URL: postgresUrl,
  DATABASE_URL: postgresUrl,
  DB_POOL_SIZE: envVar.int(10, 1, 200),
  MAX_LINKS_PER_USER: envVar.int(100_000, 1),
  /** The link-checker function; by default the link-checker service (discovery variables). */
  LINK_CHECKER_URL: envVar.url(['http', 'https']),
  LINK_RECHECK_PENDING_AFTER: envVar.durationMs(5 * 60_000),
  LINK_REVALIDATE_AFTER: envVar.durationMs(7 * 24 * 3_600_000),
  /** How often the service reconciles by itself; 0 leaves it to `delinkcious recheck`. */
  LINK_RECONCILE_EVERY: envVar.durationMs(60_000),
};

export const readLinkServiceConfig = (env: Env) => readConfig(linkServiceConfigSpec, env);
export type LinkServiceConfig = ReturnType<typeof readLinkServiceConfig>;
