-- People search: usernames and names by prefix, case-insensitive, from two
-- indexes (COLLATE "C" compares code points, so a prefix is one index range,
-- and lower() in it folds ASCII letters only, the same on every server;
-- usernames are stored lower-case already).
CREATE INDEX users_by_username_prefix ON users ((username COLLATE "C"));
CREATE INDEX users_by_name_prefix ON users ((lower(name COLLATE "C")), (username COLLATE "C"));

-- One private news-feed token per user (the secret of /feeds/news/<token>):
-- only its SHA-256 is kept; making a new one replaces, and so revokes, the old.
CREATE TABLE feed_tokens (
  username text PRIMARY KEY REFERENCES users (username) ON DELETE CASCADE ON UPDATE CASCADE,
  token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL
);
