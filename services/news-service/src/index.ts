export { newsService, migrationsDir } from './main.ts';
export { DefaultNewsManager, feedItemOf, type FanOutResult, type NewsManagerOptions } from './manager.ts';
export { startNewsConsumer, consumerGroup, linkSubjects } from './consumer.ts';
export { MemoryNewsStore } from './stores/memory-news-store.ts';
export { SqlNewsStore } from './stores/sql-news-store.ts';
export { RedisNewsStore } from './stores/redis-news-store.ts';
export type { NewsStore } from './stores/news-store.ts';
export type { FeedItem, FeedPosition } from './feed.ts';
export { createNewsGrpcServer, bindGrpc } from './transport/grpc.ts';
