/**
 * How a process authenticates to NATS, from the standard variables: a user and
 * password in NATS_URL (nats://user:password@host:4222) or NATS_USER and
 * NATS_PASSWORD, a token (NATS_TOKEN), or a decentralised-auth credentials file
 * (NATS_CREDS_FILE: a user JWT and its NKey seed). At most one way; none means
 * an open server. TLS needs no setting here: a tls:// URL asks for it.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from '@nats-io/transport-node';
import { ConfigError, envVar, readConfig } from '@delinkcious/kit';

type Env = Record<string, string | undefined>;

export const natsAuthConfig = {
  NATS_USER: envVar.optionalString(),
  NATS_PASSWORD: envVar.optionalString(),
  NATS_TOKEN: envVar.optionalString(),
  NATS_CREDS_FILE: envVar.optionalString(),
};

/** The server addresses (without credentials) and the connection's authentication options. */
export interface NatsConnectionSettings {
  servers: string;
  /** `creds`: a credentials file's content, which the bus turns into NATS's authenticator when it connects. */
  auth: Pick<ConnectionOptions, 'user' | 'pass' | 'token'> & { creds?: Uint8Array };
}

/** Reads NATS_URL's credentials and the NATS_* variables; a contradiction or an unreadable file is a ConfigError naming it. */
export function natsConnectionSettings(natsUrl: string, env: Env): NatsConnectionSettings {
  const config = readConfig(natsAuthConfig, env);
  const url = new URL(natsUrl);
  const fromUrl = url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined;
  url.username = '';
  url.password = '';
  const servers = url.href.replace(/\/$/, '');

  if (config.NATS_PASSWORD && !config.NATS_USER) throw new ConfigError('NATS_PASSWORD is set without NATS_USER');
  const ways = [fromUrl && 'a user in NATS_URL', config.NATS_USER && 'NATS_USER', config.NATS_TOKEN && 'NATS_TOKEN', config.NATS_CREDS_FILE && 'NATS_CREDS_FILE'].filter(Boolean);
  if (ways.length > 1) throw new ConfigError(`NATS authentication is given twice (${ways.join(' and ')}): use one`);

  if (fromUrl) return { servers, auth: fromUrl };
  if (config.NATS_USER) return { servers, auth: { user: config.NATS_USER, pass: config.NATS_PASSWORD ?? '' } };
  if (config.NATS_TOKEN) return { servers, auth: { token: config.NATS_TOKEN } };
  if (config.NATS_CREDS_FILE) {
    let creds: Uint8Array;
    try {
      creds = readFileSync(config.NATS_CREDS_FILE);
    } catch (error) {
      throw new ConfigError(`NATS_CREDS_FILE cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
    }
    return { servers, auth: { creds } };
  }
  return { servers, auth: {} };
}
