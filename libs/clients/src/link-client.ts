/** LinkManager over link-service's HTTP API: a caller cannot tell it from the local manager. */
import {
  linkFromWire,
  type AddLinkRequest,
  type GetLinksRequest,
  type GetLinksResult,
  type Link,
  type LinkManager,
  type UpdateLinkRequest,
  type WireLink,
} from '@delinkcious/object-model';
import { ServiceHttpClient, type HttpClientOptions } from '@delinkcious/kit';

export class LinkClient implements LinkManager {
  private readonly http: ServiceHttpClient;

  constructor(options: Omit<HttpClientOptions, 'target'>) {
    this.http = new ServiceHttpClient({ target: 'link-service', ...options });
  }

  async getLinks(request: GetLinksRequest): Promise<GetLinksResult> {
    const result = await this.http.request<{ links: WireLink[]; next_page_token: string }>({
      method: 'GET',
      path: '/links',
      query: {
        username: request.username,
        url_regex: request.urlRegex,
        title_regex: request.titleRegex,
        description_regex: request.descriptionRegex,
        tag: request.tag,
        start_token: request.startToken,
        limit: request.limit,
      },
    });
    return { links: result.links.map(linkFromWire), nextPageToken: result.next_page_token };
  }

  async addLink(request: AddLinkRequest): Promise<Link> {
    const result = await this.http.request<{ link: WireLink }>({
      method: 'POST',
      path: '/links',
      body: { Username: request.username, Url: request.url, Title: request.title, Description: request.description, Tags: request.tags },
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
