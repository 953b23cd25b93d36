export * from './external.ts';
export * from './postgres.ts';
export * from './process.ts';
export * from './deployments.ts';
export * from './http.ts';
export * from './redis.ts';
