/**
 * Plain HTTP for tests that drive a service as a client would: one call helper
 * (never follows a redirect, answers status, headers, parsed body and time)
 * and a small cookie jar for sign-in flows.
 */

export interface CallOptions {
  /** Sent as `Access-Token` (the original's header), or as `Authorization: Bearer` with `bearer`. */
  token?: string;
  bearer?: boolean;
  /** Cookies: a jar that also keeps what the answer sets, or a Cookie header as is. */
  jar?: CookieJar;
  cookie?: string;
  json?: unknown;
  form?: Record<string, string | string[]>;
  query?: Record<string, string>;
  /** A raw body (with its content-type in `headers`). */
  body?: string;
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
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) {
    if (options.bearer) headers.authorization = `Bearer ${options.token}`;
    else headers['access-token'] = options.token;
  }
  const cookie = options.jar?.header() ?? options.cookie;
  if (cookie !== undefined) headers.cookie = cookie;
  let body = options.body;
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
