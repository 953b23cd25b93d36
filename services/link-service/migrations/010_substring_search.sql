-- Substring search (docs/design.md §14): a word of 3 or more characters also matches inside a
-- word ("sql" finds "PostgreSQL"), through a trigram index on the links' folded text.

-- pg_trgm is a trusted extension: a database owner may create it. The embedded database creates
-- it at open, as the superuser, in pg_catalog (libs/db/src/embedded.ts), where a service's role
-- sees it from its own search_path; this is then a no-op.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Title, description, URL without its scheme, and tags, folded as link_search_fold does (case,
-- Latin accents) and lower-cased beyond A–Z: what a substring is looked for in.
CREATE FUNCTION link_search_text(title text, description text, tags text[], url text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN lower(link_search_fold(
    coalesce(title, '') || ' ' || coalesce(description, '') || ' '
    || regexp_replace(coalesce(url, ''), '^[A-Za-z][A-Za-z0-9+.-]*://', '') || ' '
    || coalesce(array_to_string(tags, ' '), '')));

ALTER TABLE links
  ADD COLUMN search_text text GENERATED ALWAYS AS (link_search_text(title, description, tags, url)) STORED;

CREATE INDEX links_search_text ON links USING gin (search_text gin_trgm_ops);
