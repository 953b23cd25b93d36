-- Search (docs/design.md §14): a full-text vector on each link, kept by PostgreSQL in the same
-- statement as every change (a generated column), and the indexes of the sort orders.

-- Case and Latin accents folded one character for one: the same table as searchFold in
-- libs/object-model/src/rules/search-query.ts (a test compares them). A translate(), not the
-- unaccent extension: it needs no extension (none to install in PostgreSQL, none to load in
-- PGlite, no CREATE privilege for the service's role) and is immutable, as a generated column needs.
CREATE FUNCTION link_search_fold(t text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN translate(t,
    'ABCDEFGHIJKLMNOPQRSTUVWXYZÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳØøĐđŁłıĦħŦŧ',
    'abcdefghijklmnopqrstuvwxyzaaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyyaaaaaaccccccccddeeeeeeeeeegggggggghhiiiiiiiiijjkkllllllnnnnnnoooooorrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzzzzzoouuaaiioouuuuuuuuuuaaaaggkkoooojggnnaaaaaaeeeeiiiioooorrrruuuusstthhaaeeooooooooyyooddllihhtt');

-- The words of a text: folded, ASCII punctuation a word boundary (node.js → node js), as the query
-- side splits them (searchWords), so both sides see the same words before stemming.
CREATE FUNCTION link_search_words(t text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN translate(link_search_fold(t), '!"#$%&''()*+,-./:;<=>?@[\]^_`{|}~', '                                ');

-- Title A, tags B, description C, the URL's words D (without its scheme), stemmed by the english
-- configuration (inflection: "running" finds "runs").
CREATE FUNCTION link_search_vector(title text, description text, tags text[], url text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN setweight(to_tsvector('english'::regconfig, link_search_words(coalesce(title, ''))), 'A')
    || setweight(to_tsvector('english'::regconfig, link_search_words(array_to_string(tags, ' '))), 'B')
    || setweight(to_tsvector('english'::regconfig, link_search_words(coalesce(description, ''))), 'C')
    || setweight(to_tsvector('english'::regconfig, link_search_words(regexp_replace(url, '^[A-Za-z][A-Za-z0-9+.-]*://', ''))), 'D');

-- The URL's host, lower-case, for site: (a host and its subdomains).
CREATE FUNCTION link_url_host(url text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN lower(substring(url from '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?(\[[^]/?#]*\]|[^:/?#]*)'));

ALTER TABLE links
  ADD COLUMN search tsvector GENERATED ALWAYS AS (link_search_vector(title, description, tags, url)) STORED,
  ADD COLUMN host text GENERATED ALWAYS AS (link_url_host(url)) STORED,
  ADD COLUMN title_key text GENERATED ALWAYS AS (link_search_fold(title)) STORED;

CREATE INDEX links_search ON links USING gin (search);
-- Newest and oldest are by created_at (an import keeps its links' dates), then id.
CREATE INDEX links_by_user_created ON links (username, created_at DESC, id DESC);
CREATE INDEX links_by_user_title ON links (username, title_key COLLATE "C", id);
-- No listing orders by id any more: the created_at indexes serve the user's and the public pages.
DROP INDEX links_by_user_newest;
DROP INDEX links_public_by_user_newest;
