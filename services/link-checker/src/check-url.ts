/**
 * Checks one URL (docs/design.md §5, §17): at most `maxRedirects` redirects
 * followed by hand so each hop goes through the SSRF guard again, one deadline
 * for the whole check. Reading the page (`readPage`, what the service does) is
 * one GET, whose body is read only when it is HTML, at most `maxPageBytes` of
 * it, for the page's metadata; without it, HEAD first and GET when HEAD is
 * refused, and never a body read. GET first costs one request where HEAD then
 * GET would cost two, and a non-HTML body is dropped after its headers.
 */
import http, { STATUS_CODES } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { CheckResult } from './check-result.ts';
import { decodePage, isHtml, maxPageBytes, noMetadata, parseMetadata } from './page-metadata.ts';
import { HostRefusedError, bareHost, resolveAllowed, type AddressPolicy, type ResolvedAddress, type Resolver } from './ssrf-guard.ts';

export const userAgent = 'Delinkcious-LinkChecker/1.0';

export interface CheckUrlOptions {
  /** The deadline of the whole check: DNS, every hop, the GET fallback. */
  timeoutMs: number;
  /** Redirects followed; one more is "too many redirects". */
  maxRedirects?: number;
  resolver: Resolver;
  policy: AddressPolicy;
  /** GET, and read the metadata of an HTML answer (the result then carries `metadata`). */
  readPage?: boolean;
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
  /** The start of an HTML body, when asked for and the answer is a 2xx HTML page. */
  page?: { body: Buffer; contentType: string | undefined };
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
    let method: 'HEAD' | 'GET' = options.readPage ? 'GET' : 'HEAD';
    for (let redirects = 0; ; redirects++) {
      if (current.protocol !== 'http:' && current.protocol !== 'https:') {
        throw new CheckFailure(`redirect to unsupported scheme ${current.protocol.replace(/:$/, '')}`);
      }
      const addresses = await untilAborted(resolveAllowed(current.hostname, options.resolver, options.policy, signal), signal);
      let answer = await send(current, method, addresses, signal, options.readPage === true);
      lastStatus = answer.status;
      if (method === 'HEAD' && headRefused.has(answer.status)) {
        // Once a site refused HEAD, the rest of its redirect chain gets GET straight away.
        method = 'GET';
        answer = await send(current, method, addresses, signal);
        lastStatus = answer.status;
      }
      if (!redirectStatuses.has(answer.status) || answer.location === undefined) {
        const valid = answer.status < 400;
        const result: CheckResult = { status: valid ? 'valid' : 'invalid', httpStatus: answer.status, error: valid ? '' : statusText(answer.status) };
        if (!options.readPage) return result;
        const { page } = answer;
        return { ...result, metadata: page ? parseMetadata(decodePage(page.body, page.contentType), current.href) : noMetadata };
      }
      if (redirects >= maxRedirects) throw new CheckFailure('too many redirects');
      try {
        current = new URL(answer.location, current);
      } catch {
        throw new CheckFailure('bad redirect location');
      }
    }
  } catch (error) {
    const result: CheckResult = { status: 'invalid', httpStatus: lastStatus, error: signal.aborted ? 'timeout' : reasonOf(error) };
    return options.readPage ? { ...result, metadata: noMetadata } : result;
  } finally {
    clearTimeout(timer);
  }
}

/** '404 Not Found': the short reason of an HTTP error status. */
export function statusText(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error')}`;
}

/**
 * One request; resolves as soon as the status line and headers are in, and drops the body unread,
 * but for a 2xx HTML answer when `readPage`: then at most maxPageBytes of it, until the deadline.
 */
function send(url: URL, method: 'HEAD' | 'GET', addresses: ResolvedAddress[], signal: AbortSignal, readPage = false): Promise<Answer> {
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
        const status = response.statusCode ?? 0;
        const contentType = response.headers['content-type'];
        if (!readPage || method !== 'GET' || status < 200 || status >= 300 || !isHtml(contentType)) {
          resolve({ status, location });
          response.destroy(); // the body is not needed (an endless one must not be read)
          return;
        }
        bodyStarted = true;
        const chunks: Buffer[] = [];
        let size = 0;
        let done = false;
        // What arrived by the end, the limit or the deadline is the page: the status is known already.
        const finish = () => {
          if (done) return;
          done = true;
          signal.removeEventListener('abort', finish);
          resolve({ status, location, page: { body: Buffer.concat(chunks).subarray(0, maxPageBytes), contentType } });
          response.destroy();
        };
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= maxPageBytes) finish();
        });
        response.once('end', finish);
        response.once('close', finish);
        response.once('error', finish);
        signal.addEventListener('abort', finish, { once: true });
      },
    );
    // Once the body is being read, the answer is known: the deadline only ends the reading (finish).
    let bodyStarted = false;
    request.once('error', (error) => {
      if (!bodyStarted) reject(error);
    });
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
  ENOTFOUND: 'DNS failure',
  EAI_AGAIN: 'DNS failure',
  CERT_HAS_EXPIRED: 'TLS error: certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS error: self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS error: self-signed certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS error: certificate not trusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS error: certificate does not match host',
};

function reasonOf(error: unknown): string {
  if (error instanceof CheckFailure || error instanceof HostRefusedError) return error.reason;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && reasonByCode[code]) return reasonByCode[code];
  if (code?.startsWith('HPE_')) return 'invalid http response';
  if (code?.startsWith('ERR_TLS') || code?.startsWith('ERR_SSL') || /certificate|ssl|tls/i.test(String(error))) return 'TLS error';
  if (error instanceof TypeError && /invalid url/i.test(error.message)) return 'invalid url';
  return code ? `network error (${code})` : 'network error';
}
