/** One autocannon run on loopback, reduced to the figures the report shows. */
import autocannon, { type Request } from 'autocannon';

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** A body per request (distinct bodies: a write benchmark must not hit the duplicate check). */
  body?: () => string;
  /** A path (and query) per request, on `url`'s origin: distinct queries, so no answer is a cached one. */
  path?: () => string;
  connections?: number;
  durationSeconds?: number;
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    headers: { 'content-type': 'application/json', ...options.headers },
    connections: options.connections ?? 10,
    duration: options.durationSeconds ?? 8,
    ...(options.body || options.path
      ? {
          requests: [
            {
              setupRequest: (request: Request): Request => ({
                ...request,
                ...(options.body && { body: options.body() }),
                ...(options.path && { path: options.path() }),
              }),
            },
          ],
        }
      : {}),
  });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}
