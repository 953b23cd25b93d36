export { socialGraphService, migrationsDir } from './main.ts';
export { DefaultSocialGraphManager } from './manager.ts';
export { MemorySocialGraphStore } from './stores/memory-social-graph-store.ts';
export { SqlSocialGraphStore } from './stores/sql-social-graph-store.ts';
export type { SocialGraphStore } from './stores/social-graph-store.ts';
export { registerSocialGraphRoutes } from './transport/http.ts';
