-- logscore_sketch: the type, the aggregates, the accessors
\set SHOW_CONTEXT never
SET extra_float_digits = 0;

-- accuracy against percentile_disc: >= 1M values from several distributions,
-- with negatives and zeros; every quantile within alpha = 0.01, relative
SELECT setseed(0.17);
CREATE TABLE sketch_values AS
SELECT 'uniform' AS dist, random() * 1000 AS v FROM generate_series(1, 300000)
UNION ALL
SELECT 'lognormal', exp(2 + 1.5 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))
FROM generate_series(1, 300000)
UNION ALL
SELECT 'pareto', 10 / power(1 - random(), 1 / 1.2) FROM generate_series(1, 300000)
UNION ALL
SELECT 'signed', CASE WHEN random() < 0.1 THEN 0
                      ELSE (random() - 0.4) * exp(10 * random()) END
FROM generate_series(1, 200000);
ANALYZE sketch_values;

-- (the exact quantiles from one sort per distribution: percentile_disc of
-- an array of fractions, rather than a sort per fraction)
WITH q(q) AS (VALUES (0.001), (0.01), (0.1), (0.5), (0.9), (0.99), (0.999)),
exact AS (
  SELECT dist, u.q, u.exact
  FROM (SELECT dist, percentile_disc((SELECT array_agg(q::float8) FROM q)) WITHIN GROUP (ORDER BY v) AS e
        FROM sketch_values GROUP BY dist) p,
       unnest((SELECT array_agg(q) FROM q), p.e) u(q, exact)
),
sketched AS (
  SELECT dist, logscore_sketch(v) AS s, count(*) AS n, min(v) AS lo, max(v) AS hi
  FROM sketch_values GROUP BY dist
)
SELECT dist,
       count(*) AS quantiles,
       count(*) FILTER (WHERE abs(logscore_quantile(s, q) - exact) <= 0.01 * abs(exact)) AS within_alpha,
       bool_and(logscore_count(s) = n) AS count_exact,
       bool_and(logscore_min(s) = lo AND logscore_max(s) = hi) AS extremes_exact
FROM exact JOIN sketched USING (dist)
GROUP BY dist ORDER BY dist;

-- parallel: Partial Aggregate under Gather, and the same sketch as serially
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT logscore_sketch(v) FROM sketch_values;
CREATE TEMP TABLE parallel_sketch AS SELECT logscore_sketch(v) AS s FROM sketch_values;
EXPLAIN (COSTS OFF) SELECT dist, logscore_sketch(v) FROM sketch_values GROUP BY dist;
CREATE TEMP TABLE parallel_grouped AS SELECT dist, logscore_sketch(v) AS s FROM sketch_values GROUP BY dist;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial_sketch AS SELECT logscore_sketch(v) AS s FROM sketch_values;
-- buckets, count and extremes are exact whatever the order; the sum and the
-- second moment are floating point and may differ in the last bits
SELECT logscore_quantiles(p.s, '{0,0.01,0.5,0.99,1}') = logscore_quantiles(s.s, '{0,0.01,0.5,0.99,1}') AS same_quantiles,
       logscore_count(p.s) = logscore_count(s.s) AS same_count,
       abs(logscore_sum(p.s) - logscore_sum(s.s)) <= 1e-9 * abs(logscore_sum(s.s)) AS same_sum
FROM parallel_sketch p, serial_sketch s;
SELECT count(*) AS groups_differing
FROM parallel_grouped p JOIN (SELECT dist, logscore_sketch(v) AS s FROM sketch_values GROUP BY dist) s USING (dist)
WHERE logscore_quantiles(p.s, '{0,0.5,0.99,1}') <> logscore_quantiles(s.s, '{0,0.5,0.99,1}')
   OR logscore_count(p.s) <> logscore_count(s.s);
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- merge: sketches of parts merged give the sketch of the whole
CREATE TEMP TABLE parts AS
SELECT (row_number() OVER ()) % 7 AS part, v FROM sketch_values WHERE dist = 'lognormal';
-- (every field but the floating-point sum, mean and m2, which depend on order)
CREATE FUNCTION exact_fields(logscore_sketch) RETURNS text LANGUAGE sql IMMUTABLE
  AS $$ SELECT regexp_replace($1::text, '"(sum|mean|m2)":[^,]*,', '', 'g') $$;
SELECT exact_fields(logscore_merge(s)) = (SELECT exact_fields(logscore_sketch(v)) FROM parts) AS merged_equals_whole,
       abs(logscore_sum(logscore_merge(s)) / (SELECT logscore_sum(logscore_sketch(v)) FROM parts) - 1) < 1e-12 AS sums_agree
FROM (SELECT part, logscore_sketch(v) AS s FROM parts GROUP BY part) p;
SELECT logscore_quantiles(m, '{0.5,0.99}') = logscore_quantiles(w, '{0.5,0.99}') AS merged_quantiles_equal,
       logscore_count(m) = logscore_count(w) AS merged_count_equal
