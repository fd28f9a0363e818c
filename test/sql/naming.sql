-- one SQL surface (issue 11): an accessor's name is the concept's, whichever
-- type it reads; every argument has a name; the names 0.5.0 had still work
-- and answer the same
\set SHOW_CONTEXT never

-- every argument of every function and aggregate has a name
SELECT p.oid::regprocedure AS unnamed_argument
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'logscore'
WHERE p.pronargs > 0 AND (p.proargnames IS NULL OR EXISTS (
  SELECT FROM unnest(p.proargnames, coalesce(p.proargmodes, array_fill('i'::"char", ARRAY[p.pronargs]))) a(n, m)
  WHERE m IN ('i', 'b', 'v') AND n = ''));

-- the names shared by both types, with their arguments
SELECT p.proname, pg_get_function_arguments(p.oid) AS arguments, p.prokind
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'logscore'
WHERE p.proname IN ('logscore_count', 'logscore_mean', 'logscore_stddev', 'logscore_anomaly', 'logscore_merge')
ORDER BY p.proname, pg_get_function_arguments(p.oid) COLLATE "C";

-- the old names, each saying what replaces it
SELECT p.oid::regprocedure AS deprecated, obj_description(p.oid, 'pg_proc') AS comment
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'logscore'
WHERE obj_description(p.oid, 'pg_proc') LIKE 'Deprecated%'
ORDER BY 1::text COLLATE "C";

-- decayed statistics of a few shapes: varied, flat (no spread), one value,
-- and a NULL one
CREATE TABLE naming_ewm AS
SELECT service, logscore_ewm(v, ts, '1 hour') AS e
FROM (SELECT 'varied' AS service, (i * 37 % 11)::float8 AS v,
             '2024-01-01 00:00:00+00'::timestamptz + i * interval '1 minute' AS ts
      FROM generate_series(1, 200) i
      UNION ALL
      SELECT 'flat', 4, '2024-01-01 00:00:00+00'::timestamptz + i * interval '1 minute'
      FROM generate_series(1, 20) i
      UNION ALL
      SELECT 'one', 7.5, '2024-01-01 00:00:00+00') s
GROUP BY service
UNION ALL
SELECT 'null', NULL;

-- the new names give what the old ones give, to the bit
SELECT service, logscore_count(e) AS count, round(logscore_mean(e)::numeric, 9) AS mean,
       round(logscore_stddev(e)::numeric, 9) AS stddev,
       round(logscore_anomaly(9, e)::numeric, 9) AS anomaly_of_9,
       logscore_count(e) IS NOT DISTINCT FROM logscore_ewm_count(e) AS same_count,
       logscore_mean(e) IS NOT DISTINCT FROM logscore_ewm_mean(e) AS same_mean,
       logscore_stddev(e) IS NOT DISTINCT FROM logscore_ewm_stddev(e) AS same_stddev,
       (SELECT bool_and(logscore_anomaly(v, e) IS NOT DISTINCT FROM logscore_ewm_zscore(e, v))
        FROM unnest('{-1e300, -3, 0, 4, 7.5, 9, 1e300, Infinity, -Infinity, NULL}'::float8[]) v) AS same_anomaly
FROM naming_ewm ORDER BY service;

-- and the same errors
SELECT logscore_anomaly('NaN', e) FROM naming_ewm WHERE service = 'varied';
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_ewm_zscore(e, 'NaN') FROM naming_ewm WHERE service = 'varied';
\echo :LAST_ERROR_SQLSTATE

-- logscore_anomaly(value, logscore_ewm) is SQL that the planner inlines
EXPLAIN (VERBOSE, COSTS OFF) SELECT logscore_anomaly(9, e) FROM naming_ewm;

-- named notation, in any order, on every accessor and on the functions
-- around them
CREATE TABLE naming_sketch AS SELECT logscore_sketch(x) AS s FROM generate_series(1, 100) x;
SELECT logscore_quantile(s, fraction => 0.99) AS p99,
       logscore_quantile(fraction => 0.5, sketch => s) = logscore_quantile(s, 0.5) AS same_p50,
       logscore_quantiles(sketch => s, fractions => '{0.25, 0.75}') AS quartiles,
       logscore_rank(value => 50, sketch => s) AS rank_50,
       logscore_count(sketch => s) AS count, logscore_sum(sketch => s) AS sum,
       logscore_mean(sketch => s) AS mean, round(logscore_stddev(sketch => s)::numeric, 6) AS stddev,
       logscore_min(sketch => s) AS min, logscore_max(sketch => s) AS max,
       (logscore_summary(sketch => s)).p90 AS summary_p90,
       round(logscore_anomaly(baseline => s, value => 120)::numeric, 6) AS anomaly_120,
       logscore_merge(b => s, a => s) = logscore_merge(s, s) AS merge_named,
       logscore_same_distribution(a => s, b => s) AS same_distribution
FROM naming_sketch;

SELECT logscore_count(ewm => e) AS count, round(logscore_mean(ewm => e)::numeric, 9) AS mean,
       round(logscore_stddev(ewm => e)::numeric, 9) AS stddev,
       round(logscore_anomaly(baseline => e, value => 9)::numeric, 9) AS anomaly_of_9,
       logscore_anomaly(value => 9, baseline => e) = logscore_ewm_zscore(value => 9, ewm => e) AS same_anomaly,
       logscore_merge(b => e, a => e) = logscore_merge(e, e) AS merge_named
FROM naming_ewm WHERE service = 'varied';

SELECT logscore(value => 10, pipeline => 'scale(3)') AS scored,
       logscore(pipeline => 'shift(9223372036854775807) | shift(1)', value => 1, on_overflow => 'saturate') AS saturated,
       logscore_array(vals => '{1, 2}', pipeline => 'scale(2)') AS array,
       logscore_severity(z => 3.5, warning => 2, critical => 3) AS severity,
       logscore_count(logscore_sketch_add(sketch => NULL, value => 1, accuracy => 0.05)) AS added;

-- PostgreSQL takes no named notation in an aggregate call: the names of an
-- aggregate's arguments are its documentation (\df, error messages)
SELECT logscore_sketch(value => x) FROM generate_series(1, 3) x;
\echo :LAST_ERROR_SQLSTATE

-- a NULL or an uncast literal still means a sketch (logscore_sketch is its
-- category's preferred type), as before the logscore_ewm forms existed
SELECT logscore_count(NULL) AS count_of_null, logscore_mean(NULL) AS mean_of_null,
       logscore_anomaly(1, NULL) AS anomaly_against_null,
       logscore_count('{"version":1,"alpha":0.01,"count":0,"zero":0,"sum":0,"mean":0,"m2":0,"min":0,"max":0,"collapsed":false,"positive":{"offset":0,"counts":[]},"negative":{"offset":0,"counts":[]}}') AS empty_sketch;
SELECT logscore_count('(version=1,n=1,half_life=3600000000,anchor=757382400000000,weight=1,mean=7.5,m2=0)');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_count('(version=1,n=1,half_life=3600000000,anchor=757382400000000,weight=1,mean=7.5,m2=0)'::logscore_ewm) AS with_a_cast;

DROP TABLE naming_ewm, naming_sketch;
