/** Links: the saved bookmarks and the LinkManager that owns them. */
export type LinkStatus = 'pending' | 'valid' | 'invalid';

export interface Link {
  url: string;
  title: string;
  description: string;
  status: LinkStatus;
  tags: string[];
  /** Seen by its owner only: never in anyone's news, profile, feed, popular list or counts. */
  private: boolean;
  /** How many other users saved the same URL publicly (the owner's own link not counted). */
  savedBy: number;
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
  /** Absent: public (the gateway applies the user's default_private before asking). */
  private?: boolean;
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
  /** Making a link private retracts it from followers' news; making it public publishes it then. */
  private?: boolean;
}

/** Which users' recent public saves the popular list counts, and over how many days. */
export interface PopularRequest {
  /** Usually whom the caller follows; link-service considers at most popularLimits.users of them. */
  usernames: string[];
  days: number;
  limit?: number;
}

/** A URL saved publicly by several of the users asked about. */
export interface PopularLink {
  url: string;
  /** The most recent public title among those saves. */
  title: string;
  /** How many of the users asked about saved it publicly in the window. */
  savedBy: number;
  /** Who they are, in code point order. */
  usernames: string[];
}

export const popularLimits = {
  /** The most users one popular query considers: the first ones asked about (documented in docs/design.md). */
  users: 1000,
  /** The default and largest number of URLs answered. */
  defaultLinks: 20,
  maxLinks: 100,
} as const;

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
  /** As getLinks, but only the user's public links: what anyone else may see of them. */
  getPublicLinks(request: GetLinksRequest): Promise<GetLinksResult>;
  /** How many public links the user has (kept as a count, not counted per call). */
  countPublicLinks(username: string): Promise<number>;
  /** The URLs the given users saved publicly in the last `days`, most savers first. */
  getPopular(request: PopularRequest): Promise<PopularLink[]>;
}

/** Link status comes from the link-checker, not from users: a separate, internal interface. */
export interface LinkStatusUpdater {
  /**
   * Applies a check result to every link that still has that URL and has no
   * newer result; answers how many links changed.
   */
  applyCheckResult(result: LinkCheckResult): Promise<number>;
}
