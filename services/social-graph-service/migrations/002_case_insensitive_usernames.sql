-- Usernames are case-insensitive: follows are stored under the lower-case
-- (canonical) names. A follow recorded under two spellings becomes one; one
-- that becomes a self-follow ("Alice" following "alice") is dropped.
INSERT INTO social_graph (followed, follower)
  SELECT DISTINCT lower(followed), lower(follower) FROM social_graph
  WHERE (followed <> lower(followed) OR follower <> lower(follower)) AND lower(followed) <> lower(follower)
ON CONFLICT DO NOTHING;

DELETE FROM social_graph WHERE followed <> lower(followed) OR follower <> lower(follower);
