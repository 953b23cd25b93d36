/**
 * Profiles, people search and Atom feeds end to end (issue 20), in both
 * deployments: embedded (one process, PGlite, the in-process bus) and separate
 * (six processes on PostgreSQL, Redis and a private NATS; skipped without
 * them, required in CI), with PUBLIC_PROFILES=anyone (the default);
 * profile-modes.test.ts runs the other modes.
 */
import { inBothDeployments } from './support/both-deployments.ts';
import { profilesSuite } from './support/profiles-suite.ts';

await inBothDeployments('profiles and feeds', profilesSuite);
