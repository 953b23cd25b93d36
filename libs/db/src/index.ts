export * from './database.ts';
export * from './migrate.ts';
export * from './open.ts';
export * from './pglite.ts';
export * from './postgres.ts';
