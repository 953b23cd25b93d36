-- When each user last changed their links (docs/design.md §20: Pinboard's posts/update): the
-- time of the latest add, delete, or change of what a post shows (URL, title, description, tags,
-- private, unread, date), kept on the owner's link_counts row by statement-level triggers in the
-- same transaction as the change, whoever writes it (single saves, bulk edits, tag renames,
-- imports, the check that fills in a title). Reading it is one primary-key lookup.
--
-- A check that changes only a link's status or health moves nothing: what a Pinboard client
-- syncs did not change (it holds no status), and it would re-sync every time the checker ran.
-- An update that only touches updated_at moves nothing either.
ALTER TABLE link_counts ADD COLUMN changed_at timestamptz;

-- Before this migration, deletions left no trace: the latest save or edit is the best known.
UPDATE link_counts c SET changed_at = latest.at
FROM (SELECT username, max(greatest(updated_at, created_at)) AS at FROM links GROUP BY username) latest
WHERE c.username = latest.username;

-- The database's clock at the write (clock_timestamp(): read after the row lock is taken, so
-- of two transactions the one committing later writes the later time), never moving back.
-- Lock order as migration 006: the link rows (the writing statement holds them), then the
-- owners' link_counts rows in username order (these triggers sort before tag_counts_*, and
-- so run first), then tag_counts, then url_stats.
CREATE FUNCTION link_counts_changed_on_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  owners text[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(DISTINCT username) INTO owners FROM new_links;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(DISTINCT username) INTO owners FROM old_links;
  ELSE
    -- The fields of a post (Pinboard's meta, pinboard/answers.ts); a move to another owner changes both.
    SELECT array_agg(DISTINCT owner) INTO owners FROM old_links o JOIN new_links n ON n.id = o.id,
      LATERAL (VALUES (o.username), (n.username)) AS v(owner)
      WHERE (o.username, o.url, o.title, o.description, o.tags, o.private, o.unread, o.created_at)
        IS DISTINCT FROM (n.username, n.url, n.title, n.description, n.tags, n.private, n.unread, n.created_at);
  END IF;
  IF owners IS NOT NULL THEN
    PERFORM 1 FROM link_counts WHERE username = ANY (owners) ORDER BY username FOR UPDATE;
    UPDATE link_counts SET changed_at = greatest(changed_at, clock_timestamp()) WHERE username = ANY (owners);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER link_counts_changed_inserted AFTER INSERT ON links REFERENCING NEW TABLE AS new_links
  FOR EACH STATEMENT EXECUTE FUNCTION link_counts_changed_on_change();
CREATE TRIGGER link_counts_changed_updated AFTER UPDATE ON links REFERENCING OLD TABLE AS old_links NEW TABLE AS new_links
  FOR EACH STATEMENT EXECUTE FUNCTION link_counts_changed_on_change();
CREATE TRIGGER link_counts_changed_deleted AFTER DELETE ON links REFERENCING OLD TABLE AS old_links
  FOR EACH STATEMENT EXECUTE FUNCTION link_counts_changed_on_change();
