/**
 * `delinkcious smoke`: exercises a deployed system through its public API only,
 * as a post-deployment check (a Kubernetes Job, an Argo CD PostSync hook, CI).
 *
 * Two users are needed, because nobody can follow themselves: the owner of
 * `token` saves a link, the owner of `token2` follows them and must see it in
 * their news. Steps: who-am-i, follow, save, list, check (the status leaves
 * pending: `valid` or `invalid` both prove the link-checker round trip through
 * the event bus, since a deployment need not reach the internet), news, delete.
 * Whatever it created is removed again, also after a failure.
 */
import { randomUUID } from 'node:crypto';
import { ConfigError, envVar, readConfig } from '@delinkcious/kit';

type Env = Record<string, string | undefined>;

export interface SmokeOptions {
  /** The gateway's public base URL. */
  url: string;
  /** An API token (write scope) of the user who saves the link. */
  token: string;
  /** An API token (write scope) of a second user, who follows the first. */
  token2: string;
  /** The bound on each wait (check status, news). */
  timeoutMs: number;
  /**
   * The link to save; a unique path is appended. The default's `.invalid`
   * top-level name never resolves (RFC 2606), so the checker answers quickly
   * and the same everywhere: invalid.
   */
  linkBase?: string;
  /** One line per step done. */
  progress?: (line: string) => void;
}

/**
 * The command's settings: flags (`--url`, `--token`, `--token2`, `--timeout`)
 * win over these variables, which let a Kubernetes Job take the tokens from a
 * Secret without putting them in its arguments.
 */
export const smokeConfig = {
  SMOKE_URL: envVar.url(['http', 'https']),
  SMOKE_TOKEN: envVar.optionalString(),
  SMOKE_TOKEN2: envVar.optionalString(),
  SMOKE_TIMEOUT: envVar.durationMs(60_000),
  SMOKE_LINK_BASE: envVar.url(['http', 'https']),
};

export interface SmokeFlags {
  url?: string;
  token?: string;
  token2?: string;
  timeout?: string;
}

/** Options from flags over the environment; a missing or bad one is a ConfigError naming it. */
export function smokeOptions(flags: SmokeFlags, env: Env): SmokeOptions {
  const merged = { ...env };
  for (const [flag, name] of [['url', 'SMOKE_URL'], ['token', 'SMOKE_TOKEN'], ['token2', 'SMOKE_TOKEN2'], ['timeout', 'SMOKE_TIMEOUT']] as const) {
    if (flags[flag] !== undefined) merged[name] = flags[flag];
  }
  const config = readConfig(smokeConfig, merged);
  if (!config.SMOKE_URL) throw new ConfigError('smoke needs --url (or SMOKE_URL): the gateway\'s public URL');
  if (!config.SMOKE_TOKEN) throw new ConfigError('smoke needs --token (or SMOKE_TOKEN): an API token of the user who saves the link');
  if (!config.SMOKE_TOKEN2) throw new ConfigError('smoke needs --token2 (or SMOKE_TOKEN2): an API token of a second user, who follows the first');
  return { url: config.SMOKE_URL, token: config.SMOKE_TOKEN, token2: config.SMOKE_TOKEN2, timeoutMs: config.SMOKE_TIMEOUT, linkBase: config.SMOKE_LINK_BASE };
}

export interface SmokeReport {
  linkUrl: string;
  status: 'valid' | 'invalid';
  elapsedMs: number;
}

/** A step that failed: `message` is the one line the command prints. */
export class SmokeFailure extends Error {
  constructor(
    readonly step: string,
    reason: string,
  ) {
    super(`smoke: ${step} failed: ${reason}`);
    this.name = 'SmokeFailure';
  }
}

const defaultLinkBase = 'https://delinkcious-smoke.invalid/';
const requestTimeoutMs = 10_000;
const pollIntervalMs = 500;

interface Link {
  Url: string;
  Status: string;
}

