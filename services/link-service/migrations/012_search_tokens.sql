-- Substring search through tokens (docs/design.md §14). A searched word is letters and digits
-- only, so it is inside a link's folded text exactly when it is inside one of the text's tokens:
-- the runs between ASCII spaces, punctuation and controls (other characters stay in the token,
-- which keeps that true). Each user's distinct tokens are kept in search_vocabulary; a search
-- first finds the tokens containing its word there (a trigram index over a few thousand short
-- tokens), then the links holding one of them (a GIN index over the links' tokens). A link's
-- text is still matched with LIKE row by row; the tokens give the planner an index to find the
-- few links of a narrow query instead of walking all of a user's links newest first. The trigram
-- index over every link's whole text (migration 010) goes: the vocabulary's replaces it.

-- Splits what link_search_text (migration 010) makes, each token once, and adds '', which every
-- link holds: a search asks for it when a word is inside too many tokens to list (search/sql.ts),
-- and then every link is a candidate and LIKE decides.
CREATE FUNCTION link_search_tokens(search_text text) RETURNS text[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN ARRAY(
    SELECT DISTINCT token FROM (
      SELECT '' AS token
      UNION ALL
      SELECT regexp_split_to_table(coalesce(search_text, ''), '[\x01-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]+')
    ) AS split
    ORDER BY token);

-- A generated column cannot read another (search_text): the text is made again from the columns.
ALTER TABLE links
  ADD COLUMN search_tokens text[] GENERATED ALWAYS AS (link_search_tokens(link_search_text(title, description, tags, url))) STORED;

CREATE INDEX links_search_tokens ON links USING gin (search_tokens);

-- Tokens are never removed when their last link goes: a stale one only lengthens a word's list
-- of candidate tokens, and the links' own tokens decide what matches.
CREATE TABLE search_vocabulary (
  username text NOT NULL,
  token text NOT NULL,
  PRIMARY KEY (username, token)
);

CREATE INDEX search_vocabulary_trigram ON search_vocabulary USING gin (token gin_trgm_ops);

INSERT INTO search_vocabulary (username, token)
SELECT DISTINCT username, token FROM links, unnest(search_tokens) AS token WHERE token <> '';

-- In the same transaction as the links' change, whoever writes them. Row triggers: on PGlite a
-- statement trigger with a transition table cost ~0.9 ms per save, these ~0.1 (measured).
-- ON CONFLICT DO NOTHING takes no lock on a token already there. A new token is locked until its
-- transaction ends: a user's saves already queue on their link_counts row, so only a write of
-- that user adding the same new tokens at the same moment waits, and PostgreSQL breaks the rare
-- cycle of two such writes by failing one, which changes nothing.
CREATE FUNCTION search_vocabulary_on_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_vocabulary (username, token) SELECT NEW.username, token FROM unnest(NEW.search_tokens) AS token
  WHERE token <> '' ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;

CREATE TRIGGER search_vocabulary_inserted AFTER INSERT ON links
  FOR EACH ROW EXECUTE FUNCTION search_vocabulary_on_change();
-- A check's update of a status leaves the tokens as they were: no call at all.
CREATE TRIGGER search_vocabulary_updated AFTER UPDATE ON links
  FOR EACH ROW WHEN ((OLD.username, OLD.search_tokens) IS DISTINCT FROM (NEW.username, NEW.search_tokens))
  EXECUTE FUNCTION search_vocabulary_on_change();

DROP INDEX links_search_text;
