/** LinkStore in memory: for unit tests, and the reference the contract suite holds the others to. */
import { byCodePoint, type LinkCheckResult, type LinkDateCount, type LinkEvent, type PopularLink, type TagCount } from '@delinkcious/object-model';
import * as organize from './memory-organize.ts';
import { listInMemory } from '../search/memory.ts';
import { noHealth } from '../link-health.ts';
import { ChangeTimes, linkDates, postChanged } from './memory-link-dates.ts';
import type { BulkEdit, CheckClaim, EventBuilder, InsertOutcome, LinkChanges, LinkStore, ListedLink, ListQuery, NewLink, StoredLink, UpdateOutcome } from './link-store.ts';

const copy = (link: StoredLink): StoredLink => ({ ...link, tags: [...link.tags] });

export class MemoryLinkStore implements LinkStore {
  /** The events of every change, in order: what the SQL store writes to its outbox. */
  readonly outbox: LinkEvent[] = [];
  private nextId = 1;
  private readonly checks = new Map<string, { requestedAt: Date; result?: LinkCheckResult; invalidSince?: Date | undefined }>();
  /** username → url → link */
  private readonly byUser = new Map<string, Map<string, StoredLink>>();
  /** Each user's latest change (lastChange): touched by every write below, as SQL's triggers do. */
  private readonly changes = new ChangeTimes();

  async list(username: string, query: ListQuery): Promise<ListedLink[]> {
    // The same filters, search, sort and keyset as SQL: search/memory.ts.
    return listInMemory(this.byUser.get(username)?.values() ?? [], query).map(({ link, sortKey }) => ({ ...this.withSavedBy(link), sortKey }));
  }

  async insert(link: NewLink, maxLinksPerUser: number, event: EventBuilder): Promise<InsertOutcome> {
    const links = this.byUser.get(link.username) ?? new Map<string, StoredLink>();
    if (links.has(link.url)) return { kind: 'duplicate' };
    if (links.size >= maxLinksPerUser) return { kind: 'limit' };
    const stored: StoredLink = {
      ...link,
      tags: [...link.tags],
      unread: link.unread ?? false,
      id: this.nextId++,
      status: 'pending',
      ...noHealth,
      savedBy: 0,
      updatedAt: link.updatedAt ?? link.createdAt,
    };
    links.set(link.url, stored);
    this.byUser.set(link.username, links);
    this.changes.touch(link.username);
    const outboxEvent = event(this.withSavedBy(stored));
    if (outboxEvent) this.outbox.push(outboxEvent);
    return { kind: 'added', link: this.withSavedBy(stored) };
  }

  async update(
    username: string,
    url: string,
    change: (current: StoredLink) => LinkChanges | null,
    now: Date,
    event: EventBuilder,
  ): Promise<UpdateOutcome> {
    const links = this.byUser.get(username);
    const current = links?.get(url);
    if (!links || !current) return { kind: 'not_found' };
    const changes = change(copy(current));
    if (!changes) return { kind: 'unchanged', link: this.withSavedBy(current) };
    if (changes.url !== undefined && changes.url !== url && links.has(changes.url)) return { kind: 'duplicate' };
    const updated: StoredLink = { ...current, ...changes, updatedAt: now };
    const before = this.withSavedBy(current);
    links.delete(url);
    links.set(updated.url, updated);
    if (postChanged(current, updated)) this.changes.touch(username);
    const outboxEvent = event(this.withSavedBy(updated), before);
    if (outboxEvent) this.outbox.push(outboxEvent);
    return { kind: 'updated', before, link: this.withSavedBy(updated) };
  }

  async delete(username: string, url: string, event: EventBuilder): Promise<StoredLink | null> {
    const links = this.byUser.get(username);
    const link = links?.get(url);
    if (!links || !link) return null;
    const outboxEvent = event(copy(link));
    links.delete(url);
    this.changes.touch(username);
    if (outboxEvent) this.outbox.push(outboxEvent);
    return copy(link);
  }

  async applyCheck(result: LinkCheckResult, filled?: EventBuilder): Promise<number> {
    const check = this.checks.get(result.url);
    const known = check?.result;
    if (!known || known.checkedAt < result.checkedAt) {
      // '' is "unknown": it never erases what an earlier check found.
      const kept = (field: 'title' | 'description' | 'canonicalUrl' | 'faviconUrl' | 'archiveUrl') => result[field] || known?.[field] || '';
      this.checks.set(result.url, {
        requestedAt: check?.requestedAt ?? result.checkedAt,
        result: {
          ...result,
          httpStatus: result.httpStatus ?? 0,
          error: result.error ?? '',
          title: kept('title'),
          description: kept('description'),
          canonicalUrl: kept('canonicalUrl'),
          faviconUrl: kept('faviconUrl'),
          archiveUrl: kept('archiveUrl'),
        },
        invalidSince: result.status === 'invalid' ? (known?.status === 'invalid' ? check?.invalidSince : undefined) ?? result.checkedAt : undefined,
      });
    }
    const urlInvalidSince = this.checks.get(result.url)?.invalidSince;
    let changed = 0;
    for (const links of this.byUser.values()) {
      const link = links.get(result.url);
      if (link && (link.checkedAt === null || link.checkedAt < result.checkedAt)) {
        const before = copy(link);
        link.invalidSince =
          result.status !== 'invalid'
            ? null
            : (link.status === 'invalid' ? link.invalidSince : null) ??
              (urlInvalidSince && urlInvalidSince <= result.checkedAt ? urlInvalidSince : null) ??
              result.checkedAt;
        link.status = result.status;
        link.checkedAt = result.checkedAt;
        link.httpStatus = result.httpStatus ?? 0;
        link.checkError = result.error ?? '';
        link.faviconUrl = result.faviconUrl || link.faviconUrl;
        link.archiveUrl = result.archiveUrl || link.archiveUrl;
        if (link.title === '') link.title = result.title ?? '';
        if (link.description === '') link.description = result.description ?? '';
        // A filled-in title is a change a Pinboard client syncs; a status alone is not (docs/design.md §20).
        if (postChanged(before, link)) this.changes.touch(link.username);
        if (filled && (link.title !== before.title || link.description !== before.description)) {
          const event = filled(this.withSavedBy(link), this.withSavedBy(before));
          if (event) this.outbox.push(event);
        }
        changed++;
      }
    }
    return changed;
  }

