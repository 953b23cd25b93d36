export { linkService, recheckLinks, migrationsDir } from './main.ts';
export { DefaultLinkManager } from './manager.ts';
export { MemoryLinkStore } from './stores/memory-link-store.ts';
export { SqlLinkStore } from './stores/sql-link-store.ts';
export type { LinkStore, StoredLink } from './stores/link-store.ts';
export { registerLinkRoutes } from './transport/http.ts';
