-- Every feed is one user's few hundred items (at most NEWS_FEED_MAX): tell the planner so.
-- ANALYZE of a young instance sees one or two readers, and the planner then took each
-- follower's feed for the whole table: every delivery's length cut scanned the table and
-- sorted it once per follower (a fan-out to 10,000 new followers took 0.9 s instead of 0.17).
-- A negative n_distinct is a share of the rows: one owner per 100 items, whatever ANALYZE samples.
ALTER TABLE news_feed ALTER COLUMN username SET (n_distinct = -0.01);
