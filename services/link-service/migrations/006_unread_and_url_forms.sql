-- Read later: the owner's own reminder on a link.
ALTER TABLE links ADD COLUMN unread boolean NOT NULL DEFAULT false;

-- One URL, one link (docs/design.md §15): every URL in its normal form, as
-- libs/object-model rules/url.ts writes new ones: scheme and host lower-cased,
-- the default port (and an empty one) dropped, the rest as written. Hosts that
-- are not plain ASCII (IDN, percent-encoded) are left as they are: punycode is
-- beyond SQL, and the service still finds such a link by its old spelling.
CREATE TEMP TABLE url_forms ON COMMIT DROP AS
  SELECT id, username, url, created_at,
    lower(m[1]) || '://' || coalesce(m[2], '') ||
      CASE
        WHEN m[4] IS NULL OR m[4] = '' THEN lower(m[3])
        WHEN ltrim(m[4], '0') = '' THEN lower(m[3]) || ':0'
        WHEN (lower(m[1]) = 'http' AND ltrim(m[4], '0') = '80') OR (lower(m[1]) = 'https' AND ltrim(m[4], '0') = '443') THEN lower(m[3])
        ELSE lower(m[3]) || ':' || ltrim(m[4], '0')
      END || m[5] AS normal
  FROM (
    SELECT id, username, url, created_at,
      regexp_match(url, '^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#\\]*@)?(\[[^]/?#\\]*\]|[^]:/?#\\[]*)(?::([0-9]*))?([/?#\\].*|)$') AS m
    FROM links
  ) parsed
  WHERE m IS NOT NULL AND lower(m[1]) IN ('http', 'https') AND m[3] ~ '^[A-Za-z0-9.\-_\[\]:]+$';

DELETE FROM url_forms WHERE url = normal;

-- Each user's links that become one: the oldest is kept (ties: the lower id).
CREATE TEMP TABLE url_merges ON COMMIT DROP AS
  SELECT l.id, l.username, l.url, coalesce(f.normal, l.url) AS normal,
    first_value(l.id) OVER (PARTITION BY l.username, coalesce(f.normal, l.url) ORDER BY l.created_at, l.id) AS kept
  FROM links l LEFT JOIN url_forms f ON f.id = l.id
  WHERE (l.username, coalesce(f.normal, l.url)) IN (SELECT username, normal FROM url_forms);

-- Merged: the union of the tags (the kept link's first, in order, then the others' by age),
-- the longest description, the kept title unless empty (then the longest), private only if all
-- were, unread if any was, the most recent check.
UPDATE links k SET
  tags = merged.tags,
  description = merged.description,
  title = CASE WHEN k.title <> '' THEN k.title ELSE merged.title END,
  private = merged.private,
  unread = merged.unread,
  updated_at = greatest(k.updated_at, merged.updated_at)
FROM (
  SELECT m.kept,
    (SELECT coalesce(array_agg(tag ORDER BY first_at), '{}') FROM (
       SELECT tag, min(at) AS first_at FROM (
         SELECT t.tag, row_number() OVER (ORDER BY l2.id <> m.kept, l2.created_at, l2.id, t.pos) AS at
         FROM url_merges m2 JOIN links l2 ON l2.id = m2.id CROSS JOIN LATERAL unnest(l2.tags) WITH ORDINALITY AS t(tag, pos)
         WHERE m2.kept = m.kept
       ) occurrences GROUP BY tag
     ) per_tag) AS tags,
    (array_agg(l.description ORDER BY length(l.description) DESC, l.created_at, l.id))[1] AS description,
    (array_agg(l.title ORDER BY length(l.title) DESC, l.created_at, l.id))[1] AS title,
    bool_and(l.private) AS private,
    bool_or(l.unread) AS unread,
    max(l.updated_at) AS updated_at
  FROM url_merges m JOIN links l ON l.id = m.id
  GROUP BY m.kept
  HAVING count(*) > 1
) merged
WHERE k.id = merged.kept;

DELETE FROM links l USING url_merges m WHERE l.id = m.id AND m.id <> m.kept;
UPDATE links l SET url = m.normal FROM url_merges m WHERE l.id = m.id AND m.id = m.kept AND l.url <> m.normal;

-- The owners' counts and the URLs' public savers, counted again.
UPDATE link_counts c SET links = n.links, public_links = n.public_links
FROM (
  SELECT username, count(*)::int AS links, (count(*) FILTER (WHERE NOT private))::int AS public_links
  FROM links WHERE username IN (SELECT username FROM url_merges) GROUP BY username
) n
WHERE c.username = n.username;

DELETE FROM url_stats WHERE url IN (SELECT url FROM url_merges UNION SELECT normal FROM url_merges);
INSERT INTO url_stats (url, public_savers)
  SELECT url, count(*) FILTER (WHERE NOT private) FROM links WHERE url IN (SELECT normal FROM url_merges) GROUP BY url;

