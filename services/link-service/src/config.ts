import { commonConfig, envVar, readConfig, type Env } from '@delinkcious/kit';

const postgresUrl = envVar.url(['postgres', 'postgresql']);

export const linkServiceConfigSpec = {
  ...commonConfig,
  LINK_DATABASE_URL: postgresUrl,
  DATABASE_URL: postgresUrl,
  DB_POOL_SIZE: envVar.int(10, 1, 200),
  MAX_LINKS_PER_USER: envVar.int(100_000, 1),
};

export const readLinkServiceConfig = (env: Env) => readConfig(linkServiceConfigSpec, env);
export type LinkServiceConfig = ReturnType<typeof readLinkServiceConfig>;
