/**
 * The LinkManager: every rule about links lives here; transports and stores
 * are adapters around it. Each change comes with its event (docs/design.md §4),
 * which the store commits together with the change (the outbox).
 */
import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnavailableError,
  ValidationError,
  canonicalUsername,
  checkTagCount,
  limits,
  optionalDescription,
  optionalPattern,
  optionalCreatedAt,
  optionalFlag,
  pageLimit,
  parseTags,
  popularLimits,
  popularWindowDays,
  requireHttpUrl,
  requireTitle,
  optionalTitle,
  requireUrlKey,
  urlAsGiven,
  type AddLinkRequest,
  type BulkEditRequest,
  type GetTagsRequest,
  type TagCount,
  type GetLinksRequest,
  type GetLinksResult,
  type Link,
  type LinkCheckResult,
  type LinkEvent,
  type LinkEventType,
  type LinkManager,
  type LinkStatusUpdater,
  type PopularLink,
  type PopularRequest,
  type UpdateLinkRequest,
  type ImportStatus,
  type StartImportRequest,
  type LinkDateCount,
  type LinkDatesRequest,
} from '@delinkcious/object-model';
import { immutable, isImmutable } from '@delinkcious/kit';
import { WorkBudget, compilePattern, decodePageToken, encodePageToken, matchCost, regexWork, type PageCursor, type TextMatcher } from './filters.ts';
import { listingOf } from './search/request.ts';
import { LinkOrganizer } from './organize.ts';
import type { EventBuilder, LinkChanges, LinkStore, ListedLink, StoredLink } from './stores/link-store.ts';
import { applyCheckResult, noHealth } from './link-health.ts';
import type { Importer } from './imports/importer.ts';

/** A regex filter of GetLinks and the text of a link it applies to. */
type Filter = [TextMatcher, (link: StoredLink) => string];

export interface LinkManagerOptions {
  store: LinkStore;
  maxLinksPerUser: number;
  /**
   * Called after each change is committed (the outbox relay publishes at once); `'checks'` when it
   * was check results (link health; at most an empty title or description filled in), which the
   * search's planner statistics need not follow at once (search/statistics.ts).
   */
  onChange?: (change?: 'checks') => void;
  /** Asked to check a link saved with a new URL, after the change committed. */
  checks?: {
    request(username: string, url: string): void;
    /** Checks now, reusing no result; resolves once applied, or after a short wait (check-scheduler.ts). */
    recheck?(username: string, url: string): Promise<unknown>;
  };
  /**
   * With a regex filter, the most links one GetLinks call examines. A page may
   * then hold fewer matches than asked for, with a token to go on from there:
   * the cost of any request stays bounded.
   */
  scanBudget?: number;
  /**
   * With a regex filter, the most matching work (filters.ts: instructions ×
   * characters) one GetLinks call may do, and the longest it may take; past
   * either, the page ends with a token too.
   */
  regexBudget?: { work?: number; ms?: number };
  now?: () => Date;
  /** Import jobs (imports/importer.ts); absent, startImport and getImport answer 503. */
  imports?: Importer;
}

export class DefaultLinkManager implements LinkManager, LinkStatusUpdater {
  private readonly store: LinkStore;
  private readonly onChange: (change?: 'checks') => void;
  private readonly checks: LinkManagerOptions['checks'];
  private readonly maxLinksPerUser: number;
  private readonly scanBudget: number;
  private readonly regexBudget: { work: number; ms: number };
  private readonly now: () => Date;
  /** Tags and bulk edits (organize.ts). */
  private readonly organizer: LinkOrganizer;
  private readonly imports: Importer | undefined;
  /** Pages of listings the store keeps, kept with them (pageOf). */
  private readonly keptPages = new WeakMap<readonly ListedLink[], { limit: number; page: GetLinksResult }>();

  constructor(options: LinkManagerOptions) {
    this.store = options.store;
    this.onChange = options.onChange ?? (() => {});
    this.checks = options.checks;
    this.maxLinksPerUser = options.maxLinksPerUser;
    this.scanBudget = options.scanBudget ?? 5000;
    this.regexBudget = { work: options.regexBudget?.work ?? regexWork.perRequest, ms: options.regexBudget?.ms ?? regexWork.perRequestMs };
    this.now = options.now ?? (() => new Date());
    this.organizer = new LinkOrganizer({ store: this.store, now: this.now, onChange: this.onChange });
    this.imports = options.imports;
  }

  async getLinks(request: GetLinksRequest): Promise<GetLinksResult> {
    return this.list(request, false);
  }

  async getPublicLinks(request: GetLinksRequest): Promise<GetLinksResult> {
    return this.list(request, true);
  }

