-- logscore_anomaly: a robust z-score against a baseline logscore_sketch,
-- (x - p50) / max((p75 - p25) / 1.349, floor) with logscore_quantile's
-- quantiles
\set SHOW_CONTEXT never
SET extra_float_digits = 0;

-- a baseline per service; 'wide' spans many magnitudes, so its sketch has
-- thousands of buckets and is stored out of line (TOAST)
SELECT setseed(0.42);
CREATE TABLE anomaly_history AS
SELECT 'api' AS service, 100 + 20 * (random() + random() + random() - 1.5) AS v
FROM generate_series(1, 5000)
UNION ALL
SELECT 'db', 10 + 3 * (random() - 0.5) FROM generate_series(1, 5000)
UNION ALL
SELECT 'wide', (CASE WHEN random() < 0.5 THEN -1 ELSE 1 END) * exp(40 * random() - 20)
FROM generate_series(1, 20000)
UNION ALL
SELECT 'flat', 7 FROM generate_series(1, 100);
CREATE TABLE anomaly_baselines AS
SELECT service, logscore_sketch(v) AS baseline FROM anomaly_history GROUP BY service;
SELECT service, logscore_count(baseline) AS values,
       octet_length(logscore_sketch_send(baseline)) > 2000 AS large
FROM anomaly_baselines ORDER BY service;
SELECT pg_relation_size(reltoastrelid) > 0 AS toast_used FROM pg_class WHERE relname = 'anomaly_baselines';

CREATE TABLE anomaly_events AS
SELECT i AS id, s.service,
       CASE s.service WHEN 'api' THEN 100 + (i % 61 - 30) * 1.5
                      WHEN 'db' THEN 10 + (i % 41 - 20) * 0.4
                      WHEN 'wide' THEN (i % 21 - 10) * 10.0 ^ (i % 7 - 3)
                      ELSE 7 + i % 3 END::float8 AS x
FROM generate_series(1, 4000) i,
     LATERAL (SELECT (ARRAY['api', 'db', 'wide', 'flat'])[i % 4 + 1] AS service) s;

-- the formula from logscore_quantile, exactly: the spread is the
-- interquartile range's, floored at the default max(1e-3 * |p50|, 1e-12);
-- with min_spread => 0 it is the interquartile range's alone, and NULL when
-- that is 0 ('flat'), as before 0.7.0.  'wide' spans 17 decades, so its
-- standard deviation is 1e8 times its robust spread, and it scores as
-- without a floor: the tail does not move the floor.  The services of the
-- events take turns (id % 4), so the baseline changes on every row: each
-- must use its own
CREATE VIEW anomaly_formula AS
SELECT e.id, service, x, baseline,
       (x - logscore_quantile(baseline, 0.5))
       / greatest((logscore_quantile(baseline, 0.75) - logscore_quantile(baseline, 0.25)) / 1.349,
                  1e-3 * abs(logscore_quantile(baseline, 0.5)), 1e-12) AS f,
       (x - logscore_quantile(baseline, 0.5))
       / nullif((logscore_quantile(baseline, 0.75) - logscore_quantile(baseline, 0.25)) / 1.349, 0) AS f0
FROM anomaly_events e JOIN anomaly_baselines b USING (service);
SELECT service, count(*) AS events,
       count(*) FILTER (WHERE a IS NOT DISTINCT FROM f) AS equal_to_formula,
       count(*) FILTER (WHERE a0 IS NOT DISTINCT FROM f0) AS no_floor_equal_to_formula,
       count(*) FILTER (WHERE a IS NULL) AS null_scores, count(*) FILTER (WHERE a0 IS NULL) AS no_floor_nulls,
       round(min(a)::numeric, 3) AS min_score, round(max(a)::numeric, 3) AS max_score,
       round(min(a0)::numeric, 3) AS no_floor_min, round(max(a0)::numeric, 3) AS no_floor_max
FROM (SELECT id, service, f, f0, logscore_anomaly(x, baseline) AS a,
             logscore_anomaly(x, baseline, min_spread => 0) AS a0
      FROM anomaly_formula ORDER BY id) s
