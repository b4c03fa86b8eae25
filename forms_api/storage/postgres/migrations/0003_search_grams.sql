-- A staff search (part of a receipt number, a name or a subject) answered from an index
-- instead of by reading every row of a queue. Core PostgreSQL only: no pg_trgm, which is an
-- extension that the domestic PostgreSQL descendants do not all ship.
--
-- ipps_grams(text) is every distinct two-character piece of a text (pieces that span the
-- U+001F between the parts of `search` are left out). A record's pieces are kept in `grams`
-- under a GIN index; a search for 无此内容 asks for `grams @> ipps_grams('无此内容')` (rows
-- holding the pieces 无此, 此内 and 内容), which the index answers at once when no row holds
-- them all, and strpos() then checks the text itself. A one-character search has no pieces
-- and is answered as before. The function is the only place the pieces are computed: the
-- backfill below, every write (forms_api/storage/postgres/store.py) and every search use it.
--
-- The backfill rewrites every row: on a million records it takes about a minute.

CREATE FUNCTION ipps_grams(value text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT
AS $$
    SELECT coalesce(array_agg(DISTINCT piece ORDER BY piece), '{}')
    FROM (SELECT substr(value, i, 2) AS piece FROM generate_series(1, char_length(value) - 1) AS i) AS pieces
    WHERE strpos(piece, chr(31)) = 0
$$;

ALTER TABLE records ADD COLUMN grams text[] NOT NULL DEFAULT '{}';
UPDATE records SET grams = ipps_grams(search) WHERE search <> '';
CREATE INDEX records_grams ON records USING gin (grams);
