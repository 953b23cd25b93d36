/**
 * The client one service uses to call another over HTTP: a timeout on every
 * call, retries with backoff and jitter for idempotent calls that failed
 * before an answer (never for one that timed out), a circuit breaker
 * per downstream service (a dead dependency fails fast with UnavailableError),
 * the caller token of mutual auth, and errors mapped back to the typed errors
 * the remote manager threw.
 */
import { Agent, request as send } from 'undici';
import { TransientError, UnavailableError, errorFromStatus } from '@delinkcious/object-model';
import { callerTokenHeader } from './mutual-auth.ts';
import { ServiceBreaker, withRetries, type BreakerOptions } from './resilience.ts';
import { traceHeaders } from './trace.ts';

export interface HttpClientOptions {
  /** The downstream service's name, for error messages. */
  target: string;
  baseUrl: string;
  callerToken?: string | undefined;
  timeoutMs?: number;
  retries?: number;
  breaker?: BreakerOptions;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Safe to repeat; GET is always. Only idempotent calls are retried. */
  idempotent?: boolean;
  headers?: Record<string, string>;
}

export class ServiceHttpClient {
  private readonly breaker: ServiceBreaker<[HttpRequest], unknown>;
  private readonly timeoutMs: number;
  private readonly retries: number;
  /** Kept-alive connections to the one service this client calls (undici's request API: far cheaper than fetch). */
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, connect: { timeout: 3000 } });

  constructor(private readonly options: HttpClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.retries = options.retries ?? 2;
    this.breaker = new ServiceBreaker(options.target, (request: HttpRequest) => this.attempt(request), options.breaker);
  }

  async request<T>(request: HttpRequest): Promise<T> {
    const idempotent = request.idempotent ?? request.method === 'GET';
    return (await withRetries(() => this.breaker.fire(request), {
      retries: idempotent ? this.retries : 0,
      baseDelayMs: 50,
      maxDelayMs: 1000,
      shouldRetry: (error) => error instanceof TransientError,
    })) as T;
  }

  /** Stops the breaker's timers and closes the connections. */
  close(): void {
    this.breaker.close();
    void this.agent.close();
  }

  private async attempt(request: HttpRequest): Promise<unknown> {
    const url = new URL(request.path, this.options.baseUrl);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json', ...traceHeaders(), ...request.headers };
    if (this.options.callerToken) headers[callerTokenHeader] = this.options.callerToken;
    if (request.body !== undefined) headers['content-type'] = 'application/json';

    let status: number;
    let text: string;
    // A timer of our own: undici's header and body timeouts tick about once a second.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    try {
      const response = await send(url, {
        method: request.method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        dispatcher: this.agent,
        signal: controller.signal,
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      // A slow service is not helped by the same call again: a timeout fails (the breaker counts it) without a retry.
      if (timedOut || /TIMEOUT/.test(code)) {
        throw new UnavailableError(`${this.options.target} is unavailable (no answer within ${this.timeoutMs} ms)`, { cause: error });
      }
      // Refused or reset before an answer: an idempotent call may try again.
      throw new TransientError(`${this.options.target} is unavailable (unreachable)`, { cause: error });
    } finally {
      clearTimeout(timer);
    }

    const body = parseJson(text);
    if (status >= 200 && status < 300) return body;
    const message = typeof body?.err === 'string' && body.err ? body.err : `${this.options.target} answered ${status}`;
    if (status === 502 || status === 503) throw new TransientError(message);
    // 504: the service itself timed out on its own downstream; as with our own timeout, no retry.
    if (status === 504) throw new UnavailableError(message);
    if (status >= 500) throw new UnavailableError(`${this.options.target} failed: ${message}`);
    // The service refused this caller, not the user: a deployment fault, not "Access Denied".
    if (status === 401 && /caller token/.test(message)) {
      throw new UnavailableError(`${this.options.target} refused this service's caller token (${message})`);
    }
    throw errorFromStatus(status, message);
  }
}

function parseJson(text: string): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