export async function smoke(options: SmokeOptions): Promise<SmokeReport> {
  const started = Date.now();
  const api = new PublicApi(options.url);
  const progress = options.progress ?? (() => undefined);
  const linkUrl = new URL(`smoke-${randomUUID()}`, options.linkBase ?? defaultLinkBase).href;
  const cleanup: Array<() => Promise<unknown>> = [];
  try {
    const owner = await step('who-am-i', () => api.username(options.token));
    const follower = await step('who-am-i (token2)', () => api.username(options.token2));
    if (owner === follower) throw new SmokeFailure('who-am-i', `both tokens belong to ${owner}; token2 must be another user's`);

    const following = await step('follow', () => api.call<{ following: Record<string, boolean> }>(options.token2, 'GET', '/v1/following'));
    if (!following.following[owner.toLowerCase()]) {
      await step('follow', () => api.call(options.token2, 'POST', '/v1/following', { followed: owner }));
      cleanup.push(() => api.call(options.token2, 'DELETE', `/v1/following?${new URLSearchParams({ followed: owner })}`));
    }
    progress(`follow: ${follower} follows ${owner}`);

    await step('save', () => api.call(options.token, 'POST', '/v1/links', { url: linkUrl, title: 'Delinkcious smoke test', tags: 'delinkcious-smoke' }));
    const deleteLink = () => api.call(options.token, 'DELETE', `/v1/links?${new URLSearchParams({ url: linkUrl })}`);
    cleanup.push(deleteLink);
    progress(`save: ${linkUrl}`);

    const findLink = async (): Promise<Link | undefined> => {
      const query = new URLSearchParams({ url_regex: escapeRegex(linkUrl), limit: '10' });
      const page = await api.call<{ links: Link[] }>(options.token, 'GET', `/v1/links?${query}`);
      return page.links.find((link) => link.Url === linkUrl);
    };
    const listed = await step('list', findLink);
    if (!listed) throw new SmokeFailure('list', `GET /v1/links does not show ${linkUrl}`);
    progress('list: the link is listed');

    const checked = await step('check', () =>
      poll(findLink, (link) => link !== undefined && link.Status !== 'pending', options.timeoutMs, (link) => `the link is still ${link?.Status ?? 'missing'}`),
    );
    const status = checked!.Status as SmokeReport['status'];
    progress(`check: ${status}`);

    await step('news', () =>
      poll(
        () => api.call<{ events: Array<{ event_type: string; url: string }> }>(options.token2, 'GET', '/v1/news'),
        (news) => news.events.some((event) => event.event_type === 'LINK_ADDED' && event.url === linkUrl),
        options.timeoutMs,
        () => `${follower}'s news has no LINK_ADDED for the link`,
      ),
    );
    progress(`news: ${follower} sees the link`);

    await step('delete', deleteLink);
    cleanup.splice(cleanup.indexOf(deleteLink), 1);
    if (await step('delete', findLink)) throw new SmokeFailure('delete', 'the link is still listed after DELETE');
    progress('delete: the link is gone');
    return { linkUrl, status, elapsedMs: Date.now() - started };
  } finally {
    // Newest first; a cleanup that fails must not hide the step that failed.
    for (const undo of cleanup.reverse()) await undo().catch(() => undefined);
  }
}

/** Runs one step, turning any error into a SmokeFailure that names it. */
async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof SmokeFailure) throw error;
    throw new SmokeFailure(name, reasonOf(error));
  }
}

async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, describe: (last: T | undefined) => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (done(last)) return last;
    if (Date.now() >= deadline) throw new Error(`${describe(last)} after ${Math.round(timeoutMs / 1000)}s`);
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
  }
}

class PublicApi {
  constructor(private readonly base: string) {}

  async username(token: string): Promise<string> {
    const session = await this.call<{ username?: unknown }>(token, 'GET', '/v1/session');
    if (typeof session.username !== 'string') throw new Error('GET /v1/session answered no username');
    return session.username;
  }

  async call<T = unknown>(token: string, method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(new URL(path, this.base), {
      method,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'manual',
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
    const text = await response.text();
    let parsed: { err?: unknown } | undefined;
    try {
      parsed = JSON.parse(text) as { err?: unknown };
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const detail = typeof parsed?.err === 'string' && parsed.err ? parsed.err : text.slice(0, 200).replace(/\s+/g, ' ');
      throw new Error(`${method} ${path.split('?')[0]} answered ${response.status}: ${detail}`);
    }
    if (parsed === undefined) throw new Error(`${method} ${path.split('?')[0]} answered ${response.status} without JSON`);
    return parsed as T;
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return `no answer within ${requestTimeoutMs / 1000}s`;
    // fetch's own message is "fetch failed"; the cause says why (refused, unknown host).
    const cause = (error as { cause?: unknown }).cause;
    if (error.message === 'fetch failed' && cause instanceof Error) return `cannot reach the server: ${cause.message}`;
    return error.message;
  }
  return String(error);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
