-- Who follows whom: one row per pair. COLLATE "C" orders names by code point,
-- the same on every server and as the memory store does, and lets both indexes
-- serve the ORDER BY of the follower and following lists.
CREATE TABLE social_graph (
  followed text COLLATE "C" NOT NULL,
  follower text COLLATE "C" NOT NULL,
  PRIMARY KEY (followed, follower),
  CONSTRAINT social_graph_no_self_follow CHECK (followed <> follower)
);

-- The reverse lookup (whom a user follows); the primary key serves followers.
CREATE INDEX social_graph_by_follower ON social_graph (follower, followed);
