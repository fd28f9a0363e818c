-- Aggregates called the way Citus's worker_partial_agg and coord_combine_agg
-- call them: a fresh FmgrInfo, in memory freed at once, for every row.  The
-- state must live in the aggregate context alone; before 0.5.0 a sketch's
-- reset callback was kept in FmgrInfo memory and the backend spun forever.
\getenv test_modules LS_TEST_MODULES
\set test_library :test_modules '/ls_test_fmgr'
CREATE FUNCTION transient_transition(internal, regprocedure, "any") RETURNS internal
  AS :'test_library', 'ls_test_transient_transition' LANGUAGE C;
CREATE FUNCTION transient_transition(internal, regprocedure, "any", "any") RETURNS internal
  AS :'test_library', 'ls_test_transient_transition' LANGUAGE C;
CREATE FUNCTION transient_transition(internal, regprocedure, "any", "any", "any") RETURNS internal
  AS :'test_library', 'ls_test_transient_transition' LANGUAGE C;
CREATE FUNCTION transient_combine(internal, regprocedure, "any") RETURNS internal
  AS :'test_library', 'ls_test_transient_combine' LANGUAGE C;
CREATE FUNCTION transient_final(internal) RETURNS text
  AS :'test_library', 'ls_test_transient_final' LANGUAGE C;
CREATE AGGREGATE transient_partial(regprocedure, "any") (
  SFUNC = transient_transition, STYPE = internal, FINALFUNC = transient_final);
CREATE AGGREGATE transient_partial(regprocedure, "any", "any") (
  SFUNC = transient_transition, STYPE = internal, FINALFUNC = transient_final);
CREATE AGGREGATE transient_partial(regprocedure, "any", "any", "any") (
  SFUNC = transient_transition, STYPE = internal, FINALFUNC = transient_final);
CREATE AGGREGATE transient_merge(regprocedure, "any") (
  SFUNC = transient_combine, STYPE = internal, FINALFUNC = transient_final);

CREATE TABLE transient_events AS
  SELECT g % 50 AS service, ((g * 7919 % 1000) / 10.0 + 0.5)::float8 AS value,
         timestamptz '2026-01-01' + g * interval '1 second' AS ts
  FROM generate_series(1, 20000) g;

-- The reproduction from the issue: two rows, no GROUP BY.
SELECT transient_partial('logscore_sketch(float8)'::regprocedure, x::float8) =
       logscore_sketch(x::float8)::text AS same
FROM generate_series(1, 2) x;

-- Every combinable aggregate, ungrouped and in 50 hash-aggregated groups,
-- gives the state nodeAgg gives.
SELECT transient_partial('logscore_sketch(float8)'::regprocedure, value) =
         logscore_sketch(value)::text AS sketch,
       transient_partial('logscore_sketch(float8, float8)'::regprocedure, value, 0.05::float8) =
         logscore_sketch(value, 0.05)::text AS sketch_accuracy,
       transient_partial('logscore_ewm(float8, timestamptz, interval)'::regprocedure,
                         value, ts, interval '1 hour') =
         logscore_ewm(value, ts, interval '1 hour')::text AS ewm
FROM transient_events;

SET enable_sort = off;
SELECT count(*) AS groups,
       count(*) FILTER (WHERE transient_sketch = native_sketch) AS same_sketch,
       count(*) FILTER (WHERE transient_ewm = native_ewm) AS same_ewm
FROM (SELECT service,
             transient_partial('logscore_sketch(float8)'::regprocedure, value) AS transient_sketch,
             logscore_sketch(value)::text AS native_sketch,
             transient_partial('logscore_ewm(float8, timestamptz, interval)'::regprocedure,
                               value, ts, interval '1 hour') AS transient_ewm,
             logscore_ewm(value, ts, interval '1 hour')::text AS native_ewm
      FROM transient_events GROUP BY service) per_service;
RESET enable_sort;

-- The combine functions, over per-service partial states (coord_combine_agg).
CREATE TABLE transient_partials AS
  SELECT service, logscore_sketch(value) AS sketch,
         logscore_ewm(value, ts, interval '1 hour') AS ewm
  FROM transient_events GROUP BY service;
SELECT transient_merge('logscore_merge(logscore_sketch)'::regprocedure, sketch) =
         logscore_merge(sketch)::text AS merged_sketch,
       transient_merge('logscore_sketch(float8)'::regprocedure, sketch) =
         logscore_merge(sketch)::text AS combined_sketch,
       transient_merge('logscore_merge(logscore_ewm)'::regprocedure, ewm) =
         logscore_merge(ewm)::text AS merged_ewm
FROM transient_partials;

-- Grouping sets keep several aggregate contexts live at once.
SELECT count(*) AS rows, bool_and(transient = native) AS same
FROM (SELECT transient_partial('logscore_sketch(float8)'::regprocedure, value) AS transient,
             logscore_sketch(value)::text AS native
      FROM transient_events GROUP BY GROUPING SETS ((service), (service % 5), ())) sets;

-- Plain functions that cache per call site in fn_extra (a parsed pipeline,
-- the alert levels' OIDs, baselines' quartiles), called with a fresh
-- FmgrInfo for every row, give what they give with their cache.
CREATE FUNCTION transient_call(regprocedure, "any", "any") RETURNS text
  AS :'test_library', 'ls_test_transient_call' LANGUAGE C;
CREATE FUNCTION transient_call(regprocedure, "any", "any", "any") RETURNS text
  AS :'test_library', 'ls_test_transient_call' LANGUAGE C;
SELECT count(*) AS rows,
       count(*) FILTER (WHERE transient_call('logscore(bigint, text)'::regprocedure,
                                             (value * 10)::bigint, 'scale(3) | modsquare(7, 1)'::text)
                              = logscore((value * 10)::bigint, 'scale(3) | modsquare(7, 1)')::text) AS scores,
       count(*) FILTER (WHERE transient_call('logscore_severity(float8, float8, float8)'::regprocedure,
                                             value / 20, 2.0::float8, 4.0::float8)
                              = logscore_severity(value / 20, 2.0, 4.0)::text) AS severities,
       count(*) FILTER (WHERE transient_call('logscore_anomaly(float8, logscore_sketch)'::regprocedure,
                                             value, p.sketch)
                              IS NOT DISTINCT FROM logscore_anomaly(value, p.sketch)::text) AS anomalies
FROM transient_events e JOIN transient_partials p USING (service);

DROP TABLE transient_events, transient_partials;
