/** LinkManager over link-service's HTTP API: a caller cannot tell it from the local manager. */
import {
  linkFromWire,
  popularFromWire,
  type PopularLink,
  type PopularRequest,
  type WirePopularLink,
  type AddLinkRequest,
  type GetLinksRequest,
  type GetLinksResult,
  type Link,
  type LinkManager,
  type UpdateLinkRequest,
  type WireLink,
} from '@delinkcious/object-model';
import { ServiceHttpClient, type HttpClientOptions, type HttpRequest } from '@delinkcious/kit';

export class LinkClient implements LinkManager {
  private readonly http: ServiceHttpClient;

  constructor(options: Omit<HttpClientOptions, 'target'>) {
    this.http = new ServiceHttpClient({ target: 'link-service', ...options });
  }

  async getLinks(request: GetLinksRequest): Promise<GetLinksResult> {
    return this.list('/links', request);
  }

  async getPublicLinks(request: GetLinksRequest): Promise<GetLinksResult> {
    return this.list('/public-links', request);
  }

  async countPublicLinks(username: string): Promise<number> {
    const result = await this.http.request<{ count: number }>({ method: 'GET', path: '/public-links/count', query: { username } });
    return result.count;
  }

  async getPopular(request: PopularRequest): Promise<PopularLink[]> {
    const result = await this.http.request<{ links: WirePopularLink[] }>({
      method: 'POST',
      path: '/popular',
      body: { usernames: request.usernames, days: request.days, limit: request.limit },
      // A read sent as a POST (its list of users can be long): safe to repeat.
      idempotent: true,
    });
    return result.links.map(popularFromWire);
  }

  /**
   * A page of the user's links exactly as link-service wrote it: the public
   * envelope `{"err":"","links":[LINK...],"next_page_token":""}` of
   * docs/design.md §2, which its GET /links answers. For the gateway, which
   * forwards it instead of parsing, mapping and writing the same bytes again.
   */
  async getLinksPage(request: GetLinksRequest): Promise<string> {
    return this.http.requestText(listRequest('/links', request));
  }

  private async list(path: string, request: GetLinksRequest): Promise<GetLinksResult> {
    const result = await this.http.request<{ links: WireLink[]; next_page_token: string }>(listRequest(path, request));
    return { links: result.links.map(linkFromWire), nextPageToken: result.next_page_token };
  }

  async addLink(request: AddLinkRequest): Promise<Link> {
    const result = await this.http.request<{ link: WireLink }>({
      method: 'POST',
      path: '/links',
      body: {
        Username: request.username,
        Url: request.url,
        Title: request.title,
        Description: request.description,
        Tags: request.tags,
        Private: request.private,
      },
    });
    return linkFromWire(result.link);
  }

  async updateLink(request: UpdateLinkRequest): Promise<Link> {
    const result = await this.http.request<{ link: WireLink }>({
      method: 'PUT',
      path: '/links',
      body: {
        Username: request.username,
        Url: request.url,
        NewUrl: request.newUrl,
        Title: request.title,
        Description: request.description,
        AddTags: request.addTags,
        RemoveTags: request.removeTags,
        Private: request.private,
      },
      idempotent: true,
    });
    return linkFromWire(result.link);
  }

  async deleteLink(username: string, url: string): Promise<void> {
    await this.http.request({ method: 'DELETE', path: '/links', query: { username, url } });
  }

  close(): void {
    this.http.close();
  }
}

/** link-service's GET of a page of links (`/links`, `/public-links`), with the original's parameter names. */
function listRequest(path: string, request: GetLinksRequest): HttpRequest {
  return {
    method: 'GET',
    path,
    query: {
      username: request.username,
      url_regex: request.urlRegex,
      title_regex: request.titleRegex,
      description_regex: request.descriptionRegex,
      tag: request.tag,
      start_token: request.startToken,
      limit: request.limit,
    },
  };
}
