/**
 * Plain HTTP for the end-to-end suite: one call helper (never follows a
 * redirect), a small cookie jar for the sign-in flows, and polling.
 */

export interface CallOptions {
  /** Sent as `Access-Token` (the original's header), or as `Authorization: Bearer` with `bearer`. */
  token?: string;
  bearer?: boolean;
  jar?: CookieJar;
  json?: unknown;
  form?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export interface Answer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read answers loosely
  body: any;
  text: string;
  /** How long the request took, in milliseconds. */
  ms: number;
}

export async function call(base: string, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const url = new URL(path, base);
  for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.token !== undefined) {
    if (options.bearer) headers.authorization = `Bearer ${options.token}`;
    else headers['access-token'] = options.token;
  }
  const cookie = options.jar?.header();
  if (cookie) headers.cookie = cookie;
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  }
  const started = performance.now();
  const response = await fetch(url, {
    method,
    headers,
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(options.timeoutMs ?? 20_000),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  options.jar?.store(response.headers);
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed, text, ms };
}

/** What a browser keeps between requests to one site: name=value pairs from Set-Cookie, dropped when cleared. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const cleared = attributes.some((attribute) => {
        const [key = '', setting = ''] = attribute.split('=').map((part) => part.trim());
        return (
          (key.toLowerCase() === 'max-age' && Number(setting) <= 0) ||
          (key.toLowerCase() === 'expires' && Date.parse(setting) <= Date.now())
        );
      });
      if (cleared || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  header(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/** Calls `attempt` until `done` holds of its result or `timeoutMs` passes; answers the last result either way. */
export async function poll<T>(
  attempt: () => Promise<T>,
  done: (result: T) => boolean,
  { timeoutMs = 10_000, intervalMs = 200 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let result: T | undefined;
    let failure: unknown;
    try {
      result = await attempt();
      if (done(result)) return result;
    } catch (error) {
      failure = error;
    }
    if (Date.now() >= deadline) {
      if (failure !== undefined) throw failure;
      return result as T;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A sign-in through the gateway's local sign-in (DEV_LOGIN=true): answers the user's Delinkcious token. */
export async function localSignIn(base: string, username: string): Promise<string> {
  const answer = await call(base, 'POST', '/login/dev', { json: { username } });
  if (answer.status !== 200 || typeof answer.body?.access_token !== 'string') {
    throw new Error(`local sign-in of ${username} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
  }
  return answer.body.access_token as string;
}
