/**
 * Tags (list, rename, delete) and bulk edits of one user's links
 * (docs/design.md §15): the rules, the bounds and what followers hear. Part of
 * the LinkManager, kept in its own module; stores do the work atomically.
 *
 * News is not flooded: tag renames and deletions, tag edits, read/unread and
 * set_public emit nothing. Privacy still holds: each link a bulk edit makes
 * private or deletes is retracted from followers' news (link.deleted with the
 * link as they last saw it), exactly as one edit of it would be.
 */
import { randomUUID } from 'node:crypto';
import {
  ValidationError,
  bulkActions,
  canonicalUsername,
  checkText,
  organizeLimits,
  parseSearchQuery,
  parseTags,
  requireUrlKey,
  urlAsGiven,
  type BulkAction,
  type BulkEditRequest,
  type GetTagsRequest,
  type TagCount,
} from '@delinkcious/object-model';
import type { BulkEdit, LinkStore, StoredLink } from './stores/link-store.ts';

export interface OrganizerOptions {
  store: LinkStore;
  now: () => Date;
  /** Called after a change that wrote events (the outbox relay publishes at once). */
  onChange: () => void;
}

/** Exactly one tag, normalised as tags are stored. */
export function requireOneTag(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ValidationError(`${field} is required`);
  const tags = parseTags(value, field);
  if (tags.length !== 1) throw new ValidationError(`${field} must be one tag (no spaces or commas)`);
  return tags[0]!;
}

function bulkAction(value: unknown): BulkAction {
  if (value === undefined || value === null || value === '') throw new ValidationError(`action is required: one of ${bulkActions.join(', ')}`);
  if (typeof value !== 'string' || !(bulkActions as readonly string[]).includes(value)) {
    throw new ValidationError(`action ${JSON.stringify(String(value)).slice(0, 80)} is not one of ${bulkActions.join(', ')}`);
  }
  return value as BulkAction;
}

function tagLimit(value: unknown): number {
  if (value === undefined || value === null || value === '') return organizeLimits.defaultTags;
  const limit = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > organizeLimits.maxTags) {
    throw new ValidationError(`limit must be a whole number from 1 to ${organizeLimits.maxTags}`);
  }
  return limit;
}

export class LinkOrganizer {
  constructor(private readonly options: OrganizerOptions) {}

  async getTags(request: GetTagsRequest): Promise<TagCount[]> {
    const username = canonicalUsername(request.username);
    const q = request.q === undefined || request.q === null ? '' : checkText(String(request.q).trim(), 'q', { max: 64 }).toLowerCase();
    return this.options.store.tagCounts(username, q, tagLimit(request.limit));
  }

  async renameTag(username: string, tag: string, newTag: string): Promise<number> {
    const owner = canonicalUsername(username);
    const from = requireOneTag(tag, 'tag');
    const to = requireOneTag(newTag, 'new_tag');
    if (from === to) return 0;
    return this.options.store.renameTag(owner, from, to, this.options.now());
  }

  async deleteTag(username: string, tag: string): Promise<number> {
    return this.options.store.deleteTag(canonicalUsername(username), requireOneTag(tag, 'tag'), this.options.now());
  }

  async bulkEdit(request: BulkEditRequest): Promise<number> {
    const username = canonicalUsername(request.username);
    const action = bulkAction(request.action);
    const edit: BulkEdit =
      action === 'add_tags' || action === 'remove_tags' ? { action, tags: this.bulkTags(request.tags) } : { action };
    const urls = await this.selection(username, request);
    const at = this.options.now();
    let retracted = 0;
    const changed = await this.options.store.bulkEdit(username, urls, edit, at, (link) => {
      retracted++;
      return retraction(username, link, at);
    });
    if (retracted > 0) this.options.onChange();
    return changed;
  }

  private bulkTags(value: unknown): string[] {
    const tags = parseTags(value, 'tags');
    if (tags.length === 0) throw new ValidationError('tags is required for add_tags and remove_tags');
    return tags;
  }

  /** The URLs to change: as given (each in its normal form and as written), or what a query finds. */
  private async selection(username: string, request: BulkEditRequest): Promise<string[]> {
    const hasQuery = request.q !== undefined && request.q !== null && request.q !== '';
    if (request.urls !== undefined && request.urls !== null && hasQuery) throw new ValidationError('give urls or q, not both');
    if (hasQuery) {
      if (typeof request.q !== 'string') throw new ValidationError('q must be text');
      return this.selectByQuery(username, request.q);
    }
    if (request.urls === undefined || request.urls === null) throw new ValidationError('urls or q is required');
    if (!Array.isArray(request.urls)) throw new ValidationError('urls must be a list of URLs');
    if (request.urls.length === 0) throw new ValidationError('urls must name at least one link');
    if (request.urls.length > organizeLimits.bulkUrls) {
      throw new ValidationError(`urls names ${request.urls.length} links; at most ${organizeLimits.bulkUrls} per call`);
    }
    const keys = new Set<string>();
    for (const url of request.urls as unknown[]) {
      if (typeof url !== 'string') throw new ValidationError('urls must contain only text');
      keys.add(requireUrlKey(url, 'urls'));
      // A link saved before normal forms that the migration left as written (docs/design.md §15).
      keys.add(urlAsGiven(url, 'urls'));
    }
    return [...keys];
  }

  /**
   * What the search finds (the store's own query, docs/design.md §14), read
   * just before the edit's transaction. More than the bound is refused rather
   * than cut: changing an arbitrary part of what was asked would surprise.
   */
  private async selectByQuery(username: string, q: string): Promise<string[]> {
    const search = parseSearchQuery(q);
    // A query of nothing would be every link: refused, not guessed.
    if (search.branches.length === 0) throw new ValidationError('q must say which links (it has no search terms)');
    const found = await this.options.store.list(username, { search, limit: organizeLimits.bulkQueryLinks + 1 });
    if (found.length > organizeLimits.bulkQueryLinks) {
      throw new ValidationError(`q finds more than ${organizeLimits.bulkQueryLinks} links; narrow it, or edit in several calls`);
    }
    return found.map((link) => link.url);
  }
}

/** A link leaving followers' sight: link.deleted with the link as they last saw it (as one edit emits). */
function retraction(username: string, link: StoredLink, at: Date) {
  return {
    id: randomUUID(),
    type: 'link.deleted' as const,
    username,
    link: { url: link.url, title: link.title, description: link.description, status: link.status, tags: [...link.tags] },
    timestamp: at.toISOString(),
  };
}
