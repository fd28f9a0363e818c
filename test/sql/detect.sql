-- logscore_detect and logscore_detector: the online detector (issue 14)
\set SHOW_CONTEXT never

-- two series a minute apart for five days: a daily cycle with deterministic
-- noise; series a has a spike and a lasting shift, series b a gap of 6 hours
CREATE TABLE det (series text, ts timestamptz, value float8);
INSERT INTO det
SELECT s, timestamptz '2024-01-01 00:00+00' + g * interval '1 minute',
       100 + 20 * sin(2 * pi() * g / 1440) + ((g * 7919) % 1009) / 100.0
       + CASE WHEN s = 'a' AND g = 5000 THEN 80 ELSE 0 END
       + CASE WHEN s = 'a' AND g >= 6000 THEN 40 ELSE 0 END
FROM unnest(ARRAY['a', 'b']) s, generate_series(0, 7199) g
WHERE NOT (s = 'b' AND g BETWEEN 4000 AND 4359);

CREATE TABLE det_scores AS
SELECT series, ts, value, logscore_detect(value, ts) OVER (PARTITION BY series ORDER BY ts) AS score
FROM det;

-- every score is in [0, 1]; the first row scores 0
SELECT series, count(*) AS rows, count(*) FILTER (WHERE score >= 0 AND score <= 1) AS in_range,
       min(score) FILTER (WHERE ts = '2024-01-01 00:00+00') AS first_score
FROM det_scores GROUP BY series ORDER BY series;

-- the spike and the shift score above 0.999 at once; the rest of series a
-- after its first day does so on few rows, and the shift is learned: its
-- last hours score low
SELECT (SELECT score > 0.999 FROM det_scores WHERE series = 'a' AND ts = '2024-01-01 00:00+00'::timestamptz + interval '5000 minutes') AS spike,
       (SELECT max(score) > 0.999 FROM det_scores WHERE series = 'a' AND ts BETWEEN '2024-01-01 00:00+00'::timestamptz + interval '6000 minutes'
                                                                         AND '2024-01-01 00:00+00'::timestamptz + interval '6004 minutes') AS shift,
       (SELECT count(*) < 20 FROM det_scores WHERE series = 'a' AND score > 0.999 AND ts >= '2024-01-02 00:00+00') AS few_others,
       (SELECT max(score) < 0.999 FROM det_scores WHERE series = 'a' AND ts >= '2024-01-01 00:00+00'::timestamptz + interval '6600 minutes') AS learned;

-- online: a row's score does not depend on later rows
SELECT count(*) AS rows_compared, count(*) FILTER (WHERE a.score IS DISTINCT FROM b.score) AS differ
FROM det_scores a
JOIN (SELECT series, ts, logscore_detect(value, ts) OVER (PARTITION BY series ORDER BY ts) AS score
      FROM det WHERE ts < '2024-01-03 12:00+00') b USING (series, ts);

-- deterministic: the same rows give the same scores, to the bit
SELECT count(*) FILTER (WHERE a.score::text IS DISTINCT FROM b.score::text) AS differ
FROM det_scores a
JOIN (SELECT series, ts, logscore_detect(value, ts) OVER (PARTITION BY series ORDER BY ts) AS score FROM det) b
USING (series, ts);

-- the state form equals the window form: the state of the rows before a row
-- scores that row as the window does
SELECT d.series, d.ts, logscore_detector_score(
         (SELECT logscore_detector(p.value, p.ts ORDER BY p.ts) FROM det p WHERE p.series = d.series AND p.ts < d.ts),
         d.value, d.ts) = d.score AS same
FROM det_scores d
WHERE d.ts IN ('2024-01-01 00:10+00', '2024-01-03 11:20+00', '2024-01-04 12:00+00', '2024-01-05 03:00+00')
ORDER BY d.series, d.ts;

-- ... and so does folding logscore_detector_update row by row
CREATE TABLE det_rows (i bigint PRIMARY KEY, value float8, ts timestamptz);
INSERT INTO det_rows
SELECT row_number() OVER (ORDER BY ts), value, ts FROM det WHERE series = 'b' AND ts < '2024-01-02';
WITH RECURSIVE fold AS (
  SELECT 0::bigint AS i, NULL::logscore_detector AS state
  UNION ALL
  SELECT f.i + 1, logscore_detector_update(f.state, r.value, r.ts)
  FROM fold f JOIN det_rows r ON r.i = f.i + 1
)
SELECT (SELECT state::text FROM fold ORDER BY i DESC LIMIT 1)
     = (SELECT logscore_detector(value, ts ORDER BY ts)::text FROM det WHERE series = 'b' AND ts < '2024-01-02') AS same_state;

