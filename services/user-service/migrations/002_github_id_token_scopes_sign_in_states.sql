-- Accounts are keyed by GitHub's numeric user id, which survives a rename of the
-- login (and a login, once renamed away, can be taken by someone else). Existing
-- accounts get their id at their next GitHub sign-in under the same login.
ALTER TABLE users ADD COLUMN github_id bigint UNIQUE;

-- What an API token may do. Tokens made before scopes existed could do everything.
ALTER TABLE api_tokens ADD COLUMN scope text NOT NULL DEFAULT 'write' CHECK (scope IN ('read', 'write'));

-- OAuth sign-in states, shared by every gateway replica, so each serves once.
CREATE TABLE sign_in_states (
  state_hash text PRIMARY KEY CHECK (state_hash ~ '^[0-9a-f]{64}$'),
  expires_at timestamptz NOT NULL
);

CREATE INDEX sign_in_states_by_expiry ON sign_in_states (expires_at);
