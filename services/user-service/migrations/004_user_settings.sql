-- Per-user settings, one row per user who changed one (no row: the defaults).
-- Later settings are further columns (with defaults) of this table.
CREATE TABLE user_settings (
  username text PRIMARY KEY REFERENCES users (username) ON DELETE CASCADE ON UPDATE CASCADE,
  default_private boolean NOT NULL DEFAULT false
);
