-- Private links: seen by their owner only.
ALTER TABLE links ADD COLUMN private boolean NOT NULL DEFAULT false;

-- Per-URL count of the users who saved it publicly ("who else saved it"), kept
-- in the same transaction as each change, so no request counts links.
CREATE TABLE url_stats (
  url text PRIMARY KEY,
  public_savers integer NOT NULL CHECK (public_savers >= 0)
);
INSERT INTO url_stats (url, public_savers) SELECT url, count(*) FROM links GROUP BY url;

-- Each user's public links, counted as link_counts.links is (every existing link is public).
ALTER TABLE link_counts ADD COLUMN public_links integer NOT NULL DEFAULT 0 CHECK (public_links >= 0);
UPDATE link_counts SET public_links = links;

-- A user's public links, newest first (profiles), and by age (the popular list).
CREATE INDEX links_public_by_user_newest ON links (username, id DESC) WHERE NOT private;
CREATE INDEX links_public_by_user_created ON links (username, created_at DESC) WHERE NOT private;
