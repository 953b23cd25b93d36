/**
 * A suite run against both deployments of the same code: embedded (one
 * `delinkcious start` process, PGlite, the in-process bus) and separate (all
 * six services, each its own process, on PostgreSQL, Redis and a private NATS;
 * skipped, with a line that says why, without them; required in CI).
 */
import { after, before, describe } from 'node:test';
import { externalService, natsServerBinary, startEmbedded, startSeparate, type Deployment } from '@delinkcious/testing';

const startUpTimeout = { timeout: 150_000 };

export interface BothDeploymentsOptions {
  /** Added to the gateway's environment (embedded: the one process's), e.g. PUBLIC_PROFILES. */
  gatewayEnv?: Record<string, string>;
  /** Added to the link-checker's environment (embedded: the one process's), e.g. WAYBACK_API_URL. */
  checkerEnv?: Record<string, string>;
}

export async function inBothDeployments(title: string, suite: (deployment: () => Deployment) => void, { gatewayEnv = {}, checkerEnv = {} }: BothDeploymentsOptions = {}): Promise<void> {
  describe(`${title}, embedded: one \`delinkcious start\` process`, () => {
    let deployment: Deployment | undefined;
    before(async () => {
      deployment = await startEmbedded({ extraEnv: { ...gatewayEnv, ...checkerEnv } });
    }, startUpTimeout);
    after(() => deployment?.stop(), startUpTimeout);

    suite(() => deployment!);
  });

  const postgres = await externalService('TEST_DATABASE_URL');
  const redis = await externalService('TEST_REDIS_URL');
  const natsServer = natsServerBinary();
  describe(`${title}, separate processes: six services on PostgreSQL, Redis and a private NATS`, { skip: postgres.skip || redis.skip || natsServer.skip }, () => {
    let deployment: Deployment | undefined;
    before(async () => {
      deployment = await startSeparate({
        databaseUrl: postgres.url!,
        redisUrl: redis.url!,
        natsServerBinary: natsServer.path!,
        serviceEnv: { 'api-gateway': gatewayEnv, 'link-checker': checkerEnv },
      });
    }, startUpTimeout);
    after(() => deployment?.stop(), startUpTimeout);

    suite(() => deployment!);
  });
}
