// Preloaded with `node --import` (through NODE_OPTIONS): appends the URL of every
// module the process resolves to the file named by DELINKCIOUS_LOAD_LOG, so a test
// can tell what a start-up imported.
import { register } from 'node:module';

register('./record-loads-hooks.mjs', import.meta.url, { data: { log: process.env.DELINKCIOUS_LOAD_LOG } });
