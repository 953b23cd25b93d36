/** Links: the saved bookmarks and the LinkManager that owns them. */
export type LinkStatus = 'pending' | 'valid' | 'invalid';

export interface Link {
  url: string;
  title: string;
  description: string;
  status: LinkStatus;
  tags: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface GetLinksRequest {
  username: string;
  urlRegex?: string;
  titleRegex?: string;
  descriptionRegex?: string;
  tag?: string;
  startToken?: string;
  limit?: number;
}

export interface GetLinksResult {
  links: Link[];
  /** Opaque; empty on the last page. */
  nextPageToken: string;
}

export interface AddLinkRequest {
  username: string;
  url: string;
  title: string;
  description?: string;
  tags?: string[];
}

export interface UpdateLinkRequest {
  username: string;
  /** Which link: the URL it has now. */
  url: string;
  /** Moves the link to another URL; its status goes back to pending. */
  newUrl?: string;
  title?: string;
  description?: string;
  addTags?: string[];
  removeTags?: string[];
}

/** A link check's outcome, as the link-checker reports it. */
export interface LinkCheckResult {
  url: string;
  status: Exclude<LinkStatus, 'pending'>;
  checkedAt: Date;
}

export interface LinkManager {
  getLinks(request: GetLinksRequest): Promise<GetLinksResult>;
  addLink(request: AddLinkRequest): Promise<Link>;
  updateLink(request: UpdateLinkRequest): Promise<Link>;
  deleteLink(username: string, url: string): Promise<void>;
}

/** Link status comes from the link-checker, not from users: a separate, internal interface. */
export interface LinkStatusUpdater {
  /**
   * Applies a check result to every link that still has that URL and has no
   * newer result; answers how many links changed.
   */
  applyCheckResult(result: LinkCheckResult): Promise<number>;
}
