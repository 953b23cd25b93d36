-- Link health and page metadata (docs/design.md §17): what the last check found, on each link,
-- and on the URL's check row so that a reused result carries it to a newly saved link.
ALTER TABLE links
  ADD COLUMN http_status integer NOT NULL DEFAULT 0,
  ADD COLUMN check_error text NOT NULL DEFAULT '',
  ADD COLUMN invalid_since timestamptz,
  ADD COLUMN archive_url text NOT NULL DEFAULT '',
  ADD COLUMN favicon_url text NOT NULL DEFAULT '';
-- Links invalid before this migration: their streak is known to run since their last check at least.
UPDATE links SET invalid_since = checked_at WHERE status = 'invalid';

ALTER TABLE url_checks
  ADD COLUMN http_status integer NOT NULL DEFAULT 0,
  ADD COLUMN error text NOT NULL DEFAULT '',
  ADD COLUMN invalid_since timestamptz,
  ADD COLUMN title text NOT NULL DEFAULT '',
  ADD COLUMN description text NOT NULL DEFAULT '',
  ADD COLUMN canonical_url text NOT NULL DEFAULT '',
  ADD COLUMN favicon_url text NOT NULL DEFAULT '',
  ADD COLUMN archive_url text NOT NULL DEFAULT '';
UPDATE url_checks SET invalid_since = checked_at WHERE status = 'invalid';
