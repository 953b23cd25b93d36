-- GIN pending lists kept small (docs/design.md §14). A GIN index gathers new entries in a pending
-- list that every scan of the index reads in full, until a VACUUM (on PostgreSQL also
-- gin_clean_pending_list) merges it into the index. With the default limit (4 MB) the search
-- indexes held the entries of up to ~1,000 changed links between two of link-service's vacuums
-- (every check result changes a link): measured on PGlite with 10,000 links, 1,000 links changed,
-- a one-word search by relevance took 6.9 ms instead of 2.3, three terms 2.4 instead of 1.7, and
-- the benchmark's relevance figure came out at 0.10-0.14x in some runs and 0.34-0.38x in others.
-- At 64 kB (the least allowed) the statement that fills the list merges it: in the same state
-- 2.1 and 1.5 ms, and the 1,000 updates took the same time (3.1 s).
ALTER INDEX links_search SET (gin_pending_list_limit = 64);
ALTER INDEX links_search_tokens SET (gin_pending_list_limit = 64);
ALTER INDEX links_by_tag SET (gin_pending_list_limit = 64);
ALTER INDEX search_vocabulary_trigram SET (gin_pending_list_limit = 64);
