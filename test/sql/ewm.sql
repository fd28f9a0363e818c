-- logscore_ewm: exponentially time-decayed statistics that merge in any order
\set SHOW_CONTEXT never
SET extra_float_digits = 0;
SET TimeZone = 'UTC';

-- compares two states: exact count, anchor and half-life, and weight, mean
-- and stddev within 1e-9 relative (floating point depends on the order)
CREATE FUNCTION ewm_field(e logscore_ewm, field text) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT
AS $$ SELECT substring(e::text from '[(,]' || field || '=([^,)]*)')::double precision $$;
CREATE FUNCTION ewm_close(a logscore_ewm, b logscore_ewm) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT
AS $$
  SELECT logscore_ewm_count(a) = logscore_ewm_count(b)
     AND ewm_field(a, 'half_life') = ewm_field(b, 'half_life')
     AND ewm_field(a, 'anchor') = ewm_field(b, 'anchor')
     AND abs(ewm_field(a, 'weight') - ewm_field(b, 'weight')) <= 1e-9 * ewm_field(b, 'weight')
     AND abs(logscore_ewm_mean(a) - logscore_ewm_mean(b)) <= 1e-9 * greatest(abs(logscore_ewm_mean(b)), 1)
     AND abs(logscore_ewm_stddev(a) - logscore_ewm_stddev(b)) <= 1e-9 * greatest(logscore_ewm_stddev(b), 1)
$$;

-- closed form: 0 at t0 and 1 one half-life later weigh 1/2 and 1, so the
-- mean is 2/3 and the variance (1/3)(2/3) = 2/9, whatever the row order
CREATE TEMP TABLE two (v double precision, ts timestamptz);
INSERT INTO two VALUES (0, '2024-03-01 12:00'), (1, '2024-03-01 13:00');
SELECT logscore_ewm(v, ts, '1 hour') FROM two;
SELECT ewm_close(logscore_ewm(v, ts, '1 hour' ORDER BY ts DESC), logscore_ewm(v, ts, '1 hour' ORDER BY ts)) AS order_free,
       ewm_field(logscore_ewm(v, ts, '1 hour'), 'weight') AS weight,
       abs(logscore_ewm_mean(logscore_ewm(v, ts, '1 hour')) - 2.0 / 3) < 1e-15 AS mean_two_thirds,
       abs(logscore_ewm_stddev(logscore_ewm(v, ts, '1 hour')) - sqrt(2.0 / 9)) < 1e-15 AS stddev_sqrt_two_ninths,
       logscore_ewm_count(logscore_ewm(v, ts, '1 hour')) AS count
FROM two;
-- two half-lives weigh a quarter; a day counts as 24 hours; fractions too
SELECT ewm_field(logscore_ewm(v, ts, '30 minutes'), 'weight') AS two_half_lives FROM two;
SELECT ewm_field(logscore_ewm(v, ts, '1 day'), 'weight') AS one_day_apart_1_day,
       ewm_field(logscore_ewm(v, ts, '12 hours'), 'weight') AS one_day_apart_12_hours
FROM (VALUES (0.0::float8, '2024-03-01 12:00'::timestamptz), (1, '2024-03-02 12:00')) t(v, ts);
SELECT abs(ewm_field(logscore_ewm(v, ts, '1 day'), 'weight') - (1 + 2 ^ (-23.0 / 24))) < 1e-15 AS fractional
FROM (VALUES (0.0::float8, '2024-03-01 12:00'::timestamptz), (1, '2024-03-02 11:00')) t(v, ts);
-- the accessors
SELECT round(logscore_ewm_mean(e)::numeric, 12) AS mean, round(logscore_ewm_stddev(e)::numeric, 12) AS stddev,
       round(logscore_ewm_zscore(e, 1)::numeric, 12) AS z_of_1, round(logscore_ewm_zscore(e, 0)::numeric, 12) AS z_of_0,
       logscore_ewm_count(e) AS count
FROM (SELECT logscore_ewm(v, ts, '1 hour') AS e FROM two) s;
-- values at one instant: the plain mean and population standard deviation
SELECT logscore_ewm_mean(e) AS mean,
       abs(logscore_ewm_stddev(e) - (SELECT stddev_pop(x) FROM generate_series(1, 10) x)) < 1e-12 AS plain_stddev