-- Check results follow their URL's normal form; of two, the most recent.
INSERT INTO url_checks (url, requested_at, status, checked_at)
  SELECT DISTINCT ON (f.normal) f.normal, c.requested_at, c.status, c.checked_at
  FROM url_checks c JOIN (SELECT DISTINCT url, normal FROM url_merges WHERE url <> normal) f ON f.url = c.url
  ORDER BY f.normal, c.checked_at DESC NULLS LAST, c.requested_at DESC
ON CONFLICT (url) DO UPDATE SET requested_at = greatest(url_checks.requested_at, excluded.requested_at),
  status = CASE WHEN url_checks.checked_at IS NULL OR url_checks.checked_at < excluded.checked_at THEN excluded.status ELSE url_checks.status END,
  checked_at = CASE WHEN url_checks.checked_at IS NULL OR url_checks.checked_at < excluded.checked_at THEN excluded.checked_at ELSE url_checks.checked_at END;
DELETE FROM url_checks WHERE url IN (SELECT url FROM url_merges WHERE url <> normal);

-- Each user's tags and how many of their links carry each (GET /v1/tags), kept
-- by statement-level triggers in the same transaction as every change of links,
-- whoever writes it: one set-based statement per writing statement, so a bulk
-- edit of 1,000 links costs one, and reading the list is one index range.
CREATE TABLE tag_counts (
  username text NOT NULL,
  tag text NOT NULL,
  links integer NOT NULL,
  PRIMARY KEY (username, tag)
);
CREATE INDEX tag_counts_most_used ON tag_counts (username, links DESC, tag COLLATE "C");
INSERT INTO tag_counts (username, tag, links)
  SELECT username, tag, count(*) FROM links, unnest(tags) AS tag GROUP BY username, tag;

-- Each statement's net change per (username, tag), upserted in key order; tags no link
-- carries any more are dropped. Lock order, so concurrent writers never deadlock: a
-- transaction takes its link rows, then its owner's link_counts row (every writer of a
-- user's links takes it, the insert before this trigger runs; here it is taken first
-- where not yet held), then tag_counts, then url_stats.
CREATE FUNCTION tag_counts_on_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    PERFORM 1 FROM link_counts WHERE username IN (
      SELECT o.username FROM old_links o JOIN new_links n ON n.id = o.id
      WHERE o.tags IS DISTINCT FROM n.tags OR o.username <> n.username
    ) ORDER BY username FOR UPDATE;
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM 1 FROM link_counts WHERE username IN (SELECT username FROM old_links) ORDER BY username FOR UPDATE;
  END IF;
  IF TG_OP = 'INSERT' THEN
    INSERT INTO tag_counts AS c (username, tag, links)
      SELECT n.username, t, count(*) FROM new_links n, unnest(n.tags) AS t GROUP BY 1, 2 ORDER BY 1, 2
      ON CONFLICT (username, tag) DO UPDATE SET links = c.links + excluded.links;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO tag_counts AS c (username, tag, links)
      SELECT o.username, t, -count(*) FROM old_links o, unnest(o.tags) AS t GROUP BY 1, 2 ORDER BY 1, 2
      ON CONFLICT (username, tag) DO UPDATE SET links = c.links + excluded.links;
    IF FOUND THEN
      DELETE FROM tag_counts WHERE username IN (SELECT DISTINCT username FROM old_links) AND links <= 0;
    END IF;
  ELSE
    -- Only rows whose tags (or owner) changed count: a status or title update writes nothing here.
    INSERT INTO tag_counts AS c (username, tag, links)
      SELECT username, tag, sum(delta) FROM (
        SELECT o.username, t AS tag, -1 AS delta
          FROM old_links o JOIN new_links n ON n.id = o.id, unnest(o.tags) AS t
          WHERE o.tags IS DISTINCT FROM n.tags OR o.username <> n.username
        UNION ALL
        SELECT n.username, t, 1
          FROM old_links o JOIN new_links n ON n.id = o.id, unnest(n.tags) AS t
          WHERE o.tags IS DISTINCT FROM n.tags OR o.username <> n.username
      ) changes GROUP BY 1, 2 HAVING sum(delta) <> 0 ORDER BY 1, 2
      ON CONFLICT (username, tag) DO UPDATE SET links = c.links + excluded.links;
    IF FOUND THEN
      DELETE FROM tag_counts WHERE username IN (SELECT DISTINCT username FROM old_links) AND links <= 0;
    END IF;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER tag_counts_inserted AFTER INSERT ON links REFERENCING NEW TABLE AS new_links
  FOR EACH STATEMENT EXECUTE FUNCTION tag_counts_on_change();
CREATE TRIGGER tag_counts_updated AFTER UPDATE ON links REFERENCING OLD TABLE AS old_links NEW TABLE AS new_links
  FOR EACH STATEMENT EXECUTE FUNCTION tag_counts_on_change();
CREATE TRIGGER tag_counts_deleted AFTER DELETE ON links REFERENCING OLD TABLE AS old_links
  FOR EACH STATEMENT EXECUTE FUNCTION tag_counts_on_change();
