/**
 * Import jobs (issue 15, docs/design.md §19 B): a user's bookmark file, read by
 * libs/bookmark-files, becomes a job that link-service runs in batches.
 */

/** One link of an imported file, as libs/bookmark-files reads it; absent fields take the importer's defaults. */
export interface ImportLinkEntry {
  url: string;
  /** '' or absent: the page's own title fills it in when the link is checked. */
  title?: string | undefined;
  description?: string | undefined;
  tags?: string[] | undefined;
  private?: boolean | undefined;
  unread?: boolean | undefined;
  createdAt?: Date | undefined;
  updatedAt?: Date | undefined;
}

/** An entry of the file that was not read as a link, and why (recorded in the job as skipped). */
export interface ImportSkip {
  url: string;
  reason: string;
}

export interface StartImportRequest {
  username: string;
  entries: ImportLinkEntry[];
  /** What the file reader left out, with its reasons: counted as skipped, listed in errors. */
  skipped?: ImportSkip[] | undefined;
  /** Every new link private (else each entry's own privacy). */
  private?: boolean | undefined;
  /** Added to every imported link. */
  tags?: string[] | undefined;
}

export const importStates = ['running', 'done', 'failed'] as const;
export type ImportState = (typeof importStates)[number];

/** An entry that was not imported and why. */
export interface ImportError {
  url: string;
  err: string;
}

/** How far a job got: the same names in the domain, on the wire and in link-service's table. */
export interface ImportCounts {
  /** Entries in the file, the skipped ones included. */
  total: number;
  /** Entries dealt with so far: imported + updated + unchanged + skipped. */
  processed: number;
  /** New links. */
  imported: number;
  /** Links the user had, given tags or a description they lacked. */
  updated: number;
  /** Links the user had, to which the file added nothing (a re-import). */
  unchanged: number;
  /** Entries not imported: unreadable, refused by the link rules, or past the link limit; each has an error. */
  skipped: number;
  /** The first importLimits.errorsKept of them; `skipped` counts them all. */
  errors: ImportError[];
  /** Why a failed job stopped; '' otherwise. */
  failure: string;
}

export interface ImportStatus extends ImportCounts {
  id: string;
  state: ImportState;
  createdAt: Date;
  updatedAt: Date;
}

export const importLimits = {
  /** Errors kept per job; past them only the count grows. */
  errorsKept: 1000,
  /** Entries per transaction: a batch's links and the job's progress commit together. */
  batchSize: 200,
} as const;

/** GET /v1/imports/{id}'s answer, and link-service's GET /imports/:id. */
export interface WireImportStatus extends ImportCounts {
  err: string;
  import_id: string;
  state: ImportState;
  created_at: string;
  updated_at: string;
}

export function importStatusToWire(status: ImportStatus): WireImportStatus {
  return {
    err: '',
    import_id: status.id,
    state: status.state,
    total: status.total,
    processed: status.processed,
    imported: status.imported,
    updated: status.updated,
    unchanged: status.unchanged,
    skipped: status.skipped,
    errors: status.errors.map((error) => ({ url: error.url, err: error.err })),
    failure: status.failure,
    created_at: status.createdAt.toISOString(),
    updated_at: status.updatedAt.toISOString(),
  };
}

export function importStatusFromWire(wire: WireImportStatus): ImportStatus {
  return {
    id: wire.import_id,
    state: wire.state,
    total: wire.total,
    processed: wire.processed,
    imported: wire.imported,
    updated: wire.updated,
    unchanged: wire.unchanged ?? 0,
    skipped: wire.skipped,
    errors: wire.errors ?? [],
    failure: wire.failure ?? '',
    createdAt: new Date(wire.created_at),
    updatedAt: new Date(wire.updated_at),
  };
}

/** An entry as link-service's POST /imports carries it (dates as RFC 3339). */
export interface WireImportEntry {
  url: string;
  title?: string;
  description?: string;
  tags?: string[];
  private?: boolean;
  unread?: boolean;
  created_at?: string;
  updated_at?: string;
}

export function importEntryToWire(entry: ImportLinkEntry): WireImportEntry {
  return {
    url: entry.url,
    ...(entry.title !== undefined && { title: entry.title }),
    ...(entry.description !== undefined && { description: entry.description }),
    ...(entry.tags !== undefined && { tags: entry.tags }),
    ...(entry.private !== undefined && { private: entry.private }),
    ...(entry.unread !== undefined && { unread: entry.unread }),
    ...(entry.createdAt !== undefined && { created_at: entry.createdAt.toISOString() }),
    ...(entry.updatedAt !== undefined && { updated_at: entry.updatedAt.toISOString() }),
  };
}