FROM (SELECT logscore_ewm(x, '2024-01-01', '1 hour') AS e FROM generate_series(1, 10) x) s;
-- no spread: no z-score
SELECT logscore_ewm_stddev(e) AS stddev, logscore_ewm_zscore(e, 5) IS NULL AS zscore_null
FROM (SELECT logscore_ewm(4, now(), '1 hour') AS e) s;
-- values ~2000 half-lives old underflow to weight 0: they count, nothing more
SELECT logscore_ewm(v, ts, '1 second')
FROM (VALUES (1e300::float8, '2024-01-01 00:00'::timestamptz), (-1e300, '2024-01-01 01:00')) t(v, ts);

-- NULLs: a row with a NULL value or ts is skipped; no rows give NULL
SELECT logscore_ewm_count(logscore_ewm(v, ts, '1 hour'))
FROM (VALUES (1.0::float8, now()), (NULL, now()), (3.0, NULL), (NULL, NULL)) t(v, ts);
SELECT logscore_ewm(v, ts, '1 hour') IS NULL AS all_null
FROM (VALUES (NULL::float8, now()), (1, NULL)) t(v, ts);
SELECT logscore_ewm(v, now(), '1 hour') IS NULL AS no_rows FROM (SELECT 1.0::float8 WHERE false) t(v);
SELECT logscore_merge(e) IS NULL AS merge_of_nulls FROM (VALUES (NULL::logscore_ewm)) t(e);
SELECT logscore_ewm_mean(NULL) IS NULL AS mean_null, logscore_ewm_zscore(logscore_ewm(1, now(), '1 hour'), NULL) IS NULL AS zscore_null;

-- the events the rest of the tests aggregate: 30 hours, a row a second
CREATE TABLE ewm_events AS
SELECT id, '2024-03-01'::timestamptz + id * interval '1 second' + (id % 7) * interval '1 microsecond' AS ts,
       ((id * 7919) % 1000) / 10.0 + 20 * sin(id / 500.0) AS v, id % 5 AS grp
FROM generate_series(1, 108000) id;
ANALYZE ewm_events;
CREATE TEMP TABLE whole AS SELECT logscore_ewm(v, ts, '1 hour') AS e FROM ewm_events;
SELECT logscore_ewm_count(e), round(logscore_ewm_mean(e)::numeric, 6) AS mean,
       round(logscore_ewm_stddev(e)::numeric, 6) AS stddev FROM whole;

-- merge: three parts (by id % 3, and by time range) combined in all six
-- orders give the whole
CREATE TEMP TABLE ewm_parts AS
SELECT 'mod' AS split, id % 3 AS part, logscore_ewm(v, ts, '1 hour') AS e FROM ewm_events GROUP BY 1, 2
UNION ALL
SELECT 'range', width_bucket(id, 1, 108001, 3) - 1, logscore_ewm(v, ts, '1 hour') FROM ewm_events GROUP BY 1, 2;
SELECT split, p AS part_order, ewm_close(logscore_merge(e ORDER BY array_position(p, part)), (SELECT e FROM whole)) AS equals_whole
FROM ewm_parts,
     (VALUES ('{0,1,2}'::int[]), ('{0,2,1}'), ('{1,0,2}'), ('{1,2,0}'), ('{2,0,1}'), ('{2,1,0}')) o(p)
GROUP BY split, p ORDER BY split, p;
-- and merged pairwise, as nested rollups do
SELECT bool_and(ewm_close(logscore_ewm_combine(a.e, logscore_ewm_combine(b.e, c.e)), (SELECT e FROM whole))) AS nested_equal
FROM ewm_parts a, ewm_parts b, ewm_parts c
WHERE a.split = 'range' AND b.split = 'range' AND c.split = 'range'
  AND a.part <> b.part AND b.part <> c.part AND a.part <> c.part;