GROUP BY service ORDER BY service;
-- the same through a nested loop that switches baselines on every row
SET enable_hashjoin = off;
SET enable_mergejoin = off;
EXPLAIN (COSTS OFF)
SELECT logscore_anomaly(x, baseline) FROM anomaly_events e JOIN anomaly_baselines b USING (service);
SELECT count(*) FILTER (WHERE logscore_anomaly(x, baseline) IS NOT DISTINCT FROM f) AS equal_to_formula,
       count(*) FILTER (WHERE logscore_anomaly(x, baseline, 0) IS NOT DISTINCT FROM f0) AS no_floor_equal
FROM anomaly_formula;
RESET enable_hashjoin;
RESET enable_mergejoin;

-- an explicit floor: the larger of it and the interquartile range's spread
-- (api's is about 10.3)
SELECT m, round(logscore_anomaly(130, baseline, min_spread => m)::numeric, 3) AS z,
       round(((130 - logscore_quantile(baseline, 0.5))
              / greatest((logscore_quantile(baseline, 0.75) - logscore_quantile(baseline, 0.25)) / 1.349, m))::numeric, 3) AS formula
FROM anomaly_baselines, unnest('{0,1,11,12,100,1e300}'::float8[]) m
WHERE service = 'api' ORDER BY m;

-- one baseline by hand: p25 = 2, p50 = 3, p75 = 4 within the sketch's accuracy
SELECT logscore_quantiles(s, '{0.25,0.5,0.75}') AS quartiles,
       logscore_anomaly(3, s) AS at_median, logscore_anomaly(-10, s) AS far_below,
       logscore_anomaly(1e6, s) AS far_above,
       logscore_anomaly('Infinity', s) AS infinite, logscore_anomaly('-Infinity', s) AS minus_infinite
FROM (SELECT logscore_sketch(v) AS s FROM unnest('{1,2,3,4,5}'::float8[]) v) b;

-- with logscore_rank: the further from the median, the further the rank from 0.5
SELECT x, round(logscore_anomaly(x, baseline)::numeric, 2) AS anomaly,
       round(logscore_rank(baseline, x)::numeric, 2) AS rank,
       logscore_severity(logscore_anomaly(x, baseline)) AS severity
FROM anomaly_baselines, unnest('{40,80,95,100,105,120,160}'::float8[]) x
WHERE service = 'api' ORDER BY x;

-- a sketch straight from an aggregate (not stored) gives the same scores
SELECT logscore_anomaly(120, logscore_sketch(v)) =
       (SELECT logscore_anomaly(120, baseline) FROM anomaly_baselines WHERE service = 'api') AS same_score
FROM anomaly_history WHERE service = 'api';

-- an interquartile range of 0 ('flat': 100 values of 7): the default floor
-- is 1e-3 * |median|, so 7 scores 0 and 8 scores 1 / 0.007; with
-- min_spread => 0 both are NULL, as before 0.7.0; the floor 1e-12 alone
-- makes a baseline of zeros score
SELECT logscore_anomaly(7, baseline) AS at_level, logscore_anomaly(8, baseline) AS above,
       logscore_anomaly(7, baseline, 0) AS at_level_no_floor, logscore_anomaly(8, baseline, 0) AS above_no_floor
FROM anomaly_baselines WHERE service = 'flat';
SELECT logscore_anomaly(0, s) AS zero, logscore_anomaly(1, s) AS one, logscore_anomaly(-1e-12, s) AS tiny,
       logscore_anomaly(1, s, 0) AS one_no_floor
FROM (SELECT logscore_sketch(0) AS s FROM generate_series(1, 10)) b;

-- a spiky gauge: flat at 12.5 with a 0.001 jitter on a third of the rows
-- and a burst of +2 every 25 rows; against the sketch of its first half the
-- interquartile range is 0 at the sketch's resolution, so without a floor
-- nothing scores, and with it (0.0125 here) ordinary rows stay near 0,
-- bursts (4% of the rows) score about 160 and a real spike of +30 15 times
-- higher
CREATE TABLE anomaly_gauge AS
SELECT i, 12.5 + CASE WHEN i % 3 = 0 THEN 0.001 ELSE 0 END
            + CASE WHEN i % 25 = 0 THEN 2 ELSE 0 END
            + CASE WHEN i = 900 THEN 30 ELSE 0 END AS v,
       CASE WHEN i = 900 THEN 'real spike' WHEN i % 25 = 0 THEN 'burst' ELSE 'ordinary' END AS kind
FROM generate_series(1, 1000) i;
SELECT kind, count(*) AS rows,
       round(max(abs(logscore_anomaly(v, b)))::numeric, 1) AS max_abs_z,
       count(logscore_anomaly(v, b, min_spread => 0)) AS scored_without_floor
FROM anomaly_gauge, (SELECT logscore_sketch(v) AS b FROM anomaly_gauge WHERE i <= 500) base
WHERE i > 500 GROUP BY kind ORDER BY max_abs_z;
DROP TABLE anomaly_gauge;

-- heavy tails: latencies around 2000 with one score in seven squared, as
-- the founding pipeline's are (its standard deviation is thousands of
-- times its IQR); a tenfold shift of the level scores as the IQR alone scores it
SELECT round(logscore_anomaly(20000, b)::numeric, 3) AS tenfold,
       logscore_anomaly(20000, b) = logscore_anomaly(20000, b, min_spread => 0) AS as_without_floor,
       logscore_stddev(b) > 1e3 * (logscore_quantile(b, 0.75) - logscore_quantile(b, 0.25)) AS heavy_tailed
