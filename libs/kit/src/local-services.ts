/**
 * The services of the embedded process, reached in-process: each service's
 * start() provides its manager and readiness check here, and a service that
 * calls another takes the manager from here instead of opening a network
 * client. A caller obtains only the services its row of authorization.ts lets
 * it call, as its caller token would over the network.
 */
import type { LinkCheckedEvent, LinkCheckResult, LinkManager, NewsManager, SocialGraphManager, UserManager } from '@delinkcious/object-model';
import { allowedCalls } from './authorization.ts';
import type { FastifyInstance } from 'fastify';
import type { Lifecycle } from './lifecycle.ts';
import type { Logger } from './logger.ts';
import { serve } from './server.ts';
import type { ServiceName } from './services.ts';
import { tracedCalls } from './trace.ts';

/** The link-checker function as link-service calls it. */
export interface LocalLinkChecker {
  /** `result`: everything the check found, as link.checked carries it (docs/design.md §17). */
  check(username: string, url: string): Promise<{ status: LinkCheckedEvent['status']; httpStatus: number; result?: LinkCheckResult }>;
}

/** What each service offers its callers. */
export interface LocalManagers {
  'link-service': LinkManager;
  'user-service': UserManager;
  'social-graph-service': SocialGraphManager;
  'news-service': NewsManager;
  'link-checker': LocalLinkChecker;
}

export type LocalServiceName = keyof LocalManagers;

export interface LocalService<S extends LocalServiceName = LocalServiceName> {
  name: S;
  manager: LocalManagers[S];
  /** The service's logger: an unexpected failure is logged by the service that failed, as it would be over the network. */
  logger: Logger;
}

/** One service's view of the registry: it provides under its own name and looks up as itself. */
export interface LocalServicesView {
  /** The service this view belongs to. */
  readonly self: ServiceName;
  /** EMBEDDED_INTERNAL_PORTS: internal services still listen on their ports (for debugging). */
  readonly openInternalPorts: boolean;
  /** Registers this service's readiness check, so that the gateway's /readyz covers the whole process. */
  provideReadiness(check: () => Promise<void>): void;
  /** Registers this service's manager for its callers in the process. */
  provide(manager: LocalManagers[LocalServiceName], logger: Logger): void;
  /**
   * The manager of `service`, if this service may call it. Throws when it may not
   * (authorization.ts), or when it has not started yet (the start-up order is wrong).
   */
  get<S extends LocalServiceName>(service: S): LocalService<S>;
  /** Every service's readiness in the process; rejects naming the first that is not ready. */
  readiness(): Promise<void>;
}

export class LocalServiceError extends Error {}

export class LocalServices {
  private readonly managers = new Map<ServiceName, LocalService>();
  private readonly checks = new Map<ServiceName, () => Promise<void>>();

  constructor(readonly openInternalPorts = false) {}

  /** The view handed to `self`'s ServiceContext. */
  for(self: ServiceName): LocalServicesView {
    return {
      self,
      openInternalPorts: this.openInternalPorts,
      provideReadiness: (check) => void this.checks.set(self, check),
      provide: (manager, logger) => {
        if (this.managers.has(self)) throw new LocalServiceError(`${self} is already provided in this process`);
        this.managers.set(self, { name: self as LocalServiceName, manager, logger } as LocalService);
      },
      get: <S extends LocalServiceName>(service: S) => this.lookup(self, service),
      readiness: () => this.readiness(),
    };
  }

  private lookup<S extends LocalServiceName>(caller: ServiceName, service: S): LocalService<S> {
    if (allowedCalls[service]?.[caller] === undefined) throw new LocalServiceError(`${caller} may not call ${service} (authorization.ts)`);
    const found = this.managers.get(service);
    if (!found) throw new LocalServiceError(`${caller} needs ${service}, which has not started in this process: start it first`);
    // With tracing on, each in-process call is a span, as the HTTP call it replaces would be.
    return { ...found, manager: tracedCalls(service, found.manager, { 'delinkcious.caller': caller }) } as LocalService<S>;
  }

  private async readiness(): Promise<void> {
    await Promise.all(
      [...this.checks].map(async ([service, check]) => {
        try {
          await check();
        } catch (error) {
          throw new Error(`${service}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        }
      }),
    );
  }
}

/** The RunningService url of a service that opened no port of its own. */
export const inProcessUrl = 'in-process';

/** Whether a service opens its own port: always on its own, and embedded only with EMBEDDED_INTERNAL_PORTS. */
export function opensOwnPort(local: LocalServicesView | undefined): boolean {
  return local === undefined || local.openInternalPorts;
}

/**
 * Builds and serves a service's own HTTP server on `host:port`, unless it is
 * reached in-process only (then nothing is built): answers its URL or inProcessUrl.
 */
export async function serveUnlessInProcess(
  context: { local?: LocalServicesView | undefined; lifecycle: Lifecycle; host: string },
  port: number,
  name: string,
  build: () => FastifyInstance,
): Promise<string> {
  if (!opensOwnPort(context.local)) return inProcessUrl;
  return serve(build(), context.lifecycle, context.host, port, name);
}
