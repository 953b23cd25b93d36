-- Usernames are case-insensitive: feeds are keyed, and authors named, by the
-- lower-case (canonical) username. Feeds kept under two spellings merge (an
-- item in both is kept once); the length cap applies again at the next item.
INSERT INTO news_feed (username, event_id, ts_ms, event_type, author, url, title)
  SELECT lower(username), event_id, ts_ms, event_type, lower(author), url, title FROM news_feed
  WHERE username <> lower(username)
ON CONFLICT (username, event_id) DO NOTHING;

DELETE FROM news_feed WHERE username <> lower(username);

UPDATE news_feed SET author = lower(author) WHERE author <> lower(author);
