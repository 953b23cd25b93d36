/**
 * lastChange and linkDates in memory (memory-link-store.ts): what migration 011's triggers and
 * sql-link-dates.ts do on PostgreSQL/PGlite, the reference the contract suite holds them to.
 */
import type { LinkDateCount } from '@delinkcious/object-model';
import type { StoredLink } from './link-store.ts';

/** Each user's latest change, by this process's clock (as SQL's is the database's), never moving back. */
export class ChangeTimes {
  private readonly at = new Map<string, number>();

  touch(username: string): void {
    this.at.set(username, Math.max(this.at.get(username) ?? 0, Date.now()));
  }

  get(username: string): Date | null {
    const at = this.at.get(username);
    return at === undefined ? null : new Date(at);
  }
}

/** Whether an update changed what a post shows (Pinboard's meta): not a status, health or updatedAt alone. */
export function postChanged(before: StoredLink, after: StoredLink): boolean {
  return (
    before.url !== after.url ||
    before.title !== after.title ||
    before.description !== after.description ||
    before.private !== after.private ||
    before.unread !== after.unread ||
    before.createdAt.getTime() !== after.createdAt.getTime() ||
    before.tags.length !== after.tags.length ||
    before.tags.some((tag, i) => tag !== after.tags[i])
  );
}

/** The links carrying all `tags`, counted per UTC day of createdAt, newest day first. */
export function linkDates(links: Iterable<StoredLink>, tags: readonly string[]): LinkDateCount[] {
  const counts = new Map<string, number>();
  for (const link of links) {
    if (!tags.every((tag) => link.tags.includes(tag))) continue;
    const date = link.createdAt.toISOString().slice(0, 10);
    counts.set(date, (counts.get(date) ?? 0) + 1);
  }
  return [...counts]
    .sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0))
    .map(([date, count]) => ({ date, count }));
}
