/** The link-checker function over HTTP (docs/design.md §3): checks one URL; the result is also published as link.checked. */
import { ServiceHttpClient, type HttpClientOptions } from '@delinkcious/kit';
import { checkResultFromEvent, type LinkCheckResult, type LinkCheckedEvent } from '@delinkcious/object-model';

/** What the link-checker answers to a check request (the full result also goes out as link.checked). */
export interface LinkCheckReply {
  status: LinkCheckedEvent['status'];
  /** The last HTTP status the checker received; 0 when it received none. */
  httpStatus: number;
  /** Everything the check found (docs/design.md §17); absent from a checker older than link health. */
  result?: LinkCheckResult;
}

/**
 * Above the checker's own 10 s deadline (LINK_CHECK_TIMEOUT) plus its 3 s archive lookup for a dead
 * link (WAYBACK_TIMEOUT), so a slow site is reported, not taken for a dead checker.
 */
const defaultTimeoutMs = 15_000;

export class LinkCheckerClient {
  private readonly http: ServiceHttpClient;

  constructor(options: Omit<HttpClientOptions, 'target'>) {
    this.http = new ServiceHttpClient({ target: 'link-checker', ...options, timeoutMs: options.timeoutMs ?? defaultTimeoutMs });
  }

  async check(username: string, url: string): Promise<LinkCheckReply> {
    const result = await this.http.request<{ status: LinkCheckReply['status']; http_status: number } & Partial<LinkCheckedEvent>>({
      method: 'POST',
      path: '/',
      body: { Username: username, Url: url },
      idempotent: true, // checking again only publishes a fresher result
    });
    const full = typeof result.checked_at === 'string' && typeof result.url === 'string';
    return {
      status: result.status,
      httpStatus: result.http_status,
      ...(full ? { result: checkResultFromEvent(result as LinkCheckedEvent) } : {}),
    };
  }

  close(): void {
    this.http.close();
  }
}
