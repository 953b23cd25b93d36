-- Usernames are case-insensitive ("Alice" and "alice" are one account): stored
-- in lower case, the canonical form every service keys by, while `spelling`
-- keeps the username as its owner wrote it, for display.
ALTER TABLE users ADD COLUMN spelling text;
UPDATE users SET spelling = username;
ALTER TABLE users ALTER COLUMN spelling SET NOT NULL;

-- Renaming a user must carry its sessions and tokens along.
ALTER TABLE sessions DROP CONSTRAINT sessions_username_fkey;
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_username_fkey;

-- Accounts whose names differ only in case (possible only through the local
-- sign-in) become one: the oldest is kept, the others merge into it.
CREATE TEMP TABLE username_merges ON COMMIT DROP AS
  SELECT u.username AS merged, k.username AS kept, u.github_id, u.created_at
  FROM users u
  CROSS JOIN LATERAL (
    SELECT o.username FROM users o WHERE lower(o.username) = lower(u.username)
    ORDER BY o.created_at, o.username COLLATE "C" LIMIT 1
  ) k
  WHERE k.username <> u.username;

-- Sessions and tokens of every account go to its canonical name: the kept account's.
UPDATE sessions SET username = lower(username) WHERE username <> lower(username);
UPDATE api_tokens SET username = lower(username) WHERE username <> lower(username);

DELETE FROM users WHERE username IN (SELECT merged FROM username_merges);

-- A kept account with no GitHub id takes the one of the oldest merged account that has one.
UPDATE users k SET github_id = m.github_id
FROM (
  SELECT DISTINCT ON (kept) kept, github_id FROM username_merges
  WHERE github_id IS NOT NULL ORDER BY kept, created_at
) m
WHERE k.username = m.kept AND k.github_id IS NULL;

UPDATE users SET username = lower(username) WHERE username <> lower(username);

ALTER TABLE sessions ADD CONSTRAINT sessions_username_fkey
  FOREIGN KEY (username) REFERENCES users (username) ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_username_fkey
  FOREIGN KEY (username) REFERENCES users (username) ON DELETE CASCADE ON UPDATE CASCADE;
