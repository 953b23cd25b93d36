export * from './link-client.ts';
export * from './link-checker-client.ts';
export * from './user-client.ts';
export * from './social-graph-client.ts';
export * from './news-client.ts';
export * from './in-process.ts';
