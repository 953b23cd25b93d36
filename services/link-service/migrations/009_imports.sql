-- Import jobs (docs/design.md §19 B): a user's bookmark file, run in batches by
-- whichever replica holds the job's lease, so a job survives restarts and any
-- replica can answer its progress.
CREATE TABLE imports (
  id uuid PRIMARY KEY,
  username text NOT NULL,
  state text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'done', 'failed')),
  -- What was asked (private, tags): the entries already carry it; kept for the record.
  options jsonb NOT NULL DEFAULT '{}',
  total integer NOT NULL CHECK (total >= 0),
  processed integer NOT NULL DEFAULT 0,
  imported integer NOT NULL DEFAULT 0,
  updated integer NOT NULL DEFAULT 0,
  unchanged integer NOT NULL DEFAULT 0,
  skipped integer NOT NULL DEFAULT 0,
  -- The first errors ({url, err}), capped; `skipped` counts them all.
  errors jsonb NOT NULL DEFAULT '[]',
  -- Why a job failed as a whole (state failed); '' otherwise.
  failure text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  -- Which worker runs the job, until when: a lapsed lease is taken over.
  lease_owner text,
  lease_until timestamptz
);
CREATE INDEX imports_running ON imports (created_at) WHERE state = 'running';
CREATE INDEX imports_by_user ON imports (username, created_at DESC);

-- The entries still to do, in file order; each batch deletes its own with the
-- links it wrote, so what is left is exactly what is still to do.
CREATE TABLE import_entries (
  import_id uuid NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
  seq integer NOT NULL,
  entry jsonb NOT NULL,
  PRIMARY KEY (import_id, seq)
);
