/**
 * The services of docs/design.md §1 and how to find each one: Kubernetes-style
 * `<NAME>_SERVICE_HOST` / `_PORT` variables, defaulting to localhost and the
 * service's own port.
 */
import { ConfigError } from './config.ts';

export const serviceCatalog = {
  'api-gateway': { envPrefix: 'API_GATEWAY', port: 5000 },
  'link-service': { envPrefix: 'LINK_MANAGER', port: 8080 },
  'social-graph-service': { envPrefix: 'SOCIAL_GRAPH_MANAGER', port: 9090 },
  'user-service': { envPrefix: 'USER_MANAGER', port: 7070 },
  'news-service': { envPrefix: 'NEWS_MANAGER', port: 6060 },
  'link-checker': { envPrefix: 'LINK_CHECKER', port: 8081 },
} as const;

export type ServiceName = keyof typeof serviceCatalog;

type Env = Record<string, string | undefined>;

function serviceHost(name: ServiceName, env: Env = process.env): string {
  return env[`${serviceCatalog[name].envPrefix}_SERVICE_HOST`]?.trim() || 'localhost';
}

export function servicePort(name: ServiceName, env: Env = process.env): number {
  const value = env[`${serviceCatalog[name].envPrefix}_SERVICE_PORT`]?.trim();
  const port = value ? Number(value) : serviceCatalog[name].port;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(`${serviceCatalog[name].envPrefix}_SERVICE_PORT must be a port number, got "${value}"`);
  }
  return port;
}

export function serviceUrl(name: ServiceName, env: Env = process.env): string {
  const host = serviceHost(name, env);
  return `http://${host.includes(':') ? `[${host}]` : host}:${servicePort(name, env)}`;
}