  async countPublicLinks(username: string): Promise<number> {
    return this.store.countPublicLinks(canonicalUsername(username));
  }

  async getPopular(request: PopularRequest): Promise<PopularLink[]> {
    const days = popularWindowDays(request.days);
    const limit = request.limit === undefined ? popularLimits.defaultLinks : pageLimit(request.limit);
    if (!Array.isArray(request.usernames)) throw new ValidationError('usernames must be a list');
    // Bounded work: the first popularLimits.users names asked about, whatever the caller sends.
    const usernames = [...new Set(request.usernames.slice(0, popularLimits.users).map((name) => canonicalUsername(name)))];
    const since = new Date(this.now().getTime() - days * 24 * 60 * 60 * 1000);
    return this.store.popular(usernames, since, Math.min(limit, popularLimits.maxLinks));
  }

  private async list(request: GetLinksRequest, publicOnly: boolean): Promise<GetLinksResult> {
    const username = canonicalUsername(request.username);
    const limit = pageLimit(request.limit);
    const { search, sort, tags } = listingOf(request);
    const filters: Filter[] = [];
    const add = (pattern: string | undefined, field: string, maxLength: number, text: (link: StoredLink) => string) => {
      const matcher = compilePattern(optionalPattern(pattern, field), field, maxLength);
      if (matcher) filters.push([matcher, text]);
    };
    add(request.urlRegex, 'url_regex', limits.urlLength, (link) => link.url);
    add(request.titleRegex, 'title_regex', limits.titleLength, (link) => link.title);
    add(request.descriptionRegex, 'description_regex', limits.descriptionLength, (link) => link.description);
    let after = decodePageToken(request.startToken, sort);
    const query = { tags, search, sort, publicOnly };
    const cursorAt = (link: ListedLink): PageCursor => ({ sort, key: link.sortKey, id: link.id });

    if (filters.length === 0) {
      return this.pageOf(await this.store.list(username, { ...query, after, limit: limit + 1 }), limit, cursorAt);
    }

    // Regex filters run here, over keyset batches, within the scan and work budgets.
    const matches: ListedLink[] = [];
    const work = new WorkBudget(this.regexBudget.work, this.regexBudget.ms);
    let scanned = 0;
    const batchSize = Math.min(500, Math.max(limit + 1, 100));
    for (;;) {
      const want = Math.min(batchSize, this.scanBudget - scanned);
      const batch = await this.store.list(username, { ...query, after, limit: want });
      for (const link of batch) {
        const costs = filters.map(([matcher, text]) => matchCost(matcher, text(link)));
        // Out of work: the page ends before this link (one link is always examined, so paging progresses).
        if (scanned > 0 && !work.affords(costs.reduce((sum, cost) => sum + cost, 0))) {
          return { links: matches.map(publicLink), nextPageToken: encodePageToken(after!) };
        }
        scanned++;
        if (await this.matchesAll(link, filters, costs, work)) {
          matches.push(link);
          if (matches.length > limit) {
            const page = matches.slice(0, limit);
            return { links: page.map(publicLink), nextPageToken: encodePageToken(cursorAt(page.at(-1)!)) };
          }
        }
        after = cursorAt(link);
      }
      if (batch.length < want) return { links: matches.map(publicLink), nextPageToken: '' };
      if (scanned >= this.scanBudget) return { links: matches.map(publicLink), nextPageToken: encodePageToken(after!) };
    }
  }

  /**
   * The page of `rows` (limit + 1 of them asked for: the one more says a next page exists). A listing
   * the store keeps (embedded: immutable, by user and query) gives the same page every time: made
   * once, immutable too and kept with it, so in-process callers share it rather than copy it and may
   * keep what they derive, as the gateway keeps its bytes (docs/design.md §13).
   */
  private pageOf(rows: ListedLink[], limit: number, cursorAt: (link: ListedLink) => PageCursor): GetLinksResult {
    const kept = this.keptPages.get(rows);
    if (kept?.limit === limit) return kept.page;
    const links = rows.slice(0, limit);
    const page = { links: links.map(publicLink), nextPageToken: rows.length > limit ? encodePageToken(cursorAt(links.at(-1)!)) : '' };
    if (!isImmutable(rows)) return page;
    const shared = immutable(page);
    this.keptPages.set(rows, { limit, page: shared });
    return shared;
  }

  /** Runs the filters in turn, each paid for (and maybe yielded before) by the work budget. */
  private async matchesAll(link: StoredLink, filters: Filter[], costs: number[], work: WorkBudget): Promise<boolean> {
    for (const [i, [matcher, text]] of filters.entries()) {
      await work.charge(costs[i]!);
      if (!matcher.test(text(link))) return false;
    }
    return true;
  }

