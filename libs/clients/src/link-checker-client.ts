/** The link-checker function over HTTP (docs/design.md §3): checks one URL; the result is also published as link.checked. */
import { ServiceHttpClient, type HttpClientOptions } from '@delinkcious/kit';
import type { LinkCheckedEvent } from '@delinkcious/object-model';

/** What the link-checker answers to a check request (the full result also goes out as link.checked). */
export interface LinkCheckReply {
  status: LinkCheckedEvent['status'];
  /** The last HTTP status the checker received; 0 when it received none. */
  httpStatus: number;
}

/** Above the checker's own 10 s deadline (LINK_CHECK_TIMEOUT), so a slow site is reported, not taken for a dead checker. */
const defaultTimeoutMs = 15_000;

export class LinkCheckerClient {
  private readonly http: ServiceHttpClient;

  constructor(options: Omit<HttpClientOptions, 'target'>) {
    this.http = new ServiceHttpClient({ target: 'link-checker', ...options, timeoutMs: options.timeoutMs ?? defaultTimeoutMs });
  }

  async check(username: string, url: string): Promise<LinkCheckReply> {
    const result = await this.http.request<{ status: LinkCheckReply['status']; http_status: number }>({
      method: 'POST',
      path: '/',
      body: { Username: username, Url: url },
      idempotent: true, // checking again only publishes a fresher result
    });
    return { status: result.status, httpStatus: result.http_status };
  }

  close(): void {
    this.http.close();
  }
}
