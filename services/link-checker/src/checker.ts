/**
 * The link-checker function's logic: validate the request, check the URL,
 * publish `link.checked` (docs/design.md §4), and only then answer. A result that
 * could not be published is an UnavailableError (503), so the caller retries:
 * a check is safe to repeat, and a lost result would leave the link pending.
 */
import { randomUUID } from 'node:crypto';
import { UnavailableError, requireHttpUrl, requireUsername, type LinkCheckedEvent } from '@delinkcious/object-model';
import type { CheckResult } from './check-result.ts';

export type Publish = (event: LinkCheckedEvent) => Promise<void>;

export interface LinkCheckerOptions {
  /** Checks one URL (checkUrl with the service's timeout, resolver and SSRF policy). */
  checkUrl: (url: string) => Promise<CheckResult>;
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
    this.options = { now: () => new Date(), newId: randomUUID, ...options };
  }

  async check(username: unknown, url: unknown): Promise<LinkCheckOutcome> {
    const user = requireUsername(username);
    // Trimmed as link-service trims it: the event must name the URL as stored.
    const target = requireHttpUrl(url);
    const result = await this.options.checkUrl(target);
    const event: LinkCheckedEvent = {
      id: this.options.newId(),
      type: 'link.checked',
      username: user,
      url: target,
      status: result.status,
      http_status: result.httpStatus,
      error: result.error,
      checked_at: this.options.now().toISOString(),
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
