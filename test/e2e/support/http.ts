/**
 * HTTP for the end-to-end suite: the shared test helpers, asking for JSON by
 * default (as an API client does).
 */
import { call as plainCall, type Answer, type CallOptions } from '@delinkcious/testing';

export { CookieJar, waitFor, type Answer, type CallOptions } from '@delinkcious/testing';

export function call(base: string, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
  return plainCall(base, method, path, { ...options, headers: { accept: 'application/json', ...options.headers } });
}
