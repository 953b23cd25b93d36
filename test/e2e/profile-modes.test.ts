/**
 * PUBLIC_PROFILES=signed-in and =off end to end (issue 20), in both
 * deployments: embedded, and separate (six processes on PostgreSQL, Redis and
 * a private NATS; skipped without them, required in CI), the gateway started
 * with the mode. A file of its own, so the test runner runs it beside
 * features.test.ts (which runs the default mode).
 */
import { inBothDeployments } from './support/both-deployments.ts';
import { profileModeSuite } from './support/profiles-suite.ts';

for (const mode of ['signed-in', 'off'] as const) {
  await inBothDeployments(`profiles and feeds, PUBLIC_PROFILES=${mode}`, (deployment) => profileModeSuite(deployment, mode), {
    gatewayEnv: { PUBLIC_PROFILES: mode },
  });
}
