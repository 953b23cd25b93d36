-- The embedded news store: one row per item of a follower's feed. COLLATE "C"
-- orders event ids by byte, as Redis and the memory store do, so ties on the
-- timestamp break the same way everywhere.
CREATE TABLE news_feed (
  username text COLLATE "C" NOT NULL,
  event_id text COLLATE "C" NOT NULL,
  ts_ms bigint NOT NULL,
  event_type text NOT NULL CHECK (event_type IN ('LINK_ADDED', 'LINK_UPDATED', 'LINK_DELETED')),
  author text NOT NULL,
  url text NOT NULL,
  title text NOT NULL,
  PRIMARY KEY (username, event_id)
);

-- A page, and the cut of the length cap, are one range of this index.
CREATE INDEX news_feed_by_time ON news_feed (username, ts_ms DESC, event_id DESC);

-- Events whose fan-out completed: a redelivered or duplicated event changes nothing.
CREATE TABLE news_delivered (
  event_id text PRIMARY KEY,
  delivered_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX news_delivered_by_time ON news_delivered (delivered_at);
