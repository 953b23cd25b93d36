/** LinkStore in memory: for unit tests, and the reference the contract suite holds the others to. */
import type { LinkCheckResult, LinkEvent } from '@delinkcious/object-model';
import type { CheckClaim, EventBuilder, InsertOutcome, LinkChanges, LinkStore, ListQuery, NewLink, StoredLink, UpdateOutcome } from './link-store.ts';

const copy = (link: StoredLink): StoredLink => ({ ...link, tags: [...link.tags] });

export class MemoryLinkStore implements LinkStore {
  /** The events of every change, in order: what the SQL store writes to its outbox. */
  readonly outbox: LinkEvent[] = [];
  private nextId = 1;
  private readonly checks = new Map<string, { requestedAt: Date; result?: LinkCheckResult }>();
  /** username → url → link */
  private readonly byUser = new Map<string, Map<string, StoredLink>>();

  async list(username: string, query: ListQuery): Promise<StoredLink[]> {
    const links = [...(this.byUser.get(username)?.values() ?? [])]
      .filter((link) => query.beforeId === undefined || link.id < query.beforeId)
      .filter((link) => query.tag === undefined || link.tags.includes(query.tag))
      .sort((a, b) => b.id - a.id);
    return links.slice(0, query.limit).map(copy);
  }

  async insert(link: NewLink, maxLinksPerUser: number, event: EventBuilder): Promise<InsertOutcome> {
    const links = this.byUser.get(link.username) ?? new Map<string, StoredLink>();
    if (links.has(link.url)) return { kind: 'duplicate' };
    if (links.size >= maxLinksPerUser) return { kind: 'limit' };
    const stored: StoredLink = {
      ...link,
      tags: [...link.tags],
      id: this.nextId++,
      status: 'pending',
      checkedAt: null,
      updatedAt: link.createdAt,
    };
    const outboxEvent = event(copy(stored));
    links.set(link.url, stored);
    this.byUser.set(link.username, links);
    this.outbox.push(outboxEvent);
    return { kind: 'added', link: copy(stored) };
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
    if (!changes) return { kind: 'unchanged', link: copy(current) };
    if (changes.url !== undefined && changes.url !== url && links.has(changes.url)) return { kind: 'duplicate' };
    const updated: StoredLink = { ...current, ...changes, updatedAt: now };
    const outboxEvent = event(copy(updated), copy(current));
    links.delete(url);
    links.set(updated.url, updated);
    this.outbox.push(outboxEvent);
    return { kind: 'updated', before: copy(current), link: copy(updated) };
  }

  async delete(username: string, url: string, event: EventBuilder): Promise<StoredLink | null> {
    const links = this.byUser.get(username);
    const link = links?.get(url);
    if (!links || !link) return null;
    const outboxEvent = event(copy(link));
    links.delete(url);
    this.outbox.push(outboxEvent);
    return copy(link);
  }

  async applyCheck(result: LinkCheckResult): Promise<number> {
    const check = this.checks.get(result.url);
    if (!check?.result || check.result.checkedAt < result.checkedAt) {
      this.checks.set(result.url, { requestedAt: check?.requestedAt ?? result.checkedAt, result: { ...result } });
    }
    let changed = 0;
    for (const links of this.byUser.values()) {
      const link = links.get(result.url);
      if (link && (link.checkedAt === null || link.checkedAt < result.checkedAt)) {
        link.status = result.status;
        link.checkedAt = result.checkedAt;
        changed++;
      }
    }
    return changed;
  }

  async claimCheck(url: string, now: Date, reuseAfter: Date, claimBefore: Date): Promise<CheckClaim> {
    const check = this.checks.get(url);
    if (check?.result && check.result.checkedAt >= reuseAfter) return { kind: 'known', result: { ...check.result } };
    if (check && check.requestedAt >= claimBefore) return { kind: 'in_progress' };
    this.checks.set(url, { requestedAt: now, ...(check?.result ? { result: check.result } : {}) });
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

  async ping(): Promise<void> {}
}