FROM (SELECT logscore_merge(s) AS m FROM (SELECT part, logscore_sketch(v) AS s FROM parts GROUP BY part) p) a,
     (SELECT logscore_sketch(v) AS w FROM parts) b;

-- accessors on a small sketch
CREATE TEMP TABLE small AS SELECT logscore_sketch(x) AS s FROM generate_series(1, 100) x;
SELECT logscore_count(s), logscore_sum(s), logscore_mean(s), round(logscore_stddev(s)::numeric, 6) AS stddev,
       logscore_min(s), logscore_max(s) FROM small;
SELECT logscore_quantile(s, 0) AS q0, logscore_quantile(s, 1) AS q1,
       abs(logscore_quantile(s, 0.5) - 50) <= 0.5 AS p50_within_alpha,
       logscore_rank(s, 0) AS rank_below, logscore_rank(s, 1000) AS rank_above,
       abs(logscore_rank(s, 50) - 0.5) <= 0.02 AS rank_p50
FROM small;
SELECT logscore_quantiles(s, '{0.5,NULL,1}') IS NOT NULL AS quantiles_array,
       array_length(logscore_quantiles(s, '{}'), 1) IS NULL AS empty_fractions
FROM small;
SELECT (logscore_summary(s)).count, (logscore_summary(s)).min, (logscore_summary(s)).max,
       abs((logscore_summary(s)).p99 - 99) <= 0.99 AS p99_within_alpha
FROM small;

-- NULLs: ignored as input; no rows gives NULL, as avg() does
SELECT logscore_count(logscore_sketch(v)) FROM (VALUES (1.0), (NULL), (3.0)) t(v);
SELECT logscore_sketch(v) IS NULL AS no_rows FROM (SELECT 1.0::float8 WHERE false) t(v);
SELECT logscore_merge(s) IS NULL AS merge_of_nulls FROM (VALUES (NULL::logscore_sketch)) t(s);

-- accuracy argument: coarser sketches are smaller; sketches of different
-- accuracy do not merge
SELECT length(logscore_sketch(v, 0.05)::text) < length(logscore_sketch(v)::text) AS coarser_is_smaller
FROM sketch_values WHERE dist = 'pareto';
SELECT logscore_merge(s) FROM (SELECT logscore_sketch(x, 0.01) FROM generate_series(1, 10) x
                               UNION ALL SELECT logscore_sketch(x, 0.02) FROM generate_series(1, 10) x) t(s);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_sketch(x, 0.9) FROM generate_series(1, 10) x;
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_sketch(x, 0) FROM generate_series(1, 10) x;
\echo :LAST_ERROR_SQLSTATE

-- an accuracy that varies by row is refused on every plan, in the same
-- words (the smaller accuracy first, whichever came first): serially a row
-- meets a state of another accuracy, in parallel that or two processes'
-- states meet
CREATE TABLE sketch_accuracy AS
SELECT x::float8 AS v, CASE WHEN x % 2 = 0 THEN 0.01 ELSE 0.02 END::float8 AS accuracy
FROM generate_series(1, 100000) x;
ANALYZE sketch_accuracy;
SET max_parallel_workers_per_gather = 0;
SELECT logscore_count(logscore_sketch(v, accuracy)) FROM sketch_accuracy;
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_count(logscore_sketch(v, CASE accuracy WHEN 0.01 THEN 0.02 ELSE 0.01 END)) FROM sketch_accuracy;
\echo :LAST_ERROR_SQLSTATE
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT logscore_sketch(v, accuracy) FROM sketch_accuracy;
SELECT logscore_count(logscore_sketch(v, accuracy)) FROM sketch_accuracy;
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_count(logscore_sketch(v, CASE accuracy WHEN 0.01 THEN 0.02 ELSE 0.01 END)) FROM sketch_accuracy;
\echo :LAST_ERROR_SQLSTATE
-- one accuracy per group is fine, in parallel as serially
EXPLAIN (COSTS OFF)
SELECT accuracy, logscore_sketch(v, accuracy) FROM sketch_accuracy GROUP BY accuracy;
SELECT accuracy, logscore_count(logscore_sketch(v, accuracy)) FROM sketch_accuracy
GROUP BY accuracy ORDER BY accuracy;
-- partitions of one accuracy each, aggregated partition by partition: every
-- row agrees with its state, and it is the combine of the partitions'
-- states that meets two accuracies, with the same error
CREATE TABLE sketch_parts (v float8, accuracy float8) PARTITION BY LIST (accuracy);
CREATE TABLE sketch_parts_fine PARTITION OF sketch_parts FOR VALUES IN (0.01);
CREATE TABLE sketch_parts_coarse PARTITION OF sketch_parts FOR VALUES IN (0.02);
INSERT INTO sketch_parts SELECT v, accuracy FROM sketch_accuracy;
ANALYZE sketch_parts;
SET enable_partitionwise_aggregate = on;
EXPLAIN (COSTS OFF) SELECT logscore_sketch(v, accuracy) FROM sketch_parts;
SELECT logscore_count(logscore_sketch(v, accuracy)) FROM sketch_parts;
\echo :LAST_ERROR_SQLSTATE
RESET enable_partitionwise_aggregate;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
SELECT accuracy, logscore_count(logscore_sketch(v, accuracy)) FROM sketch_accuracy
GROUP BY accuracy ORDER BY accuracy;
DROP TABLE sketch_accuracy, sketch_parts;
-- a NULL accuracy is the default, 0.01, on whichever row it comes
SELECT logscore_count(logscore_sketch(v, a)) FROM (VALUES (1.0, NULL), (2.0, 0.01)) t(v, a);
SELECT logscore_count(logscore_sketch(v, a)) FROM (VALUES (1.0, NULL), (2.0, 0.05)) t(v, a);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_count(logscore_sketch(v, a ORDER BY v)) FROM (VALUES (1.0, 0.05), (2.0, NULL)) t(v, a);
\echo :LAST_ERROR_SQLSTATE
-- an accuracy out of range is that error on any row, not only the first
SELECT logscore_count(logscore_sketch(v, a ORDER BY v)) FROM (VALUES (1.0, 0.01), (2.0, 0.9)) t(v, a);
\echo :LAST_ERROR_SQLSTATE
-- the transition function called directly checks the same
SELECT logscore_count(logscore_sketch_add(logscore_sketch(x, 0.05), 1, 0.05)) FROM generate_series(1, 10) x;
SELECT logscore_sketch_add(logscore_sketch(x, 0.05), 1, 0.01) FROM generate_series(1, 10) x;
\echo :LAST_ERROR_SQLSTATE
-- accuracies that differ in the last digits never read the same
SELECT logscore_count(logscore_sketch(v, a ORDER BY v))
FROM (VALUES (1.0, 0.03::float8 - 0.01::float8), (2.0, 0.02)) t(v, a);
\echo :LAST_ERROR_SQLSTATE

