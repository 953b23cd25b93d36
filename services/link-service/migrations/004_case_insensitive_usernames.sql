-- Usernames are case-insensitive: links and link counts are stored under the
-- lower-case (canonical) username. Links of one URL saved under two spellings
-- become one: the most recently updated (ties: the newer id) is kept, with the
-- union of their tags (its own first, in order, then the others').
CREATE TEMP TABLE link_owners_to_fix ON COMMIT DROP AS
  SELECT DISTINCT lower(username) AS username FROM links WHERE username <> lower(username)
  UNION
  SELECT lower(username) FROM link_counts WHERE username <> lower(username);

CREATE TEMP TABLE link_merges ON COMMIT DROP AS
  SELECT id, first_value(id) OVER (PARTITION BY lower(username), url ORDER BY updated_at DESC, id DESC) AS kept
  FROM links
  WHERE lower(username) IN (SELECT username FROM link_owners_to_fix);

UPDATE links k SET tags = merged.tags
FROM (
  SELECT kept, array_agg(tag ORDER BY own DESC, pos, tag) AS tags
  FROM (
    SELECT m.kept, t.tag, bool_or(l.id = m.kept) AS own, min(CASE WHEN l.id = m.kept THEN t.pos END) AS pos
    FROM link_merges m
    JOIN links l ON l.id = m.id
    CROSS JOIN LATERAL unnest(l.tags) WITH ORDINALITY AS t(tag, pos)
    WHERE m.kept IN (SELECT kept FROM link_merges GROUP BY kept HAVING count(*) > 1)
    GROUP BY m.kept, t.tag
  ) per_tag
  GROUP BY kept
) merged
WHERE k.id = merged.kept;

DELETE FROM links l USING link_merges m WHERE l.id = m.id AND m.id <> m.kept;

UPDATE links SET username = lower(username) WHERE username <> lower(username);

-- The per-user counts of those users, counted again.
DELETE FROM link_counts WHERE lower(username) IN (SELECT username FROM link_owners_to_fix);
INSERT INTO link_counts (username, links)
  SELECT username, count(*) FROM links WHERE username IN (SELECT username FROM link_owners_to_fix) GROUP BY username;
