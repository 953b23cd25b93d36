/**
 * Private links end to end, in both deployments (as news.test.ts runs them):
 * embedded (one process, PGlite, the in-process bus) and separate (six
 * processes on PostgreSQL, Redis and a private NATS; skipped without them, required in CI).
 */
import { inBothDeployments } from './support/both-deployments.ts';
import { privateLinksSuite } from './support/private-links-suite.ts';

await inBothDeployments('private links', privateLinksSuite);
