export * from './database.ts';
export * from './embedded.ts';
export * from './layout-upgrade.ts';
export * from './migrate.ts';
export * from './open.ts';
export * from './pglite.ts';
export * from './postgres.ts';
export * from './pglite-template.ts';
export { planEachCall } from './pglite-wire.ts';
