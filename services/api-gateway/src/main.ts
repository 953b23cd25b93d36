/**
 * Wires the api-gateway: the managers of the services behind it (in-process
 * when embedded, else their clients, each with the gateway's caller token,
 * timeouts, retries and a circuit breaker) and the public HTTP server.
 */
import { LinkClient, NewsClient, SocialGraphClient, UserClient, managerOf } from '@delinkcious/clients';
import { ServiceMetrics, serve, type Env, type ServiceDefinition } from '@delinkcious/kit';
import { readApiGatewayConfig } from './config.ts';
import { createGateway } from './gateway.ts';

export const apiGateway: ServiceDefinition = {
  name: 'api-gateway',
  checkConfig: (env: Env) => void readApiGatewayConfig(env),

  async start(context) {
    const config = readApiGatewayConfig(context.env, { embedded: context.embedded });
    const logger = context.logger;
    if (!config.SESSION_SECRET && !context.embedded && config.GITHUB_CLIENT_ID) {
      logger.warn(
        'SESSION_SECRET is not set: each replica signs sign-in state with its own key, so a GitHub sign-in fails when its callback reaches another replica',
      );
    }
    if (!config.GITHUB_CLIENT_ID && !config.DEV_LOGIN) {
      logger.warn('sign-in is not configured: set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET (or DEV_LOGIN=true on your own machine)');
    }

    const client = { callerToken: context.mutualAuth.outboundToken, timeoutMs: config.DOWNSTREAM_TIMEOUT };
    const links = managerOf(context, 'link-service', () => new LinkClient({ baseUrl: context.urlOf('link-service'), ...client }));
    const users = managerOf(context, 'user-service', () => new UserClient({ baseUrl: context.urlOf('user-service'), ...client }));
    const socialGraph = managerOf(context, 'social-graph-service', () => new SocialGraphClient({ baseUrl: context.urlOf('social-graph-service'), ...client }));
    const news = managerOf(context, 'news-service', () => new NewsClient({ baseUrl: context.urlOf('news-service'), ...client }));
    // Embedded, the only port: its /readyz answers for every service of the process.
    const readiness = context.local?.readiness;

    const server = await createGateway({
      config,
      links,
      users,
      socialGraph,
      news,
      logger,
      metrics: new ServiceMetrics('api-gateway'),
      ...(readiness && { readiness }),
    });
    const url = await serve(server, context.lifecycle, context.host, context.port, 'api-gateway');
    return { url };
  },
};
