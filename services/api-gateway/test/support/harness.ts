/**
 * The gateway over real HTTP on 127.0.0.1, wired to the real managers on
 * their in-memory stores (or to whatever a test injects), and a small fetch
 * wrapper that never follows redirects.
 */
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createLogger, listen, type Env, type Logger } from '@delinkcious/kit';
import { DefaultLinkManager, MemoryLinkStore, registerLinkRoutes } from '@delinkcious/link-service';
import type { LinkManager, SocialGraphManager, UserManager } from '@delinkcious/object-model';
import { DefaultSocialGraphManager, MemorySocialGraphStore } from '@delinkcious/social-graph-service';
import { DefaultUserManager, MemoryUserStore } from '@delinkcious/user-service';
import { createGateway } from '../../src/gateway.ts';
import { readApiGatewayConfig } from '../../src/config.ts';

export { call, type Answer, type CallOptions } from '@delinkcious/testing';

import { call, quietServiceServer, type Answer, type CallOptions } from '@delinkcious/testing';

/** The value of cookie `name` among the response's Set-Cookie lines, with its attributes. */
export function setCookie(answer: Answer, name: string): { value: string; attributes: string } | undefined {
  for (const line of answer.headers.getSetCookie()) {
    const [pair = '', ...attributes] = line.split(';');
    const eq = pair.indexOf('=');
    if (pair.slice(0, eq).trim() === name) return { value: pair.slice(eq + 1).trim(), attributes: attributes.join(';') };
  }
  return undefined;
}

export interface GatewayHarness {
  url: string;
  server: FastifyInstance;
  links: LinkManager;
  users: UserManager;
  socialGraph: SocialGraphManager;
  /** Registers `username` and answers a fresh session token. */
  signIn(username: string): Promise<string>;
  call(method: string, path: string, options?: CallOptions): Promise<Answer>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Env;
  links?: LinkManager;
  users?: UserManager;
  socialGraph?: SocialGraphManager;
  /** Where the gateway logs; default: nowhere (TEST_LOG_LEVEL to see it). */
  logger?: Logger;
}

export function memoryManagers() {
  return {
    links: new DefaultLinkManager({ store: new MemoryLinkStore(), maxLinksPerUser: 1000 }),
    users: new DefaultUserManager({ store: new MemoryUserStore() }),
    socialGraph: new DefaultSocialGraphManager({ store: new MemorySocialGraphStore() }),
  };
}

const logger = createLogger('api-gateway-test');
logger.level = process.env.TEST_LOG_LEVEL ?? 'silent';

export async function startGateway(options: HarnessOptions = {}): Promise<GatewayHarness> {
  const defaults = memoryManagers();
  const links = options.links ?? defaults.links;
  const users = options.users ?? defaults.users;
  const socialGraph = options.socialGraph ?? defaults.socialGraph;
  const config = readApiGatewayConfig({ DELINKCIOUS_MUTUAL_AUTH: 'false', ...options.env });
  const server = await createGateway({ config, links, users, socialGraph, logger: options.logger ?? logger });
  const url = await listen(server, '127.0.0.1', 0);
  return {
    url,
    server,
    links,
    users,
    socialGraph,
    async signIn(username) {
      await users.register({ username, name: username, email: `${username}@example.com` });
      return (await users.login(username)).token;
    },
    call: (method, path, callOptions) => call(url, method, path, callOptions),
    close: () => server.close(),
  };
}

/** A port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (!address || typeof address !== 'object') throw new Error('no port');
  return address.port;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A logger that keeps what the gateway logs, to read it back. */
export function recordingLogger(): { logger: Logger; lines: unknown[] } {
  const lines: unknown[] = [];
  const record = (...args: unknown[]) => void lines.push(args);
  const logger = {
    level: 'info',
    info: record,
    warn: record,
    error: record,
    fatal: record,
    debug: record,
    trace: record,
    silent: () => {},
    child: () => logger,
    isLevelEnabled: () => true,
  };
  return { logger: logger as unknown as Logger, lines };
}

/**
 * The gateway both ways over the same managers: `overHttp` calls link-service's routes (served here
 * on loopback) through `client`, `inProcess` calls the managers in-process. `close` stops all.
 */
export async function gatewaysBothWays<C extends LinkManager & { close(): void }>(
  managers: ReturnType<typeof memoryManagers>,
  makeClient: (baseUrl: string) => C,
): Promise<{ client: C; overHttp: GatewayHarness; inProcess: GatewayHarness; close: () => Promise<void> }> {
  const linkService = quietServiceServer('link-service');
  registerLinkRoutes(linkService, managers.links);
  const client = makeClient(await listen(linkService, '127.0.0.1', 0));
  const overHttp = await startGateway({ ...managers, links: client });
  const inProcess = await startGateway(managers);
  return {
    client,
    overHttp,
    inProcess,
    async close() {
      await overHttp.close();
      await inProcess.close();
      client.close();
      await linkService.close();
    },
  };
}
