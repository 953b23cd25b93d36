/**
 * The link-checker function's logic: validate the request, check the URL,
 * publish `link.checked` (docs/design.md §4), and only then answer. A result that
 * could not be published is an UnavailableError (503), so the caller retries:
 * a check is safe to repeat, and a lost result would leave the link pending.
 */
import { randomUUID } from 'node:crypto';
import { UnavailableError, ValidationError, type LinkCheckedEvent } from '@delinkcious/object-model';
import type { CheckResult } from './check-url.ts';

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

export const limits = { urlLength: 2048, usernameLength: 128 } as const;

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const controlCharacter = /[\u0000-\u001f\u007f]/;

export function requireUsername(value: unknown): string {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) throw new ValidationError('username is required');
  if (typeof value !== 'string') throw new ValidationError('username must be text');
  const username = value.trim();
  if (username.length > limits.usernameLength) throw new ValidationError(`username is longer than ${limits.usernameLength} characters`);
  if (controlCharacter.test(username)) throw new ValidationError('username must not contain control characters');
  return username;
}

/** The URL as link-service stored it (trimmed, as link-service trims): the event must name the same string. */
export function requireCheckableUrl(value: unknown): string {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) throw new ValidationError('url is required');
  if (typeof value !== 'string') throw new ValidationError('url must be text');
  const url = value.trim();
  if (url.length > limits.urlLength) throw new ValidationError(`url is longer than ${limits.urlLength} characters`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError(`url is not a valid URL: ${url.slice(0, 100)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ValidationError(`url must be an http or https URL, not ${parsed.protocol.replace(/:$/, '')}`);
  }
  if (!parsed.hostname) throw new ValidationError('url has no host');
  return url;
}

export class DefaultLinkChecker {
  private readonly options: Required<LinkCheckerOptions>;

  constructor(options: LinkCheckerOptions) {
    this.options = { now: () => new Date(), newId: randomUUID, ...options };
  }

  async check(username: unknown, url: unknown): Promise<LinkCheckOutcome> {
    const user = requireUsername(username);
    const target = requireCheckableUrl(url);
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
      throw new UnavailableError(`the check result could not be published: ${reason}`);
    }
    return { ...result, event };
  }
}