  async addLink(request: AddLinkRequest): Promise<Link> {
    const username = canonicalUsername(request.username);
    const url = requireHttpUrl(request.url);
    // Optional: the page's title fills an empty one in once the link is checked (link-health.ts).
    const title = optionalTitle(request.title);
    const description = optionalDescription(request.description);
    const tags = parseTags(request.tags);
    const isPrivate = optionalFlag(request.private, 'private') ?? false;
    const unread = optionalFlag(request.unread, 'unread') ?? false;
    const now = this.now();
    const createdAt = optionalCreatedAt(request.createdAt, now) ?? now;
    const outcome = await this.store.insert(
      // Brought with an older date, the link still changed now: UpdatedAt says so.
      { username, url, title, description, tags, private: isPrivate, unread, createdAt, updatedAt: now },
      this.maxLinksPerUser,
      // A private link is nobody else's news.
      (link) => (link.private ? null : linkEvent('link.added', username, link, link.createdAt)),
    );
    switch (outcome.kind) {
      case 'duplicate':
        throw new ConflictError(`you already saved ${url}`);
      case 'limit':
        throw new ForbiddenError(`you have reached the limit of ${this.maxLinksPerUser} links; delete some to add more`);
      case 'added':
        this.onChange();
        this.checks?.request(username, outcome.link.url);
        return publicLink(outcome.link);
    }
  }

  async updateLink(request: UpdateLinkRequest): Promise<Link> {
    const username = canonicalUsername(request.username);
    const url = requireUrlKey(request.url);
    const newUrl = request.newUrl === undefined || request.newUrl === '' ? undefined : requireHttpUrl(request.newUrl, 'new_url');
    const title = request.title === undefined || request.title === '' ? undefined : requireTitle(request.title);
    const description = request.description === undefined ? undefined : optionalDescription(request.description);
    const addTags = parseTags(request.addTags, 'add_tags');
    const removeTags = parseTags(request.removeTags, 'remove_tags');
    const isPrivate = optionalFlag(request.private, 'private');
    const unread = optionalFlag(request.unread, 'unread');

    const outcome = await this.withUrlKey(request.url, url, (key) => this.store.update(
      username,
      key,
      (current) => {
        const changes: LinkChanges = {};
        if (newUrl !== undefined && newUrl !== current.url) {
          // The old URL's health is not the new one's (docs/design.md §17).
          Object.assign(changes, { url: newUrl, status: 'pending', ...noHealth });
        }
        if (title !== undefined && title !== current.title) changes.title = title;
        if (description !== undefined && description !== current.description) changes.description = description;
        if (isPrivate !== undefined && isPrivate !== current.private) changes.private = isPrivate;
        if (unread !== undefined && unread !== current.unread) changes.unread = unread;
        const tags = [...current.tags, ...addTags.filter((tag) => !current.tags.includes(tag))].filter(
          (tag) => !removeTags.includes(tag),
        );
        if (tags.length !== current.tags.length || tags.some((tag, i) => tag !== current.tags[i])) {
          checkTagCount(tags, 'add_tags');
          changes.tags = tags;
        }
        return Object.keys(changes).length > 0 ? changes : null;
      },
      this.now(),
      // Read or unread is the owner's own state: no news.
      (link, before) => (onlyReadStateChanged(link, before!) ? null : updateEvent(username, link, before!)),
    ), (outcome) => outcome.kind === 'not_found');
    switch (outcome.kind) {
      case 'not_found':
        throw new NotFoundError(`you have no link with url ${url}`);
      case 'duplicate':
        throw new ConflictError(`you already saved ${newUrl}`);
      case 'unchanged':
        return publicLink(outcome.link);
      case 'updated':
        this.onChange();
        if (outcome.before.url !== outcome.link.url) this.checks?.request(username, outcome.link.url);
        return publicLink(outcome.link);
    }
  }

  async deleteLink(username: string, url: string): Promise<void> {
    const owner = canonicalUsername(username);
    const key = requireUrlKey(url);
    const at = this.now();
    const deleted = await this.withUrlKey(url, key, (found) =>
      this.store.delete(owner, found, (link) => (link.private ? null : linkEvent('link.deleted', owner, link, at))),
      (link) => link === null,
    );
    if (!deleted) throw new NotFoundError(`you have no link with url ${key}`);
    this.onChange();
  }

  /**
   * Runs `lookup` with the URL's normal form, and again with the URL as given
   * when that found nothing and differs: a link saved before normal forms whose
   * URL the migration could not rewrite (docs/design.md §15) stays reachable.
   */
  private async withUrlKey<T>(given: unknown, key: string, lookup: (url: string) => Promise<T>, missed: (outcome: T) => boolean): Promise<T> {
    const outcome = await lookup(key);
    if (!missed(outcome)) return outcome;
    const asGiven = urlAsGiven(given);
    return asGiven === key ? outcome : lookup(asGiven);
  }

