/**
 * How a service is started, whether alone in its container or beside the
 * others in the embedded process: the CLI builds a ServiceContext and calls the
 * service's definition.
 */
import type { Bus } from '@delinkcious/object-model';
import type { Lifecycle } from './lifecycle.ts';
import type { LocalServicesView } from './local-services.ts';
import type { Logger } from './logger.ts';
import type { MutualAuth } from './mutual-auth.ts';
import type { ServiceName } from './services.ts';

export type Env = Record<string, string | undefined>;

export interface ServiceContext {
  env: Env;
  /** Where to listen. */
  host: string;
  port: number;
  /** True in the embedded default: one process, embedded stores. */
  embedded: boolean;
  mutualAuth: MutualAuth;
  /** Events: NATS JetStream when NATS_URL is set, else the in-process bus shared by the process's services. */
  bus: Bus;
  lifecycle: Lifecycle;
  logger: Logger;
  /** The base URL of another service. */
  urlOf(name: ServiceName): string;
  /**
   * Embedded by `delinkcious start`: the other services of the process, called
   * in-process instead of over loopback. Absent when the service runs alone.
   */
  local?: LocalServicesView;
}

export interface RunningService {
  /** Where it listens; inProcessUrl when it opened no port (embedded, reached in-process only). */
  url: string;
}

export interface ServiceDefinition {
  name: ServiceName;
  /** Reads and validates the service's variables; throws ConfigError. Called before anything starts. */
  checkConfig(env: Env): void;
  start(context: ServiceContext): Promise<RunningService>;
  /** Applies the service's migrations and returns; absent for services without a database. */
  migrate?(context: Pick<ServiceContext, 'env' | 'logger'>): Promise<number[]>;
}
