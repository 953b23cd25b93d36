/** What one check of a URL found: the rules (checker.ts) and the network side (check-url.ts) share it. */
import type { LinkCheckedEvent } from '@delinkcious/object-model';
import type { PageMetadata } from './page-metadata.ts';

export interface CheckResult {
  status: LinkCheckedEvent['status'];
  /** The last HTTP status the checker received; 0 when it received none. */
  httpStatus: number;
  /** '' or a short reason: 'timeout', 'connection refused', 'DNS failure', '404 Not Found', 'blocked address 10.0.0.1'… */
  error: string;
  /** The page's metadata, when the check read the page (docs/design.md §17). */
  metadata?: PageMetadata;
}
