/**
 * The gateway over real HTTP on 127.0.0.1, wired to the real managers on
 * their in-memory stores (or to whatever a test injects), and a small fetch
 * wrapper that never follows redirects.
 */
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createLogger, listen, type Env } from '@delinkcious/kit';
import { DefaultLinkManager, MemoryLinkStore } from '@delinkcious/link-service';
import type { LinkManager, SocialGraphManager, UserManager } from '@delinkcious/object-model';
import { DefaultSocialGraphManager, MemorySocialGraphStore } from '@delinkcious/social-graph-service';
import { DefaultUserManager, MemoryUserStore } from '@delinkcious/user-service';
import { createGateway } from '../../src/gateway.ts';
import { readApiGatewayConfig } from '../../src/config.ts';

export interface CallOptions {
  token?: string;
  /** Sent as `Authorization: Bearer` instead of `Access-Token`. */
  bearer?: boolean;
  cookie?: string;
  json?: unknown;
  form?: Record<string, string | string[]>;
  query?: Record<string, string>;
  body?: string;
  headers?: Record<string, string>;
}

export interface Answer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read answers loosely
  body: any;
  text: string;
  ms: number;
}

export async function call(base: string, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const url = new URL(path, base);
  for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) {
    if (options.bearer) headers.authorization = `Bearer ${options.token}`;
    else headers['access-token'] = options.token;
  }
  if (options.cookie !== undefined) headers.cookie = options.cookie;
  let body: string | undefined = options.body;
  if (options.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form !== undefined) {
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(options.form)) for (const item of [value].flat()) params.append(key, item);
    body = params.toString();
  }
  const started = performance.now();
  const response = await fetch(url, { method, headers, body, redirect: 'manual' });
  const text = await response.text();
  const ms = performance.now() - started;
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed, text, ms };
}

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
  const server = await createGateway({ config, links, users, socialGraph, logger });
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
