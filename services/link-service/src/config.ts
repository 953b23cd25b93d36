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
  /** Background link checks (imports, the reconciler): at most this many per second, and one at a time per host (check-throttle.ts). */
  LINK_CHECK_RATE: envVar.int(5, 1, 10_000),
  /** The least time between two background checks of one host. */
  LINK_CHECK_HOST_GAP: envVar.durationMs(1000),
  /** The body limit of POST /imports (a file's entries as JSON; the gateway's IMPORT_MAX_BYTES bounds the file). */
  IMPORT_BODY_LIMIT: envVar.int(256 * 1024 * 1024, 1024, 2 * 1024 * 1024 * 1024),
};

export const readLinkServiceConfig = (env: Env) => readConfig(linkServiceConfigSpec, env);
export type LinkServiceConfig = ReturnType<typeof readLinkServiceConfig>;
