import { ConfigError, commonConfig, envVar, readConfig, type Env, type EnvReader } from '@delinkcious/kit';

const postgresUrl = envVar.url(['postgres', 'postgresql']);

const minute = 60_000;
const day = 24 * 60 * minute;

/** A duration within bounds: a session that expires at once, or never, is a misconfiguration. */
function boundedDuration(fallback: number, min: number, max: number): EnvReader<number> {
  return (name, env) => {
    const ms = envVar.durationMs(fallback)(name, env);
    if (ms < min || ms > max) throw new ConfigError(`${name} must be between 1m and ${max / day}d`);
    return ms;
  };
}

export const userServiceConfigSpec = {
  ...commonConfig,
  USER_DATABASE_URL: postgresUrl,
  DATABASE_URL: postgresUrl,
  DB_POOL_SIZE: envVar.int(10, 1, 200),
  SESSION_TTL: boundedDuration(30 * day, minute, 365 * day),
};

export const readUserServiceConfig = (env: Env) => readConfig(userServiceConfigSpec, env);
export type UserServiceConfig = ReturnType<typeof readUserServiceConfig>;
