-- What a save pays for the search columns, cut (docs/design.md §14). Measured on PGlite with
-- 10,000 links, the insert of a batch of 8 saves: 3.0-3.3 ms -> 2.6 ms; of one save, unchanged.

-- The words of a text: translate() looked each of its characters up among the 32 ASCII
-- punctuation characters one by one, four times a link (title, tags, description, URL): ~12% of
-- the insert. One class of a regular expression maps the same characters each to one space, so
-- every text gets the words it got (a test compares the two over every ASCII character) and the
-- stored search vectors stay valid.
CREATE OR REPLACE FUNCTION link_search_words(t text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN regexp_replace(link_search_fold(t), '[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]', ' ', 'g');

-- The vocabulary of inserted links, once a statement: the row trigger (migration 015) ran one
-- INSERT per link, ~0.08 ms each in a batch of saves; one INSERT of the batch's distinct tokens,
-- in key order, costs less than half, and a single save the same as before. The transition table
-- is the one tag_counts_inserted and link_counts_changed_inserted read already. Updates keep their
-- row trigger: a text changes rarely, a check's status update calls none.
CREATE FUNCTION search_vocabulary_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_vocabulary (username, token)
  SELECT DISTINCT n.username, substr(lexeme, 2) FROM new_links n, unnest(tsvector_to_array(n.search)) AS lexeme
  WHERE starts_with(lexeme, E'\x01') ORDER BY 1, 2 ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;

DROP TRIGGER search_vocabulary_inserted ON links;
CREATE TRIGGER search_vocabulary_inserted AFTER INSERT ON links REFERENCING NEW TABLE AS new_links
  FOR EACH STATEMENT EXECUTE FUNCTION search_vocabulary_on_insert();
