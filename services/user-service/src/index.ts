export { userService } from './main.ts';
export { DefaultUserManager } from './manager.ts';
export { MemoryUserStore } from './stores/memory-user-store.ts';
export { SqlUserStore } from './stores/sql-user-store.ts';
export type { StoredApiToken, StoredUser, UserStore } from './stores/user-store.ts';
export { apiTokenPrefix } from './tokens.ts';
