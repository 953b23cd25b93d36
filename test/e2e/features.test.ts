/**
 * The features end to end, in both deployments (embedded: one process, PGlite,
 * the in-process bus; separate: six processes on PostgreSQL, Redis and a
 * private NATS; skipped without them, required in CI). One deployment of each
 * kind serves every suite here: each suite signs in users of its own, and a
 * deployment takes longer to start than most suites take to run.
 */
import { after, describe } from 'node:test';
import { inBothDeployments } from './support/both-deployments.ts';
import { importExportSuite } from './support/import-export-suite.ts';
import { linkHealthSuite, startHealthSite } from './support/link-health-suite.ts';
import { organizeSuite } from './support/organize-suite.ts';
import { pinboardSuite } from './support/pinboard-suite.ts';
import { privateLinksSuite } from './support/private-links-suite.ts';
import { profilesSuite } from './support/profiles-suite.ts';
import { searchSuite } from './support/search-suite.ts';

const healthSite = await startHealthSite();
after(() => healthSite.close());

await inBothDeployments(
  'features',
  (deployment) => {
    describe('private links', () => privateLinksSuite(deployment));
    describe('profiles and feeds', () => profilesSuite(deployment));
    describe('tags, bulk edits, read later', () => organizeSuite(deployment));
    describe('search', () => searchSuite(deployment));
    describe('Pinboard v1 API', () => pinboardSuite(deployment));
    describe('import and export', () => importExportSuite(deployment));
    describe('link health', () => linkHealthSuite(deployment, healthSite.siteUrl));
  },
  {
    // Pinboard clients call in bursts; the limits have their own tests (services/api-gateway).
    gatewayEnv: { PINBOARD_RATE_LIMIT_PER_MINUTE: '0', PINBOARD_FULL_READS_PER_MINUTE: '0' },
    // The checker checks the site above (on 127.0.0.1) and asks its Wayback stand-in.
    checkerEnv: { LINK_CHECKER_ALLOW_PRIVATE_NETWORKS: 'true', WAYBACK_API_URL: healthSite.waybackUrl },
  },
);
