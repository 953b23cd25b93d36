export * from './link-client.ts';
