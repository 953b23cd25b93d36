/** Wires link-service: its database, store, manager and HTTP transport. */
import { fileURLToPath } from 'node:url';
import { loadMigrations, migrate, openDatabase, type Database, type DatabaseChoice } from '@delinkcious/db';
import type { EventSink, LinkEvent } from '@delinkcious/object-model';
import { ServiceMetrics, createServiceServer, listen, type Logger, type ServiceDefinition, type Env } from '@delinkcious/kit';
import { readLinkServiceConfig, type LinkServiceConfig } from './config.ts';
import { DefaultLinkManager } from './manager.ts';
import { SqlLinkStore } from './stores/sql-link-store.ts';
import { registerLinkRoutes } from './transport/http.ts';

export const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

function databaseChoice(config: LinkServiceConfig): DatabaseChoice {
  return { database: 'link_manager', url: config.LINK_DATABASE_URL, serverUrl: config.DATABASE_URL, dataDir: config.DATA_DIR };
}

async function openLinkDatabase(config: LinkServiceConfig, logger: Logger): Promise<Database> {
  const db = await openDatabase({
    ...databaseChoice(config),
    poolSize: config.DB_POOL_SIZE,
    onError: (error) => logger.warn({ err: error }, 'database connection error'),
  });
  const applied = await migrate(db, await loadMigrations(migrationsDir));
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  return db;
}

/** Until the news issue adds the outbox and bus, changes are logged. */
function loggingSink(logger: Logger): EventSink<LinkEvent> {
  return {
    async emit(event) {
      logger.debug({ event: event.type, eventId: event.id }, 'link event');
    },
  };
}

export const linkService: ServiceDefinition = {
  name: 'link-service',
  checkConfig: (env: Env) => void readLinkServiceConfig(env),

  async start(context) {
    const config = readLinkServiceConfig(context.env);
    const logger = context.logger;
    const db = await openLinkDatabase(config, logger);
    context.lifecycle.onClose('link database', () => db.close());

    const store = new SqlLinkStore(db);
    const manager = new DefaultLinkManager({ store, events: loggingSink(logger), maxLinksPerUser: config.MAX_LINKS_PER_USER });
    const server = createServiceServer({
      service: 'link-service',
      logger,
      metrics: new ServiceMetrics('link-service'),
      mutualAuth: context.mutualAuth,
      readiness: () => store.ping(),
    });
    registerLinkRoutes(server, manager);
    const url = await listen(server, context.host, context.port);
    context.lifecycle.onClose('link-service http', () => server.close());
    return { url };
  },

  async migrate(context) {
    const config = readLinkServiceConfig(context.env);
    const db = await openDatabase({ ...databaseChoice(config), poolSize: 1 });
    try {
      return await migrate(db, await loadMigrations(migrationsDir));
    } finally {
      await db.close();
    }
  },
};
