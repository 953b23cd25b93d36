/**
 * The client one service uses to call another over HTTP: a timeout on every
 * call, retries with backoff and jitter for idempotent calls that failed
 * before an answer (never for one that timed out), a circuit breaker
 * per downstream service (a dead dependency fails fast with UnavailableError),
 * the caller token of mutual auth, and errors mapped back to the typed errors
 * the remote manager threw.
 */
import type { Dispatcher, Pool } from 'undici';
import { TransientError, UnavailableError, errorFromStatus } from '@delinkcious/object-model';
import { LazyConnection } from './lazy-connection.ts';
import { callerTokenHeader } from './mutual-auth.ts';
import { ServiceBreaker, withRetries, type BreakerOptions } from './resilience.ts';
import { httpTraceHeaders } from './trace.ts';

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
  /** This call's deadline, for the rare call that carries much (an import's entries); else the client's. */
  timeoutMs?: number;
}

export class ServiceHttpClient {
  private readonly breaker: ServiceBreaker<[HttpRequest], string>;
  private readonly timeoutMs: number;
  private readonly retries: number;
  /** Kept-alive connections to the one service this client calls, opened with the first call (undici loads then). */
  private readonly pool = new LazyConnection(
    async () => new (await import('undici')).Pool(this.origin, { keepAliveTimeout: 30_000, connect: { timeout: 3000 } }),
    (pool) => pool.close(),
  );
  private readonly origin: string;

  constructor(private readonly options: HttpClientOptions) {
    this.origin = new URL(options.baseUrl).origin;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.retries = options.retries ?? 2;
    this.breaker = new ServiceBreaker(options.target, (request: HttpRequest) => this.attempt(request), options.breaker);
  }

  /** The parsed JSON answer of a 2xx (undefined for an empty body); any other status as its typed error. */
  async request<T>(request: HttpRequest): Promise<T> {
    return parseJson(await this.requestText(request)) as T;
  }

  /** The answer's body as it came, for a caller that forwards it unchanged; errors as request()'s. */
  async requestText(request: HttpRequest): Promise<string> {
    const idempotent = request.idempotent ?? request.method === 'GET';
    return withRetries(() => this.breaker.fire(request), {
      retries: idempotent ? this.retries : 0,
      baseDelayMs: 50,
      maxDelayMs: 1000,
      shouldRetry: (error) => error instanceof TransientError,
    });
  }

  /** Stops the breaker's timers and closes the connections. */
  close(): void {
    this.breaker.close();
    this.pool.close();
  }

  /** One call: the body text of a 2xx, else the typed error its status and `err` say. */
  private async attempt(request: HttpRequest): Promise<string> {
    const headers: Record<string, string> = { accept: 'application/json', ...httpTraceHeaders(), ...request.headers };
    if (this.options.callerToken) headers[callerTokenHeader] = this.options.callerToken;
    if (request.body !== undefined) headers['content-type'] = 'application/json';

    let answer: Answer;
    try {
      const pool = this.pool.current ?? (await this.pool.open());
      answer = await this.exchange(
        pool,
        {
          origin: this.origin,
          path: pathWithQuery(request.path, request.query),
          method: request.method,
          headers,
          body: request.body === undefined ? null : JSON.stringify(request.body),
        },
        request.timeoutMs ?? this.timeoutMs,
      );
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      // A slow service is not helped by the same call again: a timeout fails (the breaker counts it) without a retry.
      if (error instanceof CallTimedOut || /TIMEOUT/.test(code)) {
        throw new UnavailableError(`${this.options.target} is unavailable (no answer within ${request.timeoutMs ?? this.timeoutMs} ms)`, { cause: error });
      }
      // Refused or reset before an answer: an idempotent call may try again.
      throw new TransientError(`${this.options.target} is unavailable (unreachable)`, { cause: error });
    }

    const { status, text } = answer;
    if (status >= 200 && status < 300) return text;
    const body = parseJson(text);
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

  /**
   * One request and its whole answer through undici's dispatch API: the body is
   * gathered as it arrives, without the stream, async resource and abort signal
   * that undici's request() makes per call (about half of undici's CPU per call in a profile of the gateway).
   * A timer of our own bounds it: undici's header and body timeouts tick about
   * once a second.
   */
  private exchange(pool: Pool, options: Dispatcher.DispatchOptions, timeoutMs: number): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let status = 0;
      let controller: Dispatcher.DispatchController | undefined;
      let settled = false;
      const settle = (error: Error | undefined, answer?: Answer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(answer!);
      };
      const timer = setTimeout(() => {
        const timedOut = new CallTimedOut();
        // Still queued for a connection, it is aborted as soon as it starts (onRequestStart).
        controller?.abort(timedOut);
        settle(timedOut);
      }, timeoutMs);
      pool.dispatch(options, {
        onRequestStart: (started) => {
          controller = started;
          if (settled) started.abort(new CallTimedOut());
        },
        onResponseStart: (_controller, statusCode) => {
          status = statusCode;
        },
        onResponseData: (_controller, chunk) => {
          chunks.push(chunk);
        },
        onResponseEnd: () => settle(undefined, { status, text: chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8') }),
        onResponseError: (_controller, error) => settle(error),
      });
    });
  }
}

interface Answer {
  status: number;
  text: string;
}

/** Our own deadline passed (the message is the caller's; this only marks the cause). */
class CallTimedOut extends Error {
  readonly code = 'DELINKCIOUS_CALL_TIMEOUT';
  constructor() {
    super('no answer in time');
  }
}

/** The path with the query's defined values, encoded as URLSearchParams does. */
function pathWithQuery(path: string, query: HttpRequest['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const key in query) {
    const value = query[key];
    if (value !== undefined) params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${path}${path.includes('?') ? '&' : '?'}${search}` : path;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
