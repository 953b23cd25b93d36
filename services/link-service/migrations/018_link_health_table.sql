-- Link health in a narrow table of its own (docs/design.md §17). A check result used to update the
-- links row itself: a new version of the whole wide row (title, tags, description, the search
-- vector and text), an entry in each of its ten indexes (three GIN among them, whose pending lists
-- it filled as fast as the saves), a run of the update triggers, and a dead version for VACUUM to
-- reclaim; every saved link is checked once, so each save paid for two writes of its row. Now a
-- result updates one row of link_health (the health and nothing else, a primary key and two partial
-- indexes); links is written only when a page fills in an empty title. Measured embedded, saving
-- new links at full speed, a batch of ~60 results: 7.2 -> 2.7 ms.
--
-- Every link has a row (the triggers below add and remove it with the link, whoever writes links);
-- a link without one reads as pending all the same. Reads join it by primary key.
CREATE TABLE link_health (
  link_id bigint PRIMARY KEY,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'valid', 'invalid')),
  checked_at timestamptz,
  http_status integer NOT NULL DEFAULT 0,
  check_error text NOT NULL DEFAULT '',
  invalid_since timestamptz,
  archive_url text NOT NULL DEFAULT '',
  favicon_url text NOT NULL DEFAULT ''
);

INSERT INTO link_health (link_id, status, checked_at, http_status, check_error, invalid_since, archive_url, favicon_url)
SELECT id, status, checked_at, http_status, check_error, invalid_since, archive_url, favicon_url FROM links ORDER BY id;

-- The reconciler's queries (migration 003's indexes, moved): pending links, results by age.
CREATE INDEX link_health_pending ON link_health (link_id) WHERE status = 'pending';
CREATE INDEX link_health_checked_at ON link_health (checked_at) WHERE status <> 'pending';
DROP INDEX links_pending;
DROP INDEX links_checked_at;

-- A row for every new link, pending; gone with the link. The deleted links' rows are locked in id
-- order first, as a check's result locks them (sql-link-checks.ts): the two never wait crosswise.
CREATE FUNCTION link_health_on_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO link_health (link_id) SELECT id FROM new_links ORDER BY id;
  ELSE
    PERFORM 1 FROM link_health WHERE link_id IN (SELECT id FROM old_links) ORDER BY link_id FOR UPDATE;
    DELETE FROM link_health WHERE link_id IN (SELECT id FROM old_links);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER link_health_inserted AFTER INSERT ON links REFERENCING NEW TABLE AS new_links
  FOR EACH STATEMENT EXECUTE FUNCTION link_health_on_change();
CREATE TRIGGER link_health_deleted AFTER DELETE ON links REFERENCING OLD TABLE AS old_links
  FOR EACH STATEMENT EXECUTE FUNCTION link_health_on_change();

-- The columns on links (status, checked_at, http_status, check_error, invalid_since, archive_url,
-- favicon_url) stay, no longer kept: during a rolling upgrade, replicas of the code before this
-- migration still read and write them, and answer (with the health as it was here) instead of
-- failing. A later migration drops them. What such a replica writes there is not read: the links
-- it checked stay pending here until the reconciler asks again (LINK_RECHECK_PENDING_AFTER).
