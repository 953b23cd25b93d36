/** What one check of a URL found: the rules (checker.ts) and the network side (check-url.ts) share it. */
import type { LinkCheckedEvent } from '@delinkcious/object-model';

export interface CheckResult {
  status: LinkCheckedEvent['status'];
  /** The last HTTP status the checker received; 0 when it received none. */
  httpStatus: number;
  /** '' or a short reason: 'timeout', 'connection refused', 'too many redirects', 'blocked address 10.0.0.1'… */
  error: string;
}
