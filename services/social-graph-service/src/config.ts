import { commonConfig, envVar, readConfig, type Env } from '@delinkcious/kit';

const postgresUrl = envVar.url(['postgres', 'postgresql']);

export const socialGraphServiceConfigSpec = {
  ...commonConfig,
  SOCIAL_GRAPH_DATABASE_URL: postgresUrl,
  DATABASE_URL: postgresUrl,
  DB_POOL_SIZE: envVar.int(10, 1, 200),
  /** How many people one user may follow. */
  MAX_FOLLOWING: envVar.int(5000, 1, 1_000_000),
};

export const readSocialGraphServiceConfig = (env: Env) => readConfig(socialGraphServiceConfigSpec, env);
export type SocialGraphServiceConfig = ReturnType<typeof readSocialGraphServiceConfig>;
