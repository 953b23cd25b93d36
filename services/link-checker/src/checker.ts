/**
 * The link-checker function's logic: validate the request, check the URL,
 * publish `link.checked` (docs/design.md §4), and only then answer. A result that
 * could not be published is an UnavailableError (503), so the caller retries:
 * a check is safe to repeat, and a lost result would leave the link pending.
 */
import { randomUUID } from 'node:crypto';
import { UnavailableError, requireHttpUrl, requireUsername, urlAsGiven, type LinkCheckedEvent } from '@delinkcious/object-model';
import type { CheckResult } from './check-result.ts';

export type Publish = (event: LinkCheckedEvent) => Promise<void>;

export interface LinkCheckerOptions {
  /** Checks one URL (checkUrl with the service's timeout, resolver and SSRF policy). */
  checkUrl: (url: string) => Promise<CheckResult>;
  /** The archived copy of a URL found invalid, '' when none (archive-lookup.ts); absent: no lookup. */
  archiveLookup?: (url: string) => Promise<string>;
  publish: Publish;
  now?: () => Date;
  newId?: () => string;
}

export interface LinkCheckOutcome extends CheckResult {
  event: LinkCheckedEvent;
}

export class DefaultLinkChecker {
  private readonly options: Required<LinkCheckerOptions>;

  constructor(options: LinkCheckerOptions) {
    this.options = { now: () => new Date(), newId: randomUUID, archiveLookup: async () => '', ...options };
  }

  async check(username: unknown, url: unknown): Promise<LinkCheckOutcome> {
    const user = requireUsername(username);
    // Fetched in its normal form; the event names the URL exactly as link-service stored it, which
    // for a link saved before normal forms may differ (docs/design.md §15).
    const target = requireHttpUrl(url);
    const stored = urlAsGiven(url);
    const result = await this.options.checkUrl(target);
    // Only a dead link needs its archived copy; the lookup never fails the check.
    const archiveUrl = result.status === 'invalid' ? await this.options.archiveLookup(target).catch(() => '') : '';
    const page = result.metadata;
    const event: LinkCheckedEvent = {
      id: this.options.newId(),
      type: 'link.checked',
      username: user,
      url: stored,
      status: result.status,
      http_status: result.httpStatus,
      error: result.error,
      checked_at: this.options.now().toISOString(),
      title: page?.title ?? '',
      description: page?.description ?? '',
      canonical_url: page?.canonicalUrl ?? '',
      favicon_url: page?.faviconUrl ?? '',
      archive_url: archiveUrl,
    };
    try {
      await this.options.publish(event);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new UnavailableError(`the check result could not be published: ${reason}`, { cause: error });
    }
    return { ...result, event };
  }
}