-- parallel: Partial Aggregate under Gather, and the same statistics as serially
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT logscore_ewm(v, ts, '1 hour') FROM ewm_events;
CREATE TEMP TABLE parallel_whole AS SELECT logscore_ewm(v, ts, '1 hour') AS e FROM ewm_events;
EXPLAIN (COSTS OFF) SELECT grp, logscore_ewm(v, ts, '10 minutes') FROM ewm_events GROUP BY grp;
CREATE TEMP TABLE parallel_grouped AS SELECT grp, logscore_ewm(v, ts, '10 minutes') AS e FROM ewm_events GROUP BY grp;
SET max_parallel_workers_per_gather = 0;
SELECT ewm_close(p.e, s.e) AS parallel_equals_serial
FROM parallel_whole p, (SELECT logscore_ewm(v, ts, '1 hour') AS e FROM ewm_events) s;
SELECT count(*) AS groups, count(*) FILTER (WHERE ewm_close(p.e, s.e)) AS groups_equal
FROM parallel_grouped p JOIN (SELECT grp, logscore_ewm(v, ts, '10 minutes') AS e FROM ewm_events GROUP BY grp) s USING (grp);
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- rollup: per-minute states merged into per-hour ones equal per-hour
-- aggregation of the rows
CREATE TABLE ewm_minutes AS
SELECT grp, date_trunc('minute', ts) AS minute, logscore_ewm(v, ts, '15 minutes') AS e
FROM ewm_events GROUP BY 1, 2;
SELECT count(*) AS hours, count(*) FILTER (WHERE ewm_close(r.e, d.e)) AS hours_equal
FROM (SELECT grp, date_trunc('hour', minute) AS hour, logscore_merge(e) AS e FROM ewm_minutes GROUP BY 1, 2) r
JOIN (SELECT grp, date_trunc('hour', ts) AS hour, logscore_ewm(v, ts, '15 minutes') AS e FROM ewm_events GROUP BY 1, 2) d
USING (grp, hour);
-- and into one state per group, as a dashboard reads it
SELECT grp, round(logscore_ewm_mean(logscore_merge(e))::numeric, 6) AS mean,
       ewm_close(logscore_merge(e), (SELECT logscore_ewm(v, ts, '15 minutes') FROM ewm_events x WHERE x.grp = m.grp)) AS equals_direct
FROM ewm_minutes m GROUP BY grp ORDER BY grp;

-- a running EWMA as a window aggregate
SELECT id, v, round(logscore_ewm_mean(logscore_ewm(v, ts, '1 second') OVER (ORDER BY ts))::numeric, 6) AS running_mean,
       logscore_ewm_count(logscore_ewm(v, ts, '1 second') OVER (ORDER BY ts)) AS running_count
FROM ewm_events WHERE id <= 4 ORDER BY id;

-- the transition functions called directly leave their arguments alone
SELECT logscore_ewm_count(logscore_ewm_add(e, 5, '2024-03-01', '1 hour')) AS added,
       logscore_ewm_count(e) AS unchanged FROM whole;
SELECT logscore_ewm_count(logscore_ewm_combine(e, e)) AS combined, logscore_ewm_count(e) AS unchanged FROM whole;
SELECT logscore_ewm_add(NULL, 5, '2024-03-01', '1 hour');
SELECT logscore_ewm_add(NULL, NULL, '2024-03-01', '1 hour') IS NULL AS skipped;

-- text form: round trip exact for every minute state
SELECT count(*) AS states, count(*) FILTER (WHERE e::text::logscore_ewm::text = e::text) AS text_round_trip
FROM ewm_minutes;
SELECT ' ( version = 1 , n = 2 , half_life = 3600000000 , anchor = 762609600000000 , weight = 1.5 , mean = 1 , m2 = 0.5 ) '::logscore_ewm
  AS spaces_allowed;
-- binary form: version byte first, 49 bytes; COPY BINARY out and back in
SELECT get_byte(logscore_ewm_send(e), 0) AS format_version, length(logscore_ewm_send(e)) AS bytes FROM whole;
CREATE TABLE ewm_copy (grp int, minute timestamptz, e logscore_ewm);
\copy ewm_minutes TO 'results/ewm.bin' WITH (FORMAT binary)
\copy ewm_copy FROM 'results/ewm.bin' WITH (FORMAT binary)
SELECT count(*) AS states, count(*) FILTER (WHERE a.e::text = b.e::text) AS binary_round_trip
FROM ewm_minutes a JOIN ewm_copy b USING (grp, minute);

