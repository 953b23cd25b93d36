/**
 * HTTP for the end-to-end suite: the shared test helpers, asking for JSON by
 * default (as an API client does).
 */
import assert from 'node:assert/strict';
import { call as plainCall, type Answer, type CallOptions } from '@delinkcious/testing';

export { CookieJar, waitFor, type Answer, type CallOptions } from '@delinkcious/testing';

export function call(base: string, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
  return plainCall(base, method, path, { ...options, headers: { accept: 'application/json', ...options.headers } });
}

/** A suite's calls: `api` with a token and a 30 s deadline; `ok` asserts a 200 and answers its body. */
export function apiCalls(baseUrl: () => string) {
  const api = (method: string, path: string, token: string, options: { json?: unknown; query?: Record<string, string> } = {}) =>
    call(baseUrl(), method, path, { token, ...options, timeoutMs: 30_000 });
  const ok = async (what: string, answer: ReturnType<typeof api>) => {
    const done = await answer;
    assert.equal(done.status, 200, `${what}: ${done.status} ${done.text.slice(0, 300)}`);
    return done.body;
  };
  return { api, ok };
}
