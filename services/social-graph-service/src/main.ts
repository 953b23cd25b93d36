/** Wires social-graph-service: its database, store, manager and HTTP transport. */
import { fileURLToPath } from 'node:url';
import { countingWritesWhenAlone, migrateServiceDatabase, openServiceDatabase, type DatabaseChoice } from '@delinkcious/db';
import { ServiceMetrics, createServiceServer, serveUnlessInProcess, type ServiceDefinition, type Env } from '@delinkcious/kit';
import { readSocialGraphServiceConfig, type SocialGraphServiceConfig } from './config.ts';
import { DefaultSocialGraphManager } from './manager.ts';
import { keptFollowers, SqlSocialGraphStore } from './stores/sql-social-graph-store.ts';
import { registerSocialGraphRoutes } from './transport/http.ts';

export const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

function databaseChoice(config: SocialGraphServiceConfig): DatabaseChoice {
  return {
    database: 'social_graph_manager',
    url: config.SOCIAL_GRAPH_DATABASE_URL,
    serverUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
  };
}


export const socialGraphService: ServiceDefinition = {
  name: 'social-graph-service',
  checkConfig: (env: Env) => void readSocialGraphServiceConfig(env),

  async start(context) {
    const config = readSocialGraphServiceConfig(context.env);
    const logger = context.logger;
    const opened = await openServiceDatabase({ ...databaseChoice(config), poolSize: config.DB_POOL_SIZE }, migrationsDir, logger);
    context.lifecycle.onClose('social graph database', () => opened.close());
    // Embedded, this process alone writes the graph: followers are kept between writes.
    const counted = countingWritesWhenAlone(opened);
    const db = counted ?? opened;

    const store = new SqlSocialGraphStore(db, counted && keptFollowers(counted.generation));
    const manager = new DefaultSocialGraphManager({ store, maxFollowing: config.MAX_FOLLOWING });
    const readiness = () => store.ping();
    context.local?.provide(manager, logger);
    context.local?.provideReadiness(readiness);
    const url = await serveUnlessInProcess(context, context.port, 'social-graph-service', () => {
      const server = createServiceServer({
        service: 'social-graph-service',
        logger,
        metrics: new ServiceMetrics('social-graph-service'),
        mutualAuth: context.mutualAuth,
        readiness,
      });
      registerSocialGraphRoutes(server, manager);
      return server;
    });
    return { url };
  },

  migrate: (context) => migrateServiceDatabase(databaseChoice(readSocialGraphServiceConfig(context.env)), migrationsDir),
};
