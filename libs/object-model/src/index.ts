export * from './errors.ts';
export * from './events.ts';
export * from './link.ts';
export * from './news.ts';
export * from './social-graph.ts';
export * from './user.ts';
export * from './wire.ts';
export * from './rules.ts';
