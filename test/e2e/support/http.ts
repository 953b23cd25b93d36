/**
 * HTTP for the end-to-end suite: the shared test helpers, asking for JSON by
 * default (as an API client does), and the local sign-in.
 */
import { call as plainCall, type Answer, type CallOptions } from '@delinkcious/testing';

export { CookieJar, poll, type Answer, type CallOptions } from '@delinkcious/testing';

export function call(base: string, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
  return plainCall(base, method, path, { ...options, headers: { accept: 'application/json', ...options.headers } });
}

/** A sign-in through the gateway's local sign-in (DEV_LOGIN=true): answers the user's Delinkcious token. */
export async function localSignIn(base: string, username: string): Promise<string> {
  const answer = await call(base, 'POST', '/login/dev', { json: { username } });
  if (answer.status !== 200 || typeof answer.body?.access_token !== 'string') {
    throw new Error(`local sign-in of ${username} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
  }
  return answer.body.access_token as string;
}
