/** LinkManager over link-service's HTTP API: a caller cannot tell it from the local manager. */
import {
  linkFromWire,
  popularFromWire,
  type PopularLink,
  type PopularRequest,
  type WirePopularLink,
  type AddLinkRequest,
  importEntryToWire,
  importStatusFromWire,
  type ImportStatus,
  type StartImportRequest,
  type WireImportStatus,
  type BulkEditRequest,
  type GetTagsRequest,
  type TagCount,
  type LinkDateCount,
  type LinkDatesRequest,
  type GetLinksRequest,
  type GetLinksResult,
  type Link,
  type LinkManager,
  type UpdateLinkRequest,
  type WireLink,
} from '@delinkcious/object-model';
import { ServiceHttpClient, type HttpClientOptions, type HttpRequest } from '@delinkcious/kit';

/** How long link-service may take to store an import's entries (tens of thousands of rows). */
const importCallTimeoutMs = 120_000;

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
        Unread: request.unread,
        CreatedAt: request.createdAt?.toISOString(),
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
        Unread: request.unread,
      },
      idempotent: true,
    });
    return linkFromWire(result.link);
  }

  async getTags(request: GetTagsRequest): Promise<TagCount[]> {
    const result = await this.http.request<{ tags: TagCount[] }>({
      method: 'GET',
      path: '/tags',
      query: { username: request.username, q: request.q, limit: request.limit },
    });
    return result.tags;
  }

  async renameTag(username: string, tag: string, newTag: string): Promise<number> {
    const result = await this.http.request<{ changed: number }>({
      method: 'PUT',
      path: '/tags',
      body: { Username: username, Tag: tag, NewTag: newTag },
      // Renaming again finds nothing left to rename.
      idempotent: true,
    });
    return result.changed;
  }

  async deleteTag(username: string, tag: string): Promise<number> {
    const result = await this.http.request<{ changed: number }>({ method: 'DELETE', path: '/tags', query: { username, tag } });
    return result.changed;
  }

  async recheckLink(username: string, url: string): Promise<Link> {
    const result = await this.http.request<{ link: WireLink }>({ method: 'POST', path: '/links/recheck', body: { Username: username, Url: url } });
    return linkFromWire(result.link);
  }

  async bulkEdit(request: BulkEditRequest): Promise<number> {
    const result = await this.http.request<{ changed: number }>({
      method: 'POST',
      path: '/links/bulk',
      body: { Username: request.username, Action: request.action, Urls: request.urls, Q: request.q, Tags: request.tags },
    });
    return result.changed;
  }

  async startImport(request: StartImportRequest): Promise<string> {
    const result = await this.http.request<{ import_id: string }>({
      method: 'POST',
      path: '/imports',
      body: {
        username: request.username,
        entries: request.entries.map(importEntryToWire),
        skipped: request.skipped,
        private: request.private,
        tags: request.tags,
      },
      // A whole file's entries (up to MAX_LINKS_PER_USER) stored in one call: longer than a usual call's deadline.
      timeoutMs: importCallTimeoutMs,
    });
    return result.import_id;
  }

  async getImport(username: string, id: string): Promise<ImportStatus> {
    const result = await this.http.request<WireImportStatus>({ method: 'GET', path: `/imports/${encodeURIComponent(id)}`, query: { username } });
    return importStatusFromWire(result);
  }

  async lastChange(username: string): Promise<Date | null> {
    const result = await this.http.request<{ changed_at: string | null }>({ method: 'GET', path: '/links/last-change', query: { username } });
    return result.changed_at ? new Date(result.changed_at) : null;
  }

  async linkDates(request: LinkDatesRequest): Promise<LinkDateCount[]> {
    const result = await this.http.request<{ dates: LinkDateCount[] }>({
      method: 'GET',
      path: '/links/dates',
      // One tag parameter for all of them, as listRequest sends them.
      query: { username: request.username, tag: request.tags?.length ? request.tags.join(',') : undefined },
    });
    return result.dates;
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
      // One tag parameter for all of them: a tag holds no comma, and link-service reads `a,b` as both.
      tag: [request.tag ?? '', ...(request.tags ?? [])].filter((tag) => tag !== '').join(',') || undefined,
      q: request.q,
      sort: request.sort,
      start_token: request.startToken,
      limit: request.limit,
    },
  };
}
