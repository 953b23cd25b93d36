/**
 * The LINK object as the original Delinkcious put it on the wire (PascalCase,
 * tags as a set-like map, RFC 3339 times). Used by every HTTP adapter.
 */
import { isoTime } from './iso-time.ts';
import type { Link, LinkStatus, PopularLink } from './link.ts';
import type { ApiTokenInfo, TokenScope, UserSettings } from './user.ts';

export interface WireLink {
  Url: string;
  Title: string;
  Description: string;
  Status: LinkStatus;
  Tags: Record<string, boolean>;
  Private: boolean;
  SavedBy: number;
  Unread: boolean;
  CreatedAt: string;
  UpdatedAt: string;
  /** Link health (docs/design.md §17); absent from servers older than it. */
  CheckedAt?: string | null;
  HttpStatus?: number;
  CheckError?: string;
  InvalidSince?: string | null;
  ArchiveUrl?: string;
  FaviconUrl?: string;
}

/** Tags as the wire's set ({"tag": true}): a loop, 5× faster than fromEntries; `__proto__` is a key like any other. */
function tagSet(tags: readonly string[]): Record<string, boolean> {
  const set: Record<string, boolean> = {};
  for (const tag of tags) {
    if (tag === '__proto__') Object.defineProperty(set, tag, { value: true, enumerable: true, writable: true, configurable: true });
    else set[tag] = true;
  }
  return set;
}

export function linkToWire(link: Link): WireLink {
  return {
    Url: link.url,
    Title: link.title,
    Description: link.description,
    Status: link.status,
    Tags: tagSet(link.tags),
    Private: link.private,
    SavedBy: link.savedBy,
    Unread: link.unread,
    CreatedAt: isoTime(link.createdAt),
    UpdatedAt: isoTime(link.updatedAt),
    CheckedAt: link.checkedAt ? isoTime(link.checkedAt) : null,
    HttpStatus: link.httpStatus,
    CheckError: link.checkError,
    InvalidSince: link.invalidSince ? isoTime(link.invalidSince) : null,
    ArchiveUrl: link.archiveUrl,
    FaviconUrl: link.faviconUrl,
  };
}

export function linkFromWire(wire: WireLink): Link {
  return {
    url: wire.Url,
    title: wire.Title,
    description: wire.Description,
    status: wire.Status,
    tags: Object.entries(wire.Tags ?? {})
      .filter(([, on]) => on)
      .map(([tag]) => tag),
    // A link-service older than private links sent neither: its links were all public.
    private: wire.Private ?? false,
    savedBy: wire.SavedBy ?? 0,
    // A link-service older than read-later sent no Unread.
    unread: wire.Unread ?? false,
    createdAt: new Date(wire.CreatedAt),
    updatedAt: new Date(wire.UpdatedAt),
    // A link-service older than link health sent none of these: nothing known.
    checkedAt: wire.CheckedAt ? new Date(wire.CheckedAt) : null,
    httpStatus: wire.HttpStatus ?? 0,
    checkError: wire.CheckError ?? '',
    invalidSince: wire.InvalidSince ? new Date(wire.InvalidSince) : null,
    archiveUrl: wire.ArchiveUrl ?? '',
    faviconUrl: wire.FaviconUrl ?? '',
  };
}

/** A popular URL on the wire (PascalCase, as LINK). */
export interface WirePopularLink {
  Url: string;
  Title: string;
  SavedBy: number;
  Usernames: string[];
}

export function popularToWire(link: PopularLink): WirePopularLink {
  return { Url: link.url, Title: link.title, SavedBy: link.savedBy, Usernames: [...link.usernames] };
}

export function popularFromWire(wire: WirePopularLink): PopularLink {
  return { url: wire.Url, title: wire.Title, savedBy: wire.SavedBy, usernames: [...wire.Usernames] };
}

/** An API token's description as user-service and the public API put it on the wire (snake_case). */
export interface WireApiTokenInfo {
  id: string;
  name: string;
  /** Absent from a user-service older than scopes, whose tokens could do everything. */
  scope?: TokenScope;
  created_at: string;
  last_used_at: string | null;
}

export function tokenInfoToWire(info: ApiTokenInfo): WireApiTokenInfo {
  return {
    id: info.id,
    name: info.name,
    scope: info.scope,
    created_at: isoTime(info.createdAt),
    last_used_at: info.lastUsedAt ? isoTime(info.lastUsedAt) : null,
  };
}

export function tokenInfoFromWire(wire: WireApiTokenInfo): ApiTokenInfo {
  return {
    id: wire.id,
    name: wire.name,
    scope: wire.scope ?? 'write',
    createdAt: new Date(wire.created_at),
    lastUsedAt: wire.last_used_at ? new Date(wire.last_used_at) : null,
  };
}

/** A user's settings on the wire (snake_case), between user-service, its client and the public API. */
export interface WireUserSettings {
  default_private: boolean;
}

export function settingsToWire(settings: UserSettings): WireUserSettings {
  return { default_private: settings.defaultPrivate };
}

export function settingsFromWire(wire: WireUserSettings): UserSettings {
  return { defaultPrivate: wire.default_private === true };
}
