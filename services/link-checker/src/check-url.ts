/**
 * Checks one URL (docs/design.md §5): HEAD first, GET when HEAD is refused, at most
 * `maxRedirects` redirects followed by hand so each hop goes through the SSRF
 * guard again, one deadline for the whole check, and never a body read.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { CheckResult } from './check-result.ts';
import { HostRefusedError, bareHost, resolveAllowed, type AddressPolicy, type ResolvedAddress, type Resolver } from './ssrf-guard.ts';

export const userAgent = 'Delinkcious-LinkChecker/1.0';

export interface CheckUrlOptions {
  /** The deadline of the whole check: DNS, every hop, the GET fallback. */
  timeoutMs: number;
  /** Redirects followed; one more is "too many redirects". */
  maxRedirects?: number;
  resolver: Resolver;
  policy: AddressPolicy;
}

/**
 * Answers to HEAD that mean "not HEAD" rather than "not there": 405 and 501 by
 * the standard, and 400/403, which many real sites and CDNs give to HEAD alone.
 * A GET settles it; a real 400/403 costs one extra request.
 */
const headRefused = new Set([400, 403, 405, 501]);
const redirectStatuses = new Set([301, 302, 303, 307, 308]);

interface Answer {
  status: number;
  location: string | undefined;
}

class CheckFailure extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export async function checkUrl(url: string, options: CheckUrlOptions): Promise<CheckResult> {
  const maxRedirects = options.maxRedirects ?? 5;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), options.timeoutMs);
  const signal = deadline.signal;
  let lastStatus = 0;
  try {
    let current = new URL(url);
    let method: 'HEAD' | 'GET' = 'HEAD';
    for (let redirects = 0; ; redirects++) {
      if (current.protocol !== 'http:' && current.protocol !== 'https:') {
        throw new CheckFailure(`redirect to unsupported scheme ${current.protocol.replace(/:$/, '')}`);
      }
      const addresses = await untilAborted(resolveAllowed(current.hostname, options.resolver, options.policy), signal);
      let answer = await send(current, method, addresses, signal);
      lastStatus = answer.status;
      if (method === 'HEAD' && headRefused.has(answer.status)) {
        // Once a site refused HEAD, the rest of its redirect chain gets GET straight away.
        method = 'GET';
        answer = await send(current, method, addresses, signal);
        lastStatus = answer.status;
      }
      if (!redirectStatuses.has(answer.status) || answer.location === undefined) {
        return { status: answer.status < 400 ? 'valid' : 'invalid', httpStatus: answer.status, error: '' };
      }
      if (redirects >= maxRedirects) throw new CheckFailure('too many redirects');
      try {
        current = new URL(answer.location, current);
      } catch {
        throw new CheckFailure('bad redirect location');
      }
    }
  } catch (error) {
    return { status: 'invalid', httpStatus: lastStatus, error: signal.aborted ? 'timeout' : reasonOf(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** One request; resolves as soon as the status line and headers are in, and drops the body unread. */
function send(url: URL, method: 'HEAD' | 'GET', addresses: ResolvedAddress[], signal: AbortSignal): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(
      {
        method,
        // The name, not the address: Host header, TLS SNI and certificate checks use it;
        // `lookup` decides where the connection goes. URL credentials are never sent.
        hostname: bareHost(url.hostname),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        headers: { 'user-agent': userAgent, accept: '*/*', 'accept-encoding': 'identity' },
        lookup: pinnedLookup(addresses),
        agent: false, // a fresh connection per request: no socket reused across checks
        signal,
      },
      (response) => {
        const location = response.headers.location;
        resolve({ status: response.statusCode ?? 0, location });
        response.destroy(); // the body is never needed (an endless one must not be read)
      },
    );
    request.once('error', reject);
    request.end();
  });
}

/**
 * A lookup that answers only the addresses the guard checked, so the socket
 * cannot connect anywhere else even if the name now resolves differently.
 */
function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const wanted = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;
    const usable = addresses.filter((a) => wanted === 0 || a.family === wanted);
    const first = usable[0];
    if (!first) {
      callback(Object.assign(new Error('no checked address of that family'), { code: 'ENOTFOUND' }), '');
      return;
    }
    if (options.all) callback(null, usable.map(({ address, family }) => ({ address, family })));
    else callback(null, first.address, first.family);
  };
}

/** Rejects with the deadline's reason when it passes first (DNS lookups cannot be cancelled). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('aborted'));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => (signal.removeEventListener('abort', onAbort), resolve(value)),
      (error: unknown) => (signal.removeEventListener('abort', onAbort), reject(error)),
    );
  });
}

const reasonByCode: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ETIMEDOUT: 'timeout',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'dns lookup failed',
  CERT_HAS_EXPIRED: 'tls certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'tls certificate self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'tls certificate self-signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'tls certificate not trusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'tls certificate does not match host',
};

function reasonOf(error: unknown): string {
  if (error instanceof CheckFailure || error instanceof HostRefusedError) return error.reason;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && reasonByCode[code]) return reasonByCode[code];
  if (code?.startsWith('HPE_')) return 'invalid http response';
  if (code?.startsWith('ERR_TLS') || code?.startsWith('ERR_SSL') || /certificate|ssl|tls/i.test(String(error))) return 'tls error';
  if (error instanceof TypeError && /invalid url/i.test(error.message)) return 'invalid url';
  return code ? `network error (${code})` : 'network error';
}