-- the z-score of NaN is an error, of an infinite value infinite, and a
-- score beyond double precision from a finite value an error, as for the
-- other scores
CREATE TEMP TABLE tiny AS
SELECT logscore_ewm(v, timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute', '1 hour') AS e
FROM (VALUES (1, 0::float8), (2, 1e-150)) t(i, v);
SELECT logscore_ewm_zscore(e, 'Infinity') AS inf, logscore_ewm_zscore(e, '-Infinity') AS neg_inf FROM tiny;
SELECT logscore_ewm_zscore(e, 'NaN') FROM tiny;
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_ewm_zscore(e, 1e300) FROM tiny;
\echo :LAST_ERROR_SQLSTATE
DROP TABLE tiny;

-- errors: the half-life
SELECT logscore_ewm(v, ts, '0 seconds') FROM two;
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_ewm(v, ts, '-1 hour') FROM two;
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_ewm(v, ts, '1 day -25 hours') FROM two;
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_ewm(v, ts, '1 month') FROM two;
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_ewm(v, ts, '1 year 1 hour') FROM two;
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_ewm(v, ts, '2000000000 days') FROM two;
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_ewm(v, ts, NULL) FROM two;
\echo :LAST_ERROR_SQLSTATE
-- mixed half-lives in one aggregate, and merging different half-lives
SELECT logscore_ewm(v, ts, CASE WHEN v = 0 THEN interval '1 hour' ELSE '60 minutes 1 second' END) FROM two;
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_merge(e) FROM (SELECT logscore_ewm(v, ts, '1 hour') FROM two
                               UNION ALL SELECT logscore_ewm(v, ts, '2 hours') FROM two) t(e);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_ewm_combine(logscore_ewm(v, ts, '1 hour'), logscore_ewm(v, ts, '1 day')) FROM two;
\echo :LAST_ERROR_SQLSTATE
-- values and times that are not finite
SELECT logscore_ewm(v, now(), '1 hour') FROM (VALUES (1.0::float8), ('NaN')) t(v);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_ewm(v, now(), '1 hour') FROM (VALUES (1.0::float8), ('Infinity')) t(v);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_ewm(v, now(), '1 hour') FROM (VALUES ('-Infinity'::float8)) t(v);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_ewm(1, ts, '1 hour') FROM (VALUES (now()), ('infinity')) t(ts);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_ewm(1, ts, '1 hour') FROM (VALUES ('-infinity'::timestamptz)) t(ts);
\echo :LAST_ERROR_SQLSTATE
-- a variance beyond double precision: 22003, as var_pop() gives
SELECT logscore_ewm(v, '2024-01-01', '1 hour') FROM (VALUES (-1.5e308::float8), (1.5e308)) t(v);
\echo :LAST_ERROR_SQLSTATE

-- malformed text: 22P02, with what is wrong
SELECT ''::logscore_ewm;
\echo :LAST_ERROR_SQLSTATE
SELECT 'garbage'::logscore_ewm;
\echo :LAST_ERROR_SQLSTATE
SELECT '(version=2,n=2,half_life=3600000000,anchor=0,weight=1.5,mean=1,m2=0.5)'::logscore_ewm;
\echo :LAST_ERROR_SQLSTATE
SELECT '(version=1,half_life=3600000000,anchor=0,weight=1.5,mean=1,m2=0.5)'::logscore_ewm;
\echo :LAST_ERROR_SQLSTATE
SELECT '(version=1,n=2,half_life=3600000000,anchor=0,weight=1.5,mean=1)'::logscore_ewm;
\echo :LAST_ERROR_SQLSTATE
SELECT '(version=1,n=2,anchor=0,half_life=3600000000,weight=1.5,mean=1,m2=0.5)'::logscore_ewm;
\echo :LAST_ERROR_SQLSTATE
SELECT '(version=1,n=2,n=2,half_life=3600000000,anchor=0,weight=1.5,mean=1,m2=0.5)'::logscore_ewm;
\echo :LAST_ERROR_SQLSTATE
SELECT '(version=1,n=2,half_life=3600000000,anchor=0,weight=-1.5,mean=1,m2=0.5)'::logscore_ewm;
\echo :LAST_ERROR_SQLSTATE
SELECT '(version=1,n=2,half_life=3600000000,anchor=0,weight=2.5,mean=1,m2=0.5)'::logscore_ewm;
\echo :LAST_ERROR_SQLSTATE
SELECT '(version=1,n=0,half_life=3600000000,anchor=0,weight=1,mean=1,m2=0)'::logscore_ewm;
\echo :LAST_ERROR_SQLSTATE
SELECT '(version=1,n=1,half_life=3600000000,anchor=0,weight=1,mean=1,m2=0.5)'::logscore_ewm;
\echo :LAST_ERROR_SQLSTATE
SELECT '(version=1,n=2,half_life=0,anchor=0,weight=1.5,mean=1,m2=0.5)'::logscore_ewm;
\echo :LAST_ERROR_SQLSTATE
SELECT '(version=1,n=2,half_life=3600000000,anchor=0,weight=1.5,mean=1,m2=-0.5)'::logscore_ewm;
\echo :LAST_ERROR_SQLSTATE
SELECT '(version=1,n=2,half_life=3600000000,anchor=9223372036854775807,weight=1.5,mean=1,m2=0.5)'::logscore_ewm;
\echo :LAST_ERROR_SQLSTATE
SELECT '(version=1,n=2,half_life=3600000000,anchor=0,weight=1.5,mean=1,m2=0.5) x'::logscore_ewm;
\echo :LAST_ERROR_SQLSTATE
SELECT '(version=1,n=2,half_life=3600000000,anchor=0,weight=1.5,mean=1,m2=0.5))'::logscore_ewm;
\echo :LAST_ERROR_SQLSTATE
SELECT '(version=1,n=2,half_life=3600000000,anchor=0,weight=NaN,mean=1,m2=0.5)'::logscore_ewm;
\echo :LAST_ERROR_SQLSTATE
SELECT '(version=1,n=2,half_life=3600000000,anchor=0,weight=1.5,mean=Infinity,m2=0.5)'::logscore_ewm;
\echo :LAST_ERROR_SQLSTATE
SELECT '(version=1,n=2,half_life=3600000000,anchor=0,weight=1.5,mean=1e999,m2=0.5)'::logscore_ewm;
\echo :LAST_ERROR_SQLSTATE
SELECT '(version=1,n=2.5,half_life=3600000000,anchor=0,weight=1.5,mean=1,m2=0.5)'::logscore_ewm;
\echo :LAST_ERROR_SQLSTATE
SELECT '(version=1,n=99999999999999999999,half_life=3600000000,anchor=0,weight=1.5,mean=1,m2=0.5)'::logscore_ewm;
\echo :LAST_ERROR_SQLSTATE

-- malformed binary: COPY BINARY files whose logscore_ewm bytes are
-- truncated, of a wrong version, too long, or invalid: 22P03
CREATE FUNCTION copy_binary_ewm(payload bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  path text := current_setting('data_directory') || '/ewm_bad.bin';
  file bytea := '\x5047434f50590aff0d0a00'::bytea        -- PGCOPY\n\377\r\n\0
                || '\x00000000'::bytea || '\x00000000'::bytea   -- flags, header extension
                || '\x0003'::bytea                           -- three fields
                || '\x0000000400000007'::bytea               -- grp = 7
                || '\xffffffff'::bytea                       -- minute NULL
                || int4send(length(payload)) || payload
                || '\xffff'::bytea;                          -- trailer
BEGIN
  EXECUTE format('COPY (SELECT %L) TO PROGRAM %L',
                 replace(encode(file, 'base64'), E'\n', ''), 'base64 -d > ' || path);
  EXECUTE format('COPY ewm_copy FROM %L WITH (FORMAT binary)', path);
  RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT copy_binary_ewm(logscore_ewm_send(e)) AS valid FROM whole;
SELECT n, copy_binary_ewm(substr(logscore_ewm_send(e), 1, n)) AS truncated
FROM whole, (VALUES (0), (1), (9), (48)) v(n) ORDER BY n;
SELECT copy_binary_ewm(set_byte(logscore_ewm_send(e), 0, 9)) AS wrong_version FROM whole;
SELECT copy_binary_ewm(logscore_ewm_send(e) || '\x00'::bytea) AS trailing_byte FROM whole;
-- n (bytes 1..8, big-endian) = 0
SELECT copy_binary_ewm(overlay(logscore_ewm_send(e) placing '\x0000000000000000'::bytea from 2 for 8)) AS zero_count
FROM whole;
-- weight (bytes 25..32) = -1.0
SELECT copy_binary_ewm(overlay(logscore_ewm_send(e) placing '\xbff0000000000000'::bytea from 26 for 8)) AS negative_weight
FROM whole;
-- mean (bytes 33..40) = NaN
SELECT copy_binary_ewm(overlay(logscore_ewm_send(e) placing '\x7ff8000000000000'::bytea from 34 for 8)) AS nan_mean
FROM whole;
SELECT setseed(0.25);
SELECT count(*) FILTER (WHERE r LIKE '22P03:%') AS refused, count(*) FILTER (WHERE r = 'accepted') AS accepted,
       count(*) FILTER (WHERE r NOT LIKE '22P03:%' AND r <> 'accepted') AS other
FROM (SELECT copy_binary_ewm('\x01'::bytea || decode(string_agg(lpad(to_hex((random() * 255)::int), 2, '0'), ''), 'hex')) AS r
      FROM generate_series(1, 40) i, generate_series(1, 48) b GROUP BY i) t;
SELECT count(*) AS rows_accepted FROM ewm_copy WHERE grp = 7;

DROP FUNCTION copy_binary_ewm(bytea);
DROP FUNCTION ewm_close(logscore_ewm, logscore_ewm);
DROP FUNCTION ewm_field(logscore_ewm, text);
DROP TABLE ewm_events, ewm_minutes, ewm_copy;
