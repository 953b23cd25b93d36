-- Every change of a user's links moves link_counts.changed_at (migration 011), even when the
-- database's clock stood still or went back: by at least a microsecond past the time it holds.
-- Besides Pinboard's posts/update, it now stamps what a search learned of the user's vocabulary
-- (search/vocabulary-cache.ts): a search that finds the stamp unchanged knows no link of the user
-- changed since, so the tokens it looked up then are still the tokens; a stamp that could stay the
-- same across a change would keep a new link's tokens out of the results.
CREATE OR REPLACE FUNCTION link_counts_changed_on_change() RETURNS trigger LANGUAGE plpgsql AS $$
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
    UPDATE link_counts SET changed_at = greatest(changed_at + interval '1 microsecond', clock_timestamp()) WHERE username = ANY (owners);
  END IF;
  RETURN NULL;
END
$$;
