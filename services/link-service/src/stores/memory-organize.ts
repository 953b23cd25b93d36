/** Tags and bulk edits in memory: the reference the SQL store (sql-organize.ts) is held to. */
import { ValidationError, byCodePoint, limits, type LinkEvent, type TagCount } from '@delinkcious/object-model';
import type { BulkEdit, EventBuilder, StoredLink } from './link-store.ts';

/** One user's links, url → link. */
type UserLinks = Map<string, StoredLink>;

export function tagCounts(links: Iterable<StoredLink>, prefix: string, limit: number): TagCount[] {
  const counts = new Map<string, number>();
  for (const link of links) {
    for (const tag of link.tags) if (tag.startsWith(prefix)) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  }
  return [...counts]
    .sort(([a, x], [b, y]) => y - x || byCodePoint(a, b))
    .slice(0, limit)
    .map(([tag, count]) => ({ tag, count }));
}

/** Changes each link `change` answers a new version of; all or nothing (`change` may throw first). */
function changeAll(links: UserLinks, urls: Iterable<string>, change: (link: StoredLink) => StoredLink | null, now: Date): number {
  const next: StoredLink[] = [];
  for (const url of urls) {
    const link = links.get(url);
    const changed = link && change(link);
    if (changed) next.push({ ...changed, updatedAt: now });
  }
  for (const link of next) links.set(link.url, link);
  return next.length;
}

export function renameTag(links: UserLinks, tag: string, newTag: string, now: Date): number {
  return changeAll(
    links,
    [...links.keys()],
    (link) => (link.tags.includes(tag) ? { ...link, tags: [...new Set(link.tags.map((t) => (t === tag ? newTag : t)))] } : null),
    now,
  );
}

export function deleteTag(links: UserLinks, tag: string, now: Date): number {
  return changeAll(links, [...links.keys()], (link) => (link.tags.includes(tag) ? { ...link, tags: link.tags.filter((t) => t !== tag) } : null), now);
}

export function bulkEdit(links: UserLinks, urls: string[], edit: BulkEdit, now: Date, retract: EventBuilder, outbox: LinkEvent[]): number {
  const selected = [...new Set(urls)];
  switch (edit.action) {
    case 'add_tags':
      return changeAll(
        links,
        selected,
        (link) => {
          const added = edit.tags.filter((tag) => !link.tags.includes(tag));
          if (added.length === 0) return null;
          if (link.tags.length + added.length > limits.tagsPerLink) {
            throw new ValidationError(`tags: ${link.url} would have more than ${limits.tagsPerLink} tags`);
          }
          return { ...link, tags: [...link.tags, ...added] };
        },
        now,
      );
    case 'remove_tags':
      return changeAll(
        links,
        selected,
        (link) => (link.tags.some((tag) => edit.tags.includes(tag)) ? { ...link, tags: link.tags.filter((tag) => !edit.tags.includes(tag)) } : null),
        now,
      );
    case 'mark_read':
    case 'mark_unread': {
      const unread = edit.action === 'mark_unread';
      return changeAll(links, selected, (link) => (link.unread !== unread ? { ...link, unread } : null), now);
    }
    case 'set_private':
    case 'set_public': {
      const makePrivate = edit.action === 'set_private';
      return changeAll(
        links,
        selected,
        (link) => {
          if (link.private === makePrivate) return null;
          if (makePrivate) push(outbox, retract({ ...link, tags: [...link.tags] }));
          return { ...link, private: makePrivate };
        },
        now,
      );
    }
    case 'delete': {
      let deleted = 0;
      for (const url of selected) {
        const link = links.get(url);
        if (!link) continue;
        if (!link.private) push(outbox, retract({ ...link, tags: [...link.tags] }));
        links.delete(url);
        deleted++;
      }
      return deleted;
    }
  }
}

function push(outbox: LinkEvent[], event: LinkEvent | null): void {
  if (event) outbox.push(event);
}
