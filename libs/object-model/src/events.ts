/** Events that cross service boundaries (docs/design.md §4). */
import type { LinkStatus } from './link.ts';

export type LinkEventType = 'link.added' | 'link.updated' | 'link.deleted';

export interface LinkSnapshot {
  url: string;
  title: string;
  description: string;
  status: LinkStatus;
  tags: string[];
}

export interface LinkEvent {
  id: string;
  type: LinkEventType;
  /** Who made the change. */
  username: string;
  link: LinkSnapshot;
  /** Set on a link.updated that moved the link to another URL. */
  previousUrl?: string;
  /** RFC 3339. */
  timestamp: string;
}

export interface LinkCheckedEvent {
  id: string;
  type: 'link.checked';
  username: string;
  url: string;
  status: Exclude<LinkStatus, 'pending'>;
  http_status: number;
  error: string;
  checked_at: string;
}

/** Where a manager reports each change it made. */
export interface EventSink<E> {
  emit(event: E): Promise<void>;
}