-- errors: NaN and infinity, fractions outside [0, 1]
SELECT logscore_sketch(v) FROM (VALUES (1.0::float8), ('NaN')) t(v);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_sketch(v) FROM (VALUES (1.0::float8), ('Infinity')) t(v);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_quantile(s, 1.5) FROM small;
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_quantiles(s, '{0.5,-0.1}') FROM small;
\echo :LAST_ERROR_SQLSTATE

-- scores from logscore() sketch directly (bigint to double precision)
SELECT logscore_count(logscore_sketch(logscore(x))) AS scored,
       logscore_max(logscore_sketch(logscore(x))) = max(logscore(x)) AS max_exact
FROM generate_series(1, 1000) x;

-- the transition functions called directly leave their arguments alone
SELECT logscore_count(logscore_sketch_add(s, 5)) AS added, logscore_count(s) AS unchanged FROM small;
SELECT logscore_count(logscore_sketch_combine(s, s)) AS combined FROM small;

-- many groups under hash aggregation, spilling to disk, and grouping sets
-- (several aggregate contexts): every value lands in its group's sketch
SET work_mem = '1MB';
SET enable_sort = off;
CREATE TEMP TABLE many_groups AS SELECT x % 20000 AS g, x::float8 AS v FROM generate_series(1, 100000) x;
ANALYZE many_groups;
EXPLAIN (COSTS OFF) SELECT g, logscore_sketch(v) FROM many_groups GROUP BY g;
SELECT count(*) AS groups, sum(logscore_count(s)) AS values,
       count(*) FILTER (WHERE logscore_min(s) <> g_min OR logscore_max(s) <> g_max) AS wrong_extremes
FROM (SELECT g, logscore_sketch(v) AS s, min(v) AS g_min, max(v) AS g_max FROM many_groups GROUP BY g) t;
SELECT count(*) AS grouping_rows, sum(logscore_count(s)) AS values
FROM (SELECT g % 3 AS g3, g % 5 AS g5, logscore_sketch(v) AS s
      FROM many_groups GROUP BY GROUPING SETS ((g % 3), (g % 5), ())) t;
RESET enable_sort;
RESET work_mem;

DROP FUNCTION exact_fields(logscore_sketch);
DROP TABLE sketch_values;

-- logscore_same_distribution: the parts' merge and the whole agree on every
-- bucket, count and extreme (their sums may not, to the bit); one value
-- less, or another accuracy, do not; NULL gives NULL
WITH v AS (SELECT g, sqrt(g) * 1.7 - 40 AS x FROM generate_series(1, 5000) g),
     parts AS (SELECT logscore_sketch(x) AS s FROM v GROUP BY g % 7)
SELECT logscore_same_distribution((SELECT logscore_merge(s) FROM parts),
                                  (SELECT logscore_sketch(x) FROM v)) AS merged_vs_whole,
       logscore_same_distribution((SELECT logscore_sketch(x) FROM v WHERE g > 1),
                                  (SELECT logscore_sketch(x) FROM v)) AS one_value_less,
       logscore_same_distribution((SELECT logscore_sketch(x, 0.02) FROM v),
                                  (SELECT logscore_sketch(x) FROM v)) AS other_accuracy,
       logscore_same_distribution(NULL, (SELECT logscore_sketch(x) FROM v)) IS NULL AS null_in_null_out;
