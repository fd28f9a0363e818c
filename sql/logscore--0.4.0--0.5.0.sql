/* sql/logscore--0.4.0--0.5.0.sql: explicit overflow forms, for Citus (see setting_forms.c) */

\echo Use "ALTER EXTENSION logscore UPDATE TO '0.5.0'" to load this file. \quit

-- explicit forms with the overflow policy as an argument: what the
-- setting-dependent calls become where settings do not travel (Citus)

CREATE FUNCTION logscore(value bigint, pipeline text, on_overflow text)
RETURNS bigint
AS 'MODULE_PATHNAME', 'logscore_explicit_overflow'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION logscore(bigint, text, text) IS
'Scores one event with the given pipeline and overflow policy (error, null or saturate); IMMUTABLE';

CREATE FUNCTION logscore_array(vals bigint[], pipeline text, on_overflow text)
RETURNS bigint[]
AS 'MODULE_PATHNAME', 'logscore_array_explicit'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION logscore_array(bigint[], text, text) IS
'Scores every element of an array with the given pipeline and overflow policy; IMMUTABLE';

CREATE FUNCTION logscore_batch(vals bigint[], pipeline text, on_overflow text,
                               OUT ord integer, OUT value bigint, OUT score bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'logscore_batch_explicit'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1000;

COMMENT ON FUNCTION logscore_batch(bigint[], text, text) IS
'Scores every element of an array as rows (ord, value, score) with the given pipeline and overflow policy; IMMUTABLE';

-- what a rollup run compares before it rewrites a stored sketch: the
-- distribution, not the float sums that another summation order changes

CREATE FUNCTION logscore_same_distribution(a logscore_sketch, b logscore_sketch) RETURNS boolean
AS 'MODULE_PATHNAME', 'logscore_same_distribution' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION logscore_same_distribution(logscore_sketch, logscore_sketch) IS
'True when two sketches have the same accuracy, count, minimum, maximum and buckets, so every quantile and rank agrees; sums may differ in their last bits';
