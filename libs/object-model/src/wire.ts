/**
 * The LINK object as the original Delinkcious put it on the wire (PascalCase,
 * tags as a set-like map, RFC 3339 times). Used by every HTTP adapter.
 */
import type { Link, LinkStatus } from './link.ts';
import type { ApiTokenInfo, TokenScope } from './user.ts';

export interface WireLink {
  Url: string;
  Title: string;
  Description: string;
  Status: LinkStatus;
  Tags: Record<string, boolean>;
  CreatedAt: string;
  UpdatedAt: string;
}

export function linkToWire(link: Link): WireLink {
  return {
    Url: link.url,
    Title: link.title,
    Description: link.description,
    Status: link.status,
    Tags: Object.fromEntries(link.tags.map((tag) => [tag, true])),
    CreatedAt: link.createdAt.toISOString(),
    UpdatedAt: link.updatedAt.toISOString(),
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
    createdAt: new Date(wire.CreatedAt),
    updatedAt: new Date(wire.UpdatedAt),
  };
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
    created_at: info.createdAt.toISOString(),
    last_used_at: info.lastUsedAt ? info.lastUsedAt.toISOString() : null,
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