  async startImport(request: StartImportRequest): Promise<string> {
    if (!this.imports) throw new UnavailableError('imports are not available here');
    return this.imports.start(request);
  }

  async getImport(username: string, id: string): Promise<ImportStatus> {
    if (!this.imports) throw new UnavailableError('imports are not available here');
    return this.imports.get(username, id);
  }

  async getTags(request: GetTagsRequest): Promise<TagCount[]> {
    return this.organizer.getTags(request);
  }

  async lastChange(username: string): Promise<Date | null> {
    return this.store.lastChange(canonicalUsername(username));
  }

  async linkDates(request: LinkDatesRequest): Promise<LinkDateCount[]> {
    return this.store.linkDates(canonicalUsername(request.username), parseTags(request.tags, 'tags'));
  }

  async renameTag(username: string, tag: string, newTag: string): Promise<number> {
    return this.organizer.renameTag(username, tag, newTag);
  }

  async deleteTag(username: string, tag: string): Promise<number> {
    return this.organizer.deleteTag(username, tag);
  }

  async bulkEdit(request: BulkEditRequest): Promise<number> {
    return this.organizer.bulkEdit(request);
  }

  async applyCheckResult(result: LinkCheckResult): Promise<number> {
    if (result.status !== 'valid' && result.status !== 'invalid') {
      throw new ValidationError('a check result status must be valid or invalid');
    }
    const changed = await applyCheckResult(this.store, result);
    // A filled-in title may have written a link.updated: out it goes at once.
    if (changed > 0) this.onChange('checks');
    return changed;
  }

  async recheckLink(username: string, url: string): Promise<Link> {
    const owner = canonicalUsername(username);
    const key = requireUrlKey(url);
    // An update that changes nothing: the store's read of one link by its URL (its normal form, else as given).
    const find = (at: string) => this.store.update(owner, at, () => null, this.now(), () => null);
    const found = await this.withUrlKey(url, key, find, (outcome) => outcome.kind !== 'unchanged');
    if (found.kind !== 'unchanged') throw new NotFoundError(`you have no link with url ${key}`);
    if (!this.checks?.recheck) throw new UnavailableError('link checks are not available here');
    await this.checks.recheck(owner, found.link.url);
    const after = await find(found.link.url);
    return publicLink(after.kind === 'unchanged' ? after.link : found.link);
  }
}

/**
 * What followers hear of an update: a public link's change as link.updated;
 * made private, it is retracted (link.deleted, with what they saw of it);
 * made public, it is published (link.added); a private link's change, nothing.
 */
function updateEvent(username: string, link: StoredLink, before: StoredLink): ReturnType<EventBuilder> {
  if (before.private && link.private) return null;
  if (link.private) return linkEvent('link.deleted', username, before, link.updatedAt);
  if (before.private) return linkEvent('link.added', username, link, link.updatedAt);
  return linkEvent('link.updated', username, link, link.updatedAt, before.url !== link.url ? before.url : undefined);
}

/** Whether an update changed nothing followers see: only read/unread (and the time). */
function onlyReadStateChanged(link: StoredLink, before: StoredLink): boolean {
  return (
    link.unread !== before.unread &&
    link.url === before.url &&
    link.title === before.title &&
    link.description === before.description &&
    link.private === before.private &&
    link.tags.length === before.tags.length &&
    link.tags.every((tag, i) => tag === before.tags[i])
  );
}

/** `at` is when the change happened: the link's own timestamp, so events and links agree. */
function linkEvent(type: LinkEventType, username: string, link: StoredLink, at: Date, previousUrl?: string): LinkEvent {
  return {
    id: randomUUID(),
    type,
    username,
    link: { url: link.url, title: link.title, description: link.description, status: link.status, tags: [...link.tags] },
    ...(previousUrl !== undefined ? { previousUrl } : {}),
    timestamp: at.toISOString(),
  };
}

function publicLink(link: StoredLink): Link {
  return {
    url: link.url,
    title: link.title,
    description: link.description,
    status: link.status,
    tags: link.tags,
    private: link.private,
    unread: link.unread,
    savedBy: link.savedBy,
    createdAt: link.createdAt,
    updatedAt: link.updatedAt,
    checkedAt: link.checkedAt,
    httpStatus: link.httpStatus,
    checkError: link.checkError,
    invalidSince: link.invalidSince,
    archiveUrl: link.archiveUrl,
    faviconUrl: link.faviconUrl,
  };
}
