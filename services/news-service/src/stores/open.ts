/** The store the configuration asks for: Redis when REDIS_URL is set, else PGlite under DATA_DIR (survives restarts). */
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { countingWritesWhenAlone, openServiceDatabase, type DatabaseChoice } from '@delinkcious/db';
import type { Logger } from '@delinkcious/kit';
import type { NewsServiceConfig } from '../config.ts';
import { FeedPageCache } from './feed-page-cache.ts';
import type { NewsStore } from './news-store.ts';
import { RedisNewsStore } from './redis-news-store.ts';
import { SqlNewsStore } from './sql-news-store.ts';

export const migrationsDir = fileURLToPath(new URL('../../migrations', import.meta.url));

/** Without Redis: the news_manager schema of the embedded database under DATA_DIR. */
export const embeddedChoice = (config: Pick<NewsServiceConfig, 'DATA_DIR'>): DatabaseChoice => ({ database: 'news_manager', dataDir: config.DATA_DIR });

/**
 * A Redis connection that fails commands within seconds instead of queueing them forever while Redis
 * is away. ioredis is loaded only here: the embedded process never needs it (~0.1 s of its start).
 */
export async function connectRedis(url: string, logger?: Logger): Promise<Redis> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, {
    connectionName: 'news-service',
    maxRetriesPerRequest: 2,
    commandTimeout: 5000,
    retryStrategy: (attempt) => Math.min(5000, 100 * attempt),
  });
  let lastWarning = 0;
  redis.on('error', (error: Error) => {
    // Reconnection is automatic; say so once a minute, not on every attempt.
    if (Date.now() - lastWarning < 60_000) return;
    lastWarning = Date.now();
    logger?.warn({ err: error.message }, 'redis connection error; reconnecting');
  });
  return redis;
}

export async function openNewsStore(config: NewsServiceConfig, logger: Logger): Promise<{ store: NewsStore; kind: 'redis' | 'pglite' }> {
  if (config.REDIS_URL) {
    const store = new RedisNewsStore(await connectRedis(config.REDIS_URL, logger), { feedMax: config.NEWS_FEED_MAX, keyPrefix: config.NEWS_REDIS_KEY_PREFIX });
    // In the background: start-up waits for no scan, and a Redis that is away only delays it to the next start.
    store.mergeMixedCaseFeeds().then(
      (moved) => moved > 0 && logger.info({ moved }, 'feeds kept under usernames with capitals moved to their lower-case usernames'),
      (error: Error) => logger.warn({ err: error.message }, 'could not move feeds kept under usernames with capitals; will try at the next start'),
    );
    return { store, kind: 'redis' };
  }
  const opened = await openServiceDatabase(embeddedChoice(config), migrationsDir, logger);
  // This process alone writes the embedded database: feed pages are kept between its writes.
  const counted = countingWritesWhenAlone(opened);
  const pages = counted && new FeedPageCache(counted.generation);
  return { store: new SqlNewsStore(counted ?? opened, { feedMax: config.NEWS_FEED_MAX, ...(pages && { pages }) }), kind: 'pglite' };
}