FROM (SELECT logscore_sketch(CASE WHEN i % 7 = 0 THEN v * v ELSE v END) AS b
      FROM (SELECT i, 2000 + 37 * (i % 10)::float8 AS v FROM generate_series(1, 700) i) s) base;

-- min_spread must be finite and >= 0; NULL gives NULL (STRICT)
SELECT logscore_anomaly(1, baseline, min_spread => -1) FROM anomaly_baselines WHERE service = 'api';
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_anomaly(1, baseline, min_spread => 'NaN') FROM anomaly_baselines WHERE service = 'api';
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_anomaly(1, baseline, min_spread => 'Infinity') FROM anomaly_baselines WHERE service = 'api';
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_anomaly(1, baseline, min_spread => NULL) IS NULL AS null_floor FROM anomaly_baselines WHERE service = 'api';

-- NULL: an empty baseline, NULL arguments
SELECT logscore_anomaly(1, '{"version":1,"alpha":0.01,"count":0,"zero":0,"sum":0,"mean":0,"m2":0,"min":0,"max":0,"collapsed":false,"positive":{"offset":0,"counts":[]},"negative":{"offset":0,"counts":[]}}') AS empty;
SELECT logscore_anomaly(NULL, baseline) AS null_value, logscore_anomaly(1, NULL) AS null_baseline
FROM anomaly_baselines WHERE service = 'api';

-- NaN has no score
SELECT logscore_anomaly('NaN', baseline) FROM anomaly_baselines WHERE service = 'api';
\echo :LAST_ERROR_SQLSTATE
-- a score too large for double precision is an error, as in float8 arithmetic
SELECT logscore_anomaly(1.7e308, logscore_sketch(v)) FROM unnest('{-1,0,1e-300,1}'::float8[]) v;
\echo :LAST_ERROR_SQLSTATE

-- IMMUTABLE STRICT PARALLEL SAFE; in parallel workers it gives the same scores
SELECT provolatile, proisstrict, proparallel FROM pg_proc WHERE proname = 'logscore_anomaly';
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT sum(logscore_anomaly(x, baseline)) FROM anomaly_events JOIN anomaly_baselines USING (service);
CREATE TEMP TABLE anomaly_parallel AS
SELECT id, logscore_anomaly(x, baseline) AS a, logscore_anomaly(x, baseline, 0.5) AS a_floor
FROM anomaly_events JOIN anomaly_baselines USING (service);
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;
SELECT count(*) AS rows, count(*) FILTER (WHERE p.a IS DISTINCT FROM logscore_anomaly(x, baseline)
                                            OR p.a_floor IS DISTINCT FROM logscore_anomaly(x, baseline, 0.5)) AS differing
FROM anomaly_parallel p JOIN anomaly_events USING (id) JOIN anomaly_baselines USING (service);

DROP VIEW anomaly_formula;
DROP TABLE anomaly_history, anomaly_baselines, anomaly_events;
