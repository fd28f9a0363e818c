-- logscore_sketch input and output: text and binary round trips, and
-- malformed input that must be refused with a clear error, never a crash
\set SHOW_CONTEXT never
SET extra_float_digits = 0;

CREATE TABLE sketches (id int, s logscore_sketch);
INSERT INTO sketches
SELECT 1, logscore_sketch(x) FROM generate_series(-50, 200) x
UNION ALL SELECT 2, logscore_sketch(x * 1.5, 0.05) FROM generate_series(1, 10) x
UNION ALL SELECT 3, logscore_sketch(0);

-- the text form
SELECT s FROM sketches WHERE id IN (2, 3) ORDER BY id;

-- a run of empty buckets is written -k; every zero written out reads the same
SELECT '{"version":1,"alpha":0.05,"count":10,"zero":0,"sum":82.5,"mean":8.25,"m2":185.625,"min":1.5,"max":15,"collapsed":false,"positive":{"offset":5,"counts":[1,0,0,0,0,0,1,0,0,0,0,1,0,1,0,0,1,1,0,1,1,0,1,1]},"negative":{"offset":0,"counts":[]}}'::logscore_sketch::text
       = s::text AS zeros_read_as_runs
FROM sketches WHERE id = 2;
SELECT '{"version":1,"alpha":0.05,"count":2,"zero":0,"sum":2,"mean":1,"m2":0,"min":1,"max":1,"collapsed":false,"positive":{"offset":5,"counts":[1,-0,1]},"negative":{"offset":0,"counts":[]}}'::logscore_sketch;
\echo :LAST_ERROR_SQLSTATE

-- text round trip is exact
SELECT id, s::text::logscore_sketch::text = s::text AS text_round_trip FROM sketches ORDER BY id;

-- binary round trip: COPY BINARY out and back in
\copy sketches TO 'results/sketch_io.bin' WITH (FORMAT binary)
CREATE TABLE sketches_back (LIKE sketches);
\copy sketches_back FROM 'results/sketch_io.bin' WITH (FORMAT binary)
SELECT a.id, a.s::text = b.s::text AS binary_round_trip
FROM sketches a JOIN sketches_back b USING (id) ORDER BY a.id;
-- and text COPY
\copy sketches TO 'results/sketch_io.txt'
TRUNCATE sketches_back;
\copy sketches_back FROM 'results/sketch_io.txt'
SELECT count(*) AS text_copy_equal FROM sketches a JOIN sketches_back b USING (id) WHERE a.s::text = b.s::text;

-- send gives the core's binary format: version byte first
SELECT get_byte(logscore_sketch_send(s), 0) AS format_version FROM sketches WHERE id = 1;

-- malformed text: 22P02, with what is wrong
SELECT 'garbage'::logscore_sketch;
\echo :LAST_ERROR_SQLSTATE
SELECT ''::logscore_sketch;
\echo :LAST_ERROR_SQLSTATE
SELECT replace(s::text, '"version":1', '"version":9')::logscore_sketch FROM sketches WHERE id = 2;
\echo :LAST_ERROR_SQLSTATE
SELECT replace(s::text, '"count":10', '"count":11')::logscore_sketch FROM sketches WHERE id = 2;
\echo :LAST_ERROR_SQLSTATE
SELECT regexp_replace(s::text, '"alpha":[^,]*', '"alpha":2')::logscore_sketch FROM sketches WHERE id = 2;
\echo :LAST_ERROR_SQLSTATE
SELECT left(s::text, 40)::logscore_sketch FROM sketches WHERE id = 2;
\echo :LAST_ERROR_SQLSTATE
SELECT (s::text || 'x')::logscore_sketch FROM sketches WHERE id = 2;
\echo :LAST_ERROR_SQLSTATE

-- malformed binary: COPY BINARY files whose sketch bytes are truncated, of a
-- wrong version, with counts that do not add up, or random: 22P03
CREATE FUNCTION copy_binary_sketch(payload bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  path text := current_setting('data_directory') || '/sketch_io_bad.bin';
  file bytea := '\x5047434f50590aff0d0a00'::bytea        -- PGCOPY\n\377\r\n\0
                || '\x00000000'::bytea || '\x00000000'::bytea   -- flags, header extension
                || '\x0002'::bytea                           -- two fields
                || '\x0000000400000007'::bytea               -- id = 7
                || int4send(length(payload)) || payload
                || '\xffff'::bytea;                          -- trailer
BEGIN
  EXECUTE format('COPY (SELECT %L) TO PROGRAM %L',
                 replace(encode(file, 'base64'), E'\n', ''), 'base64 -d > ' || path);
  EXECUTE format('COPY sketches_back FROM %L WITH (FORMAT binary)', path);
  RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT copy_binary_sketch(logscore_sketch_send(s)) AS valid FROM sketches WHERE id = 2;
SELECT n, copy_binary_sketch(substr(logscore_sketch_send(s), 1, n)) AS truncated
FROM sketches, (VALUES (0), (1), (4), (20), (60)) v(n) WHERE id = 2 ORDER BY n;
SELECT copy_binary_sketch(set_byte(logscore_sketch_send(s), 0, 9)) AS wrong_version FROM sketches WHERE id = 2;
-- count (bytes 12..19 after version, flags and two reserved bytes, alpha) plus one
SELECT copy_binary_sketch(set_byte(logscore_sketch_send(s), 12, get_byte(logscore_sketch_send(s), 12) + 1))
       AS inconsistent_count FROM sketches WHERE id = 2;
SELECT copy_binary_sketch(logscore_sketch_send(s) || '\x00'::bytea) AS trailing_byte FROM sketches WHERE id = 2;
SELECT setseed(0.5);
SELECT count(*) FILTER (WHERE r LIKE '22P03:%') AS refused, count(*) FILTER (WHERE r = 'accepted') AS accepted,
       count(*) FILTER (WHERE r NOT LIKE '22P03:%' AND r <> 'accepted') AS other
FROM (SELECT copy_binary_sketch(decode(string_agg(lpad(to_hex((random() * 255)::int), 2, '0'), ''), 'hex')) AS r
      FROM generate_series(1, 40) i, generate_series(1, 24 + i * 3) b GROUP BY i) t;
SELECT count(*) AS rows_from_bad_files FROM sketches_back WHERE id = 7;

DROP FUNCTION copy_binary_sketch(bytea);
DROP TABLE sketches, sketches_back;
