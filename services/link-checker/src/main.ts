/** Wires the link-checker function: its checker, the event bus it publishes to, and its HTTP transport. */
import { subjects } from '@delinkcious/events';
import { checkResultFromEvent } from '@delinkcious/object-model';
import { ServiceMetrics, createServiceServer, serveUnlessInProcess, type Env, type ServiceDefinition } from '@delinkcious/kit';
import { archiveLookup } from './archive-lookup.ts';
import { checkUrl } from './check-url.ts';
import { DefaultLinkChecker, type Publish } from './checker.ts';
import { readLinkCheckerConfig } from './config.ts';
import { SharedResolver } from './shared-resolver.ts';
import { createAddressPolicy, systemResolver } from './ssrf-guard.ts';
import { registerLinkCheckerRoutes } from './transport/http.ts';

export const linkChecker: ServiceDefinition = {
  name: 'link-checker',
  checkConfig: (env: Env) => void readLinkCheckerConfig(env),

  async start(context) {
    const config = readLinkCheckerConfig(context.env);
    const { logger, bus } = context;
    const metrics = new ServiceMetrics('link-checker');
    const checks = metrics.counter('link_checks_total', 'Links checked, by result (valid, invalid)', ['result']);
    const policy = createAddressPolicy({ allowPrivateNetworks: config.LINK_CHECKER_ALLOW_PRIVATE_NETWORKS });
    if (config.LINK_CHECKER_ALLOW_PRIVATE_NETWORKS) logger.warn('LINK_CHECKER_ALLOW_PRIVATE_NETWORKS=true: links may point into private networks');

    // No outbox here: the function has no store, so a failed publish fails the call (503) and the caller retries.
    const publish: Publish = async (event) => {
      try {
        await bus.publish(subjects.linkChecked, event);
        metrics.eventsPublished.inc({ subject: subjects.linkChecked });
        checks.inc({ result: event.status });
      } catch (error) {
        metrics.eventsPublishFailed.inc({ subject: subjects.linkChecked });
        // Shutting down, a check that answers after its consumers closed is expected (the link stays pending).
        logger[context.lifecycle.isClosing ? 'debug' : 'warn']({ err: error instanceof Error ? error.message : String(error), url: event.url }, 'link.checked not published');
        throw error;
      }
    };
    // One lookup per host for all the checks of it, reused a short while (shared-resolver.ts).
    const { resolve: resolver } = new SharedResolver({ lookup: systemResolver });
    const checker = new DefaultLinkChecker({
      checkUrl: (url) => checkUrl(url, { timeoutMs: config.LINK_CHECK_TIMEOUT, resolver, policy, readPage: true }),
      archiveLookup: archiveLookup({ apiUrl: config.WAYBACK_API_URL, timeoutMs: config.WAYBACK_TIMEOUT }),
      publish,
    });
    // A result that cannot be published is useless: not ready without the bus.
    const readiness = () => bus.ping();
    // In-process, link-service receives what its client would read from the HTTP answer, nothing more.
    context.local?.provide(
      {
        check: async (username: string, url: string) => {
          const { status, httpStatus, event } = await checker.check(username, url);
          return { status, httpStatus, result: checkResultFromEvent(event) };
        },
      },
      logger,
    );
    context.local?.provideReadiness(readiness);
    const url = await serveUnlessInProcess(context, context.port, 'link-checker', () => {
      const server = createServiceServer({
        service: 'link-checker',
        logger,
        metrics,
        // link-service is the caller; its token is checked as on every internal service.
        mutualAuth: context.mutualAuth,
        readiness,
      });
      registerLinkCheckerRoutes(server, checker);
      return server;
    });
    return { url };
  },
};
