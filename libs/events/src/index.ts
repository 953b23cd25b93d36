export * from './bus.ts';
export * from './in-process-bus.ts';
export * from './nats-auth.ts';
export * from './nats-bus.ts';
export * from './outbox.ts';
