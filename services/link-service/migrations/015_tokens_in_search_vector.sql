-- A link's tokens in its search vector (docs/design.md §14). Migration 012 kept the tokens in an
-- array column of their own, with a GIN index of its own: a search of two words of 3+ characters
-- read four bitmaps (each word's lexeme in one index, its tokens in the other), OR'ed and AND'ed
-- them, and planned with a lookup of the vocabulary inside the statement, which the planner could
-- not see. Now each token is a lexeme of `search` too, marked by a leading U+0001 that no lexeme of
-- the text parser can hold (it reads control characters as spaces), so the marked lexemes never
-- meet a word's: the search looks the tokens up first (search/sql.ts) and asks one tsquery of one
-- index per branch, `(word | tokens containing it) & (next word | its tokens)`, which the planner
-- estimates from the column's statistics. Measured with 10,000 links, the benchmark's three terms:
-- on PGlite 2.0 -> 1.3 ms a search (the lookup included); on PostgreSQL 1.09 -> 0.57 ms of planning
-- and execution (the lookup's 0.13 included).

-- The tokens of a folded text (link_search_text, migration 010): the runs between ASCII spaces,
-- punctuation and controls, each once (array_to_tsvector removes duplicates), marked. A lexeme
-- holds at most 2,046 bytes: a longer run is no token, as the text parser drops a word that long.
CREATE FUNCTION link_search_token_vector(search_text text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN array_to_tsvector(ARRAY(
    SELECT E'\x01' || token FROM regexp_split_to_table(coalesce(search_text, ''), '[\x01-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]+') AS token
    WHERE token <> '' AND octet_length(token) <= 2045));
DELETE FROM search_vocabulary WHERE octet_length(token) > 2045;

-- The vocabulary's trigger read the tokens' column: it reads the marked lexemes now. During a
-- rolling upgrade, replicas of the code before this migration still name search_tokens in their
-- searches: the column stays, as a plain column no longer kept (a new link holds NULL there, which
-- such a replica's substring search passes over), so they answer instead of failing; its index goes.
DROP TRIGGER search_vocabulary_updated ON links;
DROP INDEX links_search_tokens;
ALTER TABLE links ALTER COLUMN search_tokens DROP EXPRESSION;
DROP FUNCTION link_search_tokens(text);

-- A generated column cannot read another (search_text): the text is made again from the columns.
ALTER TABLE links DROP COLUMN search;
ALTER TABLE links
  ADD COLUMN search tsvector GENERATED ALWAYS AS (
    link_search_vector(title, description, tags, url) || link_search_token_vector(link_search_text(title, description, tags, url))) STORED;
CREATE INDEX links_search ON links USING gin (search) WITH (gin_pending_list_limit = 64);

CREATE OR REPLACE FUNCTION search_vocabulary_on_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_vocabulary (username, token)
  SELECT NEW.username, substr(lexeme, 2) FROM unnest(tsvector_to_array(NEW.search)) AS lexeme
  WHERE starts_with(lexeme, E'\x01') ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;

-- A check's update of a status leaves the text as it was: no call at all.
CREATE TRIGGER search_vocabulary_updated AFTER UPDATE ON links
  FOR EACH ROW WHEN ((OLD.username, OLD.search) IS DISTINCT FROM (NEW.username, NEW.search))
  EXECUTE FUNCTION search_vocabulary_on_change();