-- NULLs: a NULL value or ts scores NULL and changes nothing
CREATE TABLE det_nulls AS
SELECT * FROM det WHERE series = 'b' AND ts < '2024-01-02 12:00+00'
UNION ALL
SELECT 'b', ts + interval '30 seconds', NULL FROM det WHERE series = 'b' AND ts < '2024-01-02 12:00+00' AND extract(minute FROM ts) = 7;
SELECT count(*) FILTER (WHERE n.value IS NULL) AS null_rows,
       count(*) FILTER (WHERE n.value IS NULL AND n.score IS NULL) AS null_scores,
       count(*) FILTER (WHERE n.value IS NOT NULL AND n.score IS DISTINCT FROM s.score) AS others_differ
FROM (SELECT ts, value, logscore_detect(value, ts) OVER (ORDER BY ts) AS score FROM det_nulls) n
LEFT JOIN det_scores s ON s.series = 'b' AND s.ts = n.ts;
SELECT logscore_detect(v, t) OVER (ORDER BY i) AS score
FROM (VALUES (1, NULL::float8, now()), (2, 1, NULL), (3, 5, '2024-01-01'), (4, NULL, '2024-01-02')) v(i, v, t);
SELECT logscore_detector_update(NULL, NULL, now()) IS NULL AS null_state_stays_null,
       logscore_detector_score(NULL, 1, now()) IS NULL AS strict_score;

-- the gap in series b: its rows after the gap are scored like any other
SELECT count(*) AS after_gap, max(score) <= 1 AS bounded
FROM det_scores WHERE series = 'b' AND ts BETWEEN '2024-01-04 01:00+00' AND '2024-01-04 02:00+00';

