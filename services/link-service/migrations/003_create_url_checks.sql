-- One row per URL being checked: who asked last (so a URL saved by many users
-- is checked once per interval) and the latest result (reused for new links).
CREATE TABLE url_checks (
  url text PRIMARY KEY,
  requested_at timestamptz NOT NULL,
  status text CHECK (status IN ('valid', 'invalid')),
  checked_at timestamptz
);

-- The reconciler's queries: pending links by age, results by age.
CREATE INDEX links_pending ON links (updated_at) WHERE status = 'pending';
CREATE INDEX links_checked_at ON links (checked_at) WHERE status <> 'pending';
