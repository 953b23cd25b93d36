/** Links: the saved bookmarks and the LinkManager that owns them. */
import type { ImportStatus, StartImportRequest } from './imports.ts';

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
  /** Read later: the owner's own reminder, never news. */
  unread: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** Link health (docs/design.md §17): when the check result applied was taken; null while pending. */
  checkedAt: Date | null;
  /** The last check's HTTP status; 0 when it got none. */
  httpStatus: number;
  /** '' or why the last check failed: 'DNS failure', 'timeout', '404 Not Found'… */
  checkError: string;
  /** When the link turned invalid, first check of the current invalid streak; null when valid or pending. */
  invalidSince: Date | null;
  /** An archived copy of the page (Wayback Machine) found when it turned invalid; '' when none. */
  archiveUrl: string;
  /** The page's icon as its last check found it; '' when unknown. */
  faviconUrl: string;
}

export interface GetLinksRequest {
  username: string;
  urlRegex?: string;
  titleRegex?: string;
  descriptionRegex?: string;
  /** One tag, or several separated by commas: links with all of them. */
  tag?: string;
  /** More tags the links must all have (a repeated `tag` parameter). */
  tags?: string[];
  /** The search query language (rules/search-query.ts, docs/design.md §14). */
  q?: string;
  /** newest | oldest | title | relevance; absent: newest (docs/design.md §14 says why, with or without `q`). */
  sort?: string;
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
  /** Absent or '': the page's title fills it in once the link is checked (docs/design.md §17). */
  title?: string;
  description?: string;
  tags?: string[];
  /** Absent: public (the gateway applies the user's default_private before asking). */
  private?: boolean;
  /** Absent: read. */
  unread?: boolean;
  /** The link's own date, brought from elsewhere (Pinboard's `dt`); absent: now. A future time is taken as now. */
  createdAt?: Date;
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
  /** Marking read or unread tells nobody. */
  unread?: boolean;
}

/** A tag of one user's links and how many of them carry it. */
export interface TagCount {
  tag: string;
  count: number;
}

export interface GetTagsRequest {
  username: string;
  /** A prefix (autocomplete); absent or empty: every tag. */
  q?: string;
  limit?: number;
}

export const bulkActions = ['add_tags', 'remove_tags', 'set_private', 'set_public', 'mark_read', 'mark_unread', 'delete'] as const;
export type BulkAction = (typeof bulkActions)[number];

/** One change to many of a user's links at once, atomically: the links named by `urls`, or those `q` finds. */
export interface BulkEditRequest {
  username: string;
  action: BulkAction;
  urls?: string[];
  /** A search query (GET /v1/links?q=); exclusive with urls. */
  q?: string;
  /** For add_tags and remove_tags. */
  tags?: string[];
}

export const organizeLimits = {
  /** The most URLs one bulk edit may name. */
  bulkUrls: 1000,
  /** The most links one bulk edit by query may change. */
  bulkQueryLinks: 10_000,
  /** The default and largest number of tags GET /v1/tags answers. */
  defaultTags: 1000,
  maxTags: 10_000,
} as const;

/** posts/dates (docs/design.md §20): how many of the user's links carry all `tags`, per UTC day of CreatedAt. */
export interface LinkDatesRequest {
  username: string;
  /** Absent or empty: every link. */
  tags?: string[];
}

/** One UTC day ('YYYY-MM-DD') and how many links were created on it. */
export interface LinkDateCount {
  date: string;
  count: number;
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
  /** What the check found (docs/design.md §17); absent from results older than link health. */
  httpStatus?: number;
  error?: string;
  /** The page's metadata, '' when unknown: fills in a link's empty title and description. */
  title?: string;
  description?: string;
  canonicalUrl?: string;
  faviconUrl?: string;
  /** An archived copy, looked up when the check said invalid; '' when none. */
  archiveUrl?: string;
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
  /** The user's tags with how many links carry each, most used first, then by name. */
  getTags(request: GetTagsRequest): Promise<TagCount[]>;
  /** Renames a tag on every link of the user (merging into `newTag` where a link has both); answers how many links changed. */
  renameTag(username: string, tag: string, newTag: string): Promise<number>;
  /** Removes a tag from every link of the user; answers how many links changed. */
  deleteTag(username: string, tag: string): Promise<number>;
  /** Applies one action to many links in one transaction; answers how many links changed. */
  bulkEdit(request: BulkEditRequest): Promise<number>;
  /** Checks one of the user's links now, reusing no earlier result; answers the link as it is (docs/design.md §17). */
  recheckLink(username: string, url: string): Promise<Link>;
  /** Stores an import job of the user's file (docs/design.md §19 B) and answers its id; a worker runs it. */
  startImport(request: StartImportRequest): Promise<string>;
  /** The job's progress; another user's job is not found. */
  getImport(username: string, id: string): Promise<ImportStatus>;
  /**
   * When the user last added, deleted or changed one of their links (private ones too: the owner's
   * own view; a check that only moves the status does not count); null if never (docs/design.md §20).
   */
  lastChange(username: string): Promise<Date | null>;
  /** How many of the user's links (private too) each UTC day of CreatedAt has, newest day first. */
  linkDates(request: LinkDatesRequest): Promise<LinkDateCount[]>;
}

/** Link status comes from the link-checker, not from users: a separate, internal interface. */
export interface LinkStatusUpdater {
  /**
   * Applies a check result to every link that still has that URL and has no
   * newer result; answers how many links changed.
   */
  applyCheckResult(result: LinkCheckResult): Promise<number>;
}
