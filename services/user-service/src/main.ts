/** Wires user-service: its database, store, manager and HTTP transport. */
import { fileURLToPath } from 'node:url';
import { countingWritesWhenAlone, migrateServiceDatabase, openServiceDatabase, type DatabaseChoice } from '@delinkcious/db';
import { ServiceMetrics, createServiceServer, serveUnlessInProcess, type ServiceDefinition, type Env } from '@delinkcious/kit';
import { readUserServiceConfig, type UserServiceConfig } from './config.ts';
import { DefaultUserManager } from './manager.ts';
import { keptSettings, SqlUserStore } from './stores/sql-user-store.ts';
import { registerUserRoutes } from './transport/http.ts';

export const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

function databaseChoice(config: UserServiceConfig): DatabaseChoice {
  return { database: 'user_manager', url: config.USER_DATABASE_URL, serverUrl: config.DATABASE_URL, dataDir: config.DATA_DIR };
}


export const userService: ServiceDefinition = {
  name: 'user-service',
  checkConfig: (env: Env) => void readUserServiceConfig(env),

  async start(context) {
    const config = readUserServiceConfig(context.env);
    const logger = context.logger;
    const opened = await openServiceDatabase({ ...databaseChoice(config), poolSize: config.DB_POOL_SIZE }, migrationsDir, logger);
    context.lifecycle.onClose('user database', () => opened.close());
    // Only one process can open a PGlite database: this one writes it alone, so settings may be kept between its writes.
    const counted = countingWritesWhenAlone(opened);
    const db = counted ?? opened;

    const store = new SqlUserStore(db, counted && keptSettings(counted.generation));
    const manager = new DefaultUserManager({ store, sessionTtlMs: config.SESSION_TTL });
    const readiness = () => store.ping();
    context.local?.provide(manager, logger);
    context.local?.provideReadiness(readiness);
    const url = await serveUnlessInProcess(context, context.port, 'user-service', () => {
      const server = createServiceServer({
        service: 'user-service',
        logger,
        metrics: new ServiceMetrics('user-service'),
        mutualAuth: context.mutualAuth,
        readiness,
      });
      registerUserRoutes(server, manager);
      return server;
    });
    return { url };
  },

  migrate: (context) => migrateServiceDatabase(databaseChoice(readUserServiceConfig(context.env)), migrationsDir),
};
