/**
 * Link health and page metadata on link-service's side (docs/design.md §17):
 * a check result from the bus made safe to store, and the news a filled-in
 * title makes.
 */
import { randomUUID } from 'node:crypto';
import { checkResultFromEvent, limits, pageText, pageUrl, type LinkCheckResult, type LinkCheckedEvent, type LinkEvent } from '@delinkcious/object-model';
import type { LinkStore, StoredLink } from './stores/link-store.ts';

/** The longest CheckError kept: a short reason, not a stack trace. */
const maxErrorLength = 200;

/**
 * A result as the checker reported it, every text tidied and clamped to the link's limits: the
 * checker already does so, but the bus is an input like any other. Old events lack the new fields.
 */
export function cleanCheckResult(result: LinkCheckResult): LinkCheckResult {
  const status = Number(result.httpStatus ?? 0);
  return {
    url: result.url,
    status: result.status,
    checkedAt: result.checkedAt,
    httpStatus: Number.isInteger(status) && status >= 0 && status <= 999 ? status : 0,
    error: pageText(String(result.error ?? ''), maxErrorLength),
    title: pageText(String(result.title ?? ''), limits.titleLength),
    description: pageText(String(result.description ?? ''), limits.descriptionLength),
    canonicalUrl: pageUrl(String(result.canonicalUrl ?? ''), limits.urlLength),
    faviconUrl: pageUrl(String(result.faviconUrl ?? ''), limits.urlLength),
    archiveUrl: pageUrl(String(result.archiveUrl ?? ''), limits.urlLength),
  };
}

/** A link.checked event as the result link-service applies. */
export function checkResultOf(event: LinkCheckedEvent): LinkCheckResult {
  return cleanCheckResult(checkResultFromEvent(event));
}

/**
 * A public link whose empty title or description the page filled in is news to its owner's
 * followers: a link.updated by the owner, at the check's time, written with the change
 * (so the feed shows the title instead of the bare URL). A private link tells nobody.
 */
export function filledInEvent(checkedAt: Date): (link: StoredLink) => LinkEvent | null {
  return (link) =>
    link.private
      ? null
      : {
          id: randomUUID(),
          type: 'link.updated',
          username: link.username,
          link: { url: link.url, title: link.title, description: link.description, status: link.status, tags: [...link.tags] },
          timestamp: checkedAt.toISOString(),
        };
}

/** The health of a link not checked yet, or moved to another URL. */
export const noHealth = { checkedAt: null, httpStatus: 0, checkError: '', invalidSince: null, archiveUrl: '', faviconUrl: '' } as const;

/**
 * A check result arrives twice: in the checker's answer and as a link.checked event. The second
 * application changes nothing but costs a transaction (~0.7 ms on PGlite, a sixth of a save's
 * database time), so each result is applied at its first arrival only, whichever path that is:
 * the embedded checker publishes before it answers, so there the event comes first; over NATS
 * either may. A second arrival while the first is still applying waits for it, and applies the
 * result itself if the first failed. Bounded: a result no longer remembered is applied again,
 * harmlessly.
 */
export class AnsweredChecks {
  private readonly first = new Map<string, Promise<boolean>>();

  constructor(private readonly max = 10_000) {}

  /** Applies `result` with `apply` unless its other arrival did (then answers 0, no link changed). */
  async applyOnce(result: LinkCheckResult, apply: () => Promise<number>): Promise<number> {
    const key = keyOf(result);
    const earlier = this.first.get(key);
    if (earlier) {
      this.first.delete(key);
      if (await earlier) return 0;
      return apply();
    }
    const applying = apply();
    this.first.set(key, applying.then(() => true, () => false));
    if (this.first.size > this.max) this.first.delete(this.first.keys().next().value!);
    return applying;
  }
}

const keyOf = (result: LinkCheckResult) => `${result.status} ${result.checkedAt.getTime()} ${result.url}`;

/** Applies a result (from the bus, a checker's answer or a reused one) as the manager and the scheduler both do. */
export function applyCheckResult(store: Pick<LinkStore, 'applyCheck'>, result: LinkCheckResult): Promise<number> {
  const clean = cleanCheckResult(result);
  return store.applyCheck(clean, filledInEvent(clean.checkedAt));
}
