/** A link.checked event (docs/design.md §4, §17) as the LinkCheckResult link-service applies. */
import type { LinkCheckedEvent } from './events.ts';
import type { LinkCheckResult } from './link.ts';

/** Fields absent from an older checker's event are left out (they mean "unknown"). */
export function checkResultFromEvent(event: LinkCheckedEvent): LinkCheckResult {
  return {
    url: event.url,
    status: event.status,
    checkedAt: new Date(event.checked_at),
    httpStatus: event.http_status,
    error: event.error,
    title: event.title,
    description: event.description,
    canonicalUrl: event.canonical_url,
    faviconUrl: event.favicon_url,
    archiveUrl: event.archive_url,
  };
}