  async claimCheck(url: string, now: Date, reuseAfter: Date, claimBefore: Date): Promise<CheckClaim> {
    const check = this.checks.get(url);
    if (check?.result && check.result.checkedAt >= reuseAfter) return { kind: 'known', result: { ...check.result } };
    if (check && check.requestedAt >= claimBefore) return { kind: 'in_progress' };
    this.checks.set(url, { ...check, requestedAt: now });
    return { kind: 'claimed' };
  }

  async urlsToRecheck(pendingBefore: Date, checkedBefore: Date, limit: number): Promise<Array<{ url: string; username: string }>> {
    const due = [...this.byUser.values()]
      .flatMap((links) => [...links.values()])
      .filter((link) => (link.status === 'pending' ? link.updatedAt < pendingBefore : (link.checkedAt ?? link.updatedAt) < checkedBefore))
      .sort((a, b) => (a.checkedAt ?? a.updatedAt).getTime() - (b.checkedAt ?? b.updatedAt).getTime());
    const byUrl = new Map<string, string>();
    for (const link of due) if (!byUrl.has(link.url)) byUrl.set(link.url, link.username);
    return [...byUrl].slice(0, limit).map(([url, username]) => ({ url, username }));
  }

  async countPublicLinks(username: string): Promise<number> {
    return [...(this.byUser.get(username)?.values() ?? [])].filter((link) => !link.private).length;
  }

  async popular(usernames: string[], since: Date, limit: number): Promise<PopularLink[]> {
    const byUrl = new Map<string, StoredLink[]>();
    for (const username of new Set(usernames)) {
      for (const link of this.byUser.get(username)?.values() ?? []) {
        if (link.private || link.createdAt < since) continue;
        byUrl.set(link.url, [...(byUrl.get(link.url) ?? []), link]);
      }
    }
    const latest = (links: StoredLink[], at: (link: StoredLink) => number) =>
      [...links].sort((a, b) => at(b) - at(a) || b.id - a.id)[0]!;
    return [...byUrl.values()]
      .map((links) => ({ links, savedAt: latest(links, (l) => l.createdAt.getTime()).createdAt.getTime() }))
      .sort((a, b) => b.links.length - a.links.length || b.savedAt - a.savedAt || byCodePoint(a.links[0]!.url, b.links[0]!.url))
      .slice(0, limit)
      .map(({ links }) => ({
        url: links[0]!.url,
        // The most recent title, of those not left empty (docs/design.md §17).
        title: latest(links.some((l) => l.title) ? links.filter((l) => l.title) : links, (l) => l.updatedAt.getTime()).title,
        savedBy: links.length,
        usernames: links.map((l) => l.username).sort(byCodePoint),
      }));
  }

  async tagCounts(username: string, prefix: string, limit: number): Promise<TagCount[]> {
    return organize.tagCounts(this.byUser.get(username)?.values() ?? [], prefix, limit);
  }

  async renameTag(username: string, tag: string, newTag: string, now: Date): Promise<number> {
    return this.touchedIf(username, organize.renameTag(this.byUser.get(username) ?? new Map(), tag, newTag, now));
  }

  async deleteTag(username: string, tag: string, now: Date): Promise<number> {
    return this.touchedIf(username, organize.deleteTag(this.byUser.get(username) ?? new Map(), tag, now));
  }

  async bulkEdit(username: string, urls: string[], edit: BulkEdit, now: Date, retract: EventBuilder): Promise<number> {
    return this.touchedIf(username, organize.bulkEdit(this.byUser.get(username) ?? new Map(), urls, edit, now, retract, this.outbox));
  }

  async lastChange(username: string): Promise<Date | null> {
    return this.changes.get(username);
  }

  async linkDates(username: string, tags: string[]): Promise<LinkDateCount[]> {
    return linkDates(this.byUser.get(username)?.values() ?? [], tags);
  }

  /** Answers `changed`, having noted the user's change when any link changed. */
  private touchedIf(username: string, changed: number): number {
    if (changed > 0) this.changes.touch(username);
    return changed;
  }

  async ping(): Promise<void> {}

  /** A copy of `link` with who else saved its URL publicly, counted (the SQL store keeps the count). */
  private withSavedBy(link: StoredLink): StoredLink {
    let savedBy = 0;
    for (const [username, links] of this.byUser) {
      if (username !== link.username && links.get(link.url)?.private === false) savedBy++;
    }
    return { ...copy(link), savedBy };
  }
}
