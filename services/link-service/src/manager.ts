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
  ValidationError,
  canonicalUsername,
  checkTagCount,
  limits,
  optionalDescription,
  optionalPattern,
  optionalFlag,
  pageLimit,
  parseTags,
  popularLimits,
  popularWindowDays,
  requireHttpUrl,
  requireTitle,
  requireUrlKey,
  type AddLinkRequest,
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
} from '@delinkcious/object-model';
import { WorkBudget, compilePattern, decodePageToken, encodePageToken, matchCost, regexWork, type TextMatcher } from './filters.ts';
import type { EventBuilder, LinkChanges, LinkStore, StoredLink } from './stores/link-store.ts';

/** A regex filter of GetLinks and the text of a link it applies to. */
type Filter = [TextMatcher, (link: StoredLink) => string];

export interface LinkManagerOptions {
  store: LinkStore;
  maxLinksPerUser: number;
  /** Called after each change is committed (the outbox relay publishes at once). */
  onChange?: () => void;
  /** Asked to check a link saved with a new URL, after the change committed. */
  checks?: { request(username: string, url: string): void };
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
}

export class DefaultLinkManager implements LinkManager, LinkStatusUpdater {
  private readonly store: LinkStore;
  private readonly onChange: () => void;
  private readonly checks: LinkManagerOptions['checks'];
  private readonly maxLinksPerUser: number;
  private readonly scanBudget: number;
  private readonly regexBudget: { work: number; ms: number };
  private readonly now: () => Date;

  constructor(options: LinkManagerOptions) {
    this.store = options.store;
    this.onChange = options.onChange ?? (() => {});
    this.checks = options.checks;
    this.maxLinksPerUser = options.maxLinksPerUser;
    this.scanBudget = options.scanBudget ?? 5000;
    this.regexBudget = { work: options.regexBudget?.work ?? regexWork.perRequest, ms: options.regexBudget?.ms ?? regexWork.perRequestMs };
    this.now = options.now ?? (() => new Date());
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
    const tag = request.tag?.trim() ? parseTags(request.tag.trim(), 'tag')[0] : undefined;
    const filters: Filter[] = [];
    const add = (pattern: string | undefined, field: string, maxLength: number, text: (link: StoredLink) => string) => {
      const matcher = compilePattern(optionalPattern(pattern, field), field, maxLength);
      if (matcher) filters.push([matcher, text]);
    };
    add(request.urlRegex, 'url_regex', limits.urlLength, (link) => link.url);
    add(request.titleRegex, 'title_regex', limits.titleLength, (link) => link.title);
    add(request.descriptionRegex, 'description_regex', limits.descriptionLength, (link) => link.description);
    let beforeId = decodePageToken(request.startToken);

    if (filters.length === 0) {
      const rows = await this.store.list(username, { tag, beforeId, publicOnly, limit: limit + 1 });
      const page = rows.slice(0, limit);
      return { links: page.map(publicLink), nextPageToken: rows.length > limit ? encodePageToken(page.at(-1)!.id) : '' };
    }

    // Regex filters run here, over keyset batches, within the scan and work budgets.
    const matches: StoredLink[] = [];
    const work = new WorkBudget(this.regexBudget.work, this.regexBudget.ms);
    let scanned = 0;
    const batchSize = Math.min(500, Math.max(limit + 1, 100));
    for (;;) {
      const want = Math.min(batchSize, this.scanBudget - scanned);
      const batch = await this.store.list(username, { tag, beforeId, publicOnly, limit: want });
      for (const link of batch) {
        const costs = filters.map(([matcher, text]) => matchCost(matcher, text(link)));
        // Out of work: the page ends before this link (one link is always examined, so paging progresses).
        if (scanned > 0 && !work.affords(costs.reduce((sum, cost) => sum + cost, 0))) {
          return { links: matches.map(publicLink), nextPageToken: encodePageToken(beforeId!) };
        }
        scanned++;
        if (await this.matchesAll(link, filters, costs, work)) {
          matches.push(link);
          if (matches.length > limit) {
            const page = matches.slice(0, limit);
            return { links: page.map(publicLink), nextPageToken: encodePageToken(page.at(-1)!.id) };
          }
        }
        beforeId = link.id;
      }
      if (batch.length < want) return { links: matches.map(publicLink), nextPageToken: '' };
      if (scanned >= this.scanBudget) return { links: matches.map(publicLink), nextPageToken: encodePageToken(beforeId!) };
    }
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
    const title = requireTitle(request.title);
    const description = optionalDescription(request.description);
    const tags = parseTags(request.tags);
    const isPrivate = optionalFlag(request.private, 'private') ?? false;
    const outcome = await this.store.insert(
      { username, url, title, description, tags, private: isPrivate, createdAt: this.now() },
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

    const outcome = await this.store.update(
      username,
      url,
      (current) => {
        const changes: LinkChanges = {};
        if (newUrl !== undefined && newUrl !== current.url) {
          Object.assign(changes, { url: newUrl, status: 'pending', checkedAt: null });
        }
        if (title !== undefined && title !== current.title) changes.title = title;
        if (description !== undefined && description !== current.description) changes.description = description;
        if (isPrivate !== undefined && isPrivate !== current.private) changes.private = isPrivate;
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
      (link, before) => updateEvent(username, link, before!),
    );
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
    const deleted = await this.store.delete(owner, key, (link) => (link.private ? null : linkEvent('link.deleted', owner, link, at)));
    if (!deleted) throw new NotFoundError(`you have no link with url ${key}`);
    this.onChange();
  }

  async applyCheckResult(result: LinkCheckResult): Promise<number> {
    if (result.status !== 'valid' && result.status !== 'invalid') {
      throw new ValidationError('a check result status must be valid or invalid');
    }
    return this.store.applyCheck(result);
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
    savedBy: link.savedBy,
    createdAt: link.createdAt,
    updatedAt: link.updatedAt,
  };
}
