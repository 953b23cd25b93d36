/**
 * The LINK object as the original Delinkcious put it on the wire (PascalCase,
 * tags as a set-like map, RFC 3339 times). Used by every HTTP adapter.
 */
import type { Link, LinkStatus } from './link.ts';

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
