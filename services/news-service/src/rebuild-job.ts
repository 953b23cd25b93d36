/**
 * What `delinkcious rebuild-feeds` runs with, from news-service's own
 * configuration: the feed store it writes (Redis at REDIS_URL, else the
 * embedded database under DATA_DIR) and, distributed, link-service and
 * social-graph-service over HTTP as news-service calls them (service discovery
 * variables, its mutual-auth token). Embedded, the command passes in-process
 * managers instead (cli/src/rebuild-feeds.ts).
 */
import { LinkClient, SocialGraphClient } from '@delinkcious/clients';
import { openServiceDatabase } from '@delinkcious/db';
import { loadMutualAuth, serviceUrl, type Env, type Logger } from '@delinkcious/kit';
import { readNewsServiceConfig, type NewsServiceConfig } from './config.ts';
import { rebuildFeeds, type RebuildFeedsOptions, type RebuildReport } from './rebuild.ts';
import { connectRedis, embeddedChoice, migrationsDir } from './stores/open.ts';
import { RedisNewsStore } from './stores/redis-news-store.ts';
import { SqlNewsStore } from './stores/sql-news-store.ts';

export type RebuildSources = Pick<RebuildFeedsOptions, 'links' | 'socialGraph'>;

/** The feed store rebuild-feeds writes, on a connection of its own (RedisNewsStore.replaceFeed WATCHes on it). */
async function openFeeds(config: NewsServiceConfig, logger: Logger): Promise<{ store: RedisNewsStore | SqlNewsStore; where: string }> {
  if (config.REDIS_URL) {
    const store = new RedisNewsStore(await connectRedis(config.REDIS_URL, logger), { feedMax: config.NEWS_FEED_MAX, keyPrefix: config.NEWS_REDIS_KEY_PREFIX });
    return { store, where: 'redis' };
  }
  const db = await openServiceDatabase(embeddedChoice(config), migrationsDir, logger);
  return { store: new SqlNewsStore(db, { feedMax: config.NEWS_FEED_MAX }), where: 'the embedded database' };
}

/** Distributed: the two services over HTTP, as news-service calls them. */
export function remoteRebuildSources(env: Env): RebuildSources & { close(): void } {
  const config = readNewsServiceConfig(env);
  const mutualAuth = loadMutualAuth({ self: 'news-service', file: config.MUTUAL_AUTH_FILE, enabled: config.DELINKCIOUS_MUTUAL_AUTH });
  const options = { callerToken: mutualAuth.outboundToken, timeoutMs: config.NEWS_DOWNSTREAM_TIMEOUT };
  const socialGraph = new SocialGraphClient({ baseUrl: serviceUrl('social-graph-service', env), ...options });
  const links = new LinkClient({ baseUrl: serviceUrl('link-service', env), ...options });
  return {
    socialGraph,
    links,
    close: () => {
      socialGraph.close();
      links.close();
    },
  };
}

export interface RebuildJobOptions {
  env: Env;
  logger: Logger;
  sources: RebuildSources;
  progress?: (report: RebuildReport) => void;
}

/** One rebuild of every feed with news-service's configuration; the store is closed after. */
export async function runRebuildFeeds(options: RebuildJobOptions): Promise<RebuildReport & { where: string }> {
  const config = readNewsServiceConfig(options.env);
  const { store, where } = await openFeeds(config, options.logger);
  try {
    await store.ping();
    const report = await rebuildFeeds({ store, ...options.sources, feedMax: config.NEWS_FEED_MAX, progress: options.progress });
    return { ...report, where };
  } finally {
    await store.close();
  }
}
