export * from './news-wire.ts';