-- time going backwards, infinite times and values: 22023
SELECT logscore_detect(v, t) OVER (ORDER BY i)
FROM (VALUES (1, 1.0, timestamptz '2024-01-02'), (2, 2.0, '2024-01-01')) v(i, v, t);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_detector_score(logscore_detector(1, '2024-01-02'), 1, '2024-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_detector(1, 'infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_detector('NaN', now());
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_detector_score(logscore_detector(1, '2024-01-02'), 'Infinity', '2024-01-03');
\echo :LAST_ERROR_SQLSTATE
-- values beyond +-1e150 (whose squares would overflow): 22003
SELECT logscore_detector(1e151, now());
\echo :LAST_ERROR_SQLSTATE
-- equal times are allowed
SELECT logscore_detect(v, t) OVER (ORDER BY v) AS score
FROM (VALUES (1.0, timestamptz '2024-01-02'), (2.0, '2024-01-02')) v(v, t);

-- options: defaults documented, others validated; unknown keys 22023
SELECT logscore_detect(value, ts, 'fast=2, medium=16, slow=256, memory=2000, season=off')
         OVER (ORDER BY ts) IS NOT NULL AS with_options
FROM det WHERE series = 'a' ORDER BY ts DESC LIMIT 1;
SELECT count(*) FILTER (WHERE a.score IS DISTINCT FROM b.score) AS defaults_spelled_out_differ
FROM det_scores a
JOIN (SELECT ts, logscore_detect(value, ts, 'fast=4, medium=32, slow=512, memory=8192, season=on')
               OVER (ORDER BY ts) AS score FROM det WHERE series = 'a') b USING (ts)
WHERE a.series = 'a';
SELECT logscore_detect(1, now(), 'speed=3') OVER ();
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_detect(1, now(), 'fast=100') OVER ();
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_detect(1, now(), 'season') OVER ();
\echo :LAST_ERROR_SQLSTATE
-- a state keeps its options: rows must pass the same ones
SELECT logscore_detector_update(logscore_detector(1, '2024-01-01', 'slow=100'), 2, '2024-01-02', 'slow=200');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_detector_update(logscore_detector(1, '2024-01-01', 'slow=100'), 2, '2024-01-02', 'slow=100') IS NOT NULL AS same_options;
-- groups with their own options in one aggregate
SELECT g, logscore_detector(v, t, o)::text LIKE '%slow=' || s || ',%' AS kept
FROM (VALUES (1, 1.0, timestamptz '2024-01-01', 'slow=100', 100), (2, 1.0, '2024-01-01', 'slow=200', 200),
             (1, 2.0, '2024-01-02', 'slow=100', 100), (2, 2.0, '2024-01-02', 'slow=200', 200)) v(g, v, t, o, s)
GROUP BY g, s ORDER BY g;

-- text form: exact round trip; binary form: COPY BINARY out and back in
CREATE TABLE det_states AS
SELECT series, logscore_detector(value, ts ORDER BY ts) AS state FROM det GROUP BY series;
SELECT series, state::text::logscore_detector::text = state::text AS text_round_trip,
       logscore_detector_send(state) = logscore_detector_send(state::text::logscore_detector) AS same_bytes
FROM det_states ORDER BY series;
SELECT get_byte(logscore_detector_send(state), 0) AS format_version, length(logscore_detector_send(state)) AS bytes
FROM det_states WHERE series = 'a';
CREATE TABLE det_copy (series text, state logscore_detector);
\copy det_states TO 'results/detect.bin' WITH (FORMAT binary)
\copy det_copy FROM 'results/detect.bin' WITH (FORMAT binary)
SELECT count(*) AS states, count(*) FILTER (WHERE a.state::text = b.state::text) AS binary_round_trip
FROM det_states a JOIN det_copy b USING (series);
-- a kept state scores the next row as the window would
SELECT logscore_detector_score(b.state, 130, '2024-01-06 00:00+00')
     = logscore_detector_score(a.state, 130, '2024-01-06 00:00+00') AS copied_scores_alike
FROM det_states a JOIN det_copy b USING (series) WHERE series = 'a';

-- malformed text: 22P02
SELECT 'nonsense'::logscore_detector;
\echo :LAST_ERROR_SQLSTATE
SELECT '(version=2)'::logscore_detector;
\echo :LAST_ERROR_SQLSTATE
SELECT replace(state::text, 'season=1', 'season=3')::logscore_detector FROM det_states WHERE series = 'a';
\echo :LAST_ERROR_SQLSTATE
SELECT replace(state::text, ',count=', ',count=-')::logscore_detector FROM det_states WHERE series = 'a';
\echo :LAST_ERROR_SQLSTATE
SELECT (state::text || 'x')::logscore_detector FROM det_states WHERE series = 'a';
\echo :LAST_ERROR_SQLSTATE

-- malformed binary: 22P03
CREATE FUNCTION copy_binary_detector(payload bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  path text := current_setting('data_directory') || '/detector_bad.bin';
  file bytea := '\x5047434f50590aff0d0a00'::bytea        -- PGCOPY\n\377\r\n\0
                || '\x00000000'::bytea || '\x00000000'::bytea   -- flags, header extension
                || '\x0002'::bytea                           -- two fields
                || '\xffffffff'::bytea                       -- series NULL
                || int4send(length(payload)) || payload
                || '\xffff'::bytea;                          -- trailer
BEGIN
  EXECUTE format('COPY (SELECT %L) TO PROGRAM %L',
                 replace(encode(file, 'base64'), E'\n', ''), 'base64 -d > ' || path);
  EXECUTE format('COPY det_copy FROM %L WITH (FORMAT binary)', path);
  RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT copy_binary_detector(logscore_detector_send(state)) AS valid FROM det_states WHERE series = 'a';
SELECT n, copy_binary_detector(substr(logscore_detector_send(state), 1, n)) AS truncated
FROM det_states, (VALUES (0), (1), (100)) v(n) WHERE series = 'a' ORDER BY n;
SELECT copy_binary_detector(set_byte(logscore_detector_send(state), 0, 9)) AS wrong_version FROM det_states WHERE series = 'a';
SELECT copy_binary_detector(logscore_detector_send(state) || '\x00'::bytea) AS trailing_byte FROM det_states WHERE series = 'a';
-- fast (bytes 25..32) = 0.5
SELECT copy_binary_detector(overlay(logscore_detector_send(state) placing '\x3fe0000000000000'::bytea from 26 for 8)) AS bad_option
FROM det_states WHERE series = 'a';
-- the first level (after 25 + 10 doubles and 3 weights) = NaN
SELECT copy_binary_detector(overlay(logscore_detector_send(state) placing '\x7ff8000000000000'::bytea from 26 + 13 * 8 for 8)) AS nan_level
FROM det_states WHERE series = 'a';

-- the pg_cron pattern: one state per service, each new minute scored
-- against it and then learned
CREATE TABLE det_services (service text PRIMARY KEY, state logscore_detector);
INSERT INTO det_services
SELECT series, logscore_detector(value, ts ORDER BY ts) FROM det WHERE ts < '2024-01-05 12:00+00' GROUP BY series;
CREATE TABLE det_minute (service text, ts timestamptz, value float8);
INSERT INTO det_minute SELECT series, ts, value FROM det WHERE ts = '2024-01-05 12:00+00';
WITH scored AS (
  SELECT m.service, m.ts, logscore_detector_score(s.state, m.value, m.ts) AS score
  FROM det_minute m JOIN det_services s USING (service)
), learned AS (
  UPDATE det_services s SET state = logscore_detector_update(s.state, m.value, m.ts)
  FROM det_minute m WHERE m.service = s.service
)
SELECT c.service, c.score = d.score AS same_as_window
FROM scored c JOIN det_scores d ON d.series = c.service AND d.ts = c.ts ORDER BY c.service;
SELECT s.state::text = (SELECT logscore_detector(value, ts ORDER BY ts)::text FROM det
                        WHERE series = s.service AND ts <= '2024-01-05 12:00+00') AS state_kept
FROM det_services s ORDER BY service;

-- parallel: the window runs in a worker's Gather as in the leader
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT count(*) FILTER (WHERE a.score IS DISTINCT FROM b.score) AS differ_in_parallel
FROM det_scores a
JOIN (SELECT series, ts, logscore_detect(value, ts) OVER (PARTITION BY series ORDER BY ts) AS score FROM det) b
USING (series, ts);
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
