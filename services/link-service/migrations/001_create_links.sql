-- Links, newest first per user by id; at most one link per user and URL.
CREATE TABLE links (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username text NOT NULL,
  url text NOT NULL,
  title text NOT NULL,
  description text NOT NULL DEFAULT '',
  tags text[] NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'valid', 'invalid')),
  checked_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT links_username_url UNIQUE (username, url)
);

CREATE INDEX links_by_user_newest ON links (username, id DESC);
CREATE INDEX links_by_tag ON links USING gin (tags);
CREATE INDEX links_by_url ON links (url);

-- How many links each user has, so the per-user limit is one row lock, not a count(*).
CREATE TABLE link_counts (
  username text PRIMARY KEY,
  links integer NOT NULL CHECK (links >= 0)
);
