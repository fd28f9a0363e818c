/* sql/logscore--0.5.0--0.6.0.sql: from 0.5.0 to 0.6.0, one naming scheme for the accessors and every argument named (issue 11) */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION logscore UPDATE TO '0.6.0'" to load this file. \quit

-- logscore_count, logscore_mean, logscore_stddev and logscore_anomaly gain
-- logscore_ewm forms below; a NULL or an uncast literal must still mean a
-- sketch, as it did, so logscore_sketch becomes its category's preferred
-- type (what CREATE TYPE ... PREFERRED = true gives a fresh install; ALTER
-- TYPE cannot set it)
UPDATE pg_catalog.pg_type SET typispreferred = true
WHERE oid OPERATOR(pg_catalog.=) '@extschema@.logscore_sketch'::pg_catalog.regtype;

-- every argument gets a name.  CREATE OR REPLACE may name an unnamed
-- parameter (it may not rename a named one, and none is renamed); each
-- definition is otherwise the one 0.5.0 made, so the functions keep their
-- OIDs, comments, grants and the objects that depend on them

CREATE OR REPLACE FUNCTION logscore_sketch_in(input cstring) RETURNS logscore_sketch
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_sketch_out(sketch logscore_sketch) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_sketch_recv(buf internal) RETURNS logscore_sketch
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_sketch_send(sketch logscore_sketch) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_sketch_add(sketch logscore_sketch, value double precision)
RETURNS logscore_sketch
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_sketch_add(sketch logscore_sketch, value double precision, accuracy double precision)
RETURNS logscore_sketch
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_sketch_combine(a logscore_sketch, b logscore_sketch)
RETURNS logscore_sketch
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE OR REPLACE AGGREGATE logscore_sketch(value double precision) (
  SFUNC = logscore_sketch_add,
  STYPE = logscore_sketch,
  COMBINEFUNC = logscore_sketch_combine,
  PARALLEL = SAFE
);

CREATE OR REPLACE AGGREGATE logscore_sketch(value double precision, accuracy double precision) (
  SFUNC = logscore_sketch_add,
  STYPE = logscore_sketch,
  COMBINEFUNC = logscore_sketch_combine,
  PARALLEL = SAFE
);

CREATE OR REPLACE AGGREGATE logscore_merge(sketch logscore_sketch) (
  SFUNC = logscore_sketch_combine,
  STYPE = logscore_sketch,
  COMBINEFUNC = logscore_sketch_combine,
  PARALLEL = SAFE
);

CREATE OR REPLACE FUNCTION logscore_quantile(sketch logscore_sketch, fraction double precision) RETURNS double precision
AS 'MODULE_PATHNAME', 'logscore_sketch_quantile' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_quantiles(sketch logscore_sketch, fractions double precision[]) RETURNS double precision[]
AS 'MODULE_PATHNAME', 'logscore_sketch_quantiles' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_rank(sketch logscore_sketch, value double precision) RETURNS double precision
AS 'MODULE_PATHNAME', 'logscore_sketch_rank' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_count(sketch logscore_sketch) RETURNS bigint
AS 'MODULE_PATHNAME', 'logscore_sketch_count' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_sum(sketch logscore_sketch) RETURNS double precision
AS 'MODULE_PATHNAME', 'logscore_sketch_sum' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_mean(sketch logscore_sketch) RETURNS double precision
AS 'MODULE_PATHNAME', 'logscore_sketch_mean' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_stddev(sketch logscore_sketch) RETURNS double precision
AS 'MODULE_PATHNAME', 'logscore_sketch_stddev' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_min(sketch logscore_sketch) RETURNS double precision
AS 'MODULE_PATHNAME', 'logscore_sketch_min' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_max(sketch logscore_sketch) RETURNS double precision
AS 'MODULE_PATHNAME', 'logscore_sketch_max' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_summary(sketch logscore_sketch,
  OUT count bigint, OUT mean double precision, OUT stddev double precision,
  OUT min double precision, OUT p50 double precision, OUT p90 double precision,
  OUT p95 double precision, OUT p99 double precision, OUT max double precision)
AS 'MODULE_PATHNAME', 'logscore_sketch_summary' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_alert_state_step(state internal, z double precision)
RETURNS internal
AS 'MODULE_PATHNAME', 'logscore_alert_state_setting_step'
LANGUAGE C STABLE PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_alert_state_step(state internal, z double precision, warning double precision,
                                          critical double precision, clear double precision,
                                          enter_after integer, exit_after integer)
RETURNS internal
AS 'MODULE_PATHNAME', 'logscore_alert_state_explicit_step'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_alert_state_final(state internal)
RETURNS logscore_level
AS 'MODULE_PATHNAME', 'logscore_alert_state_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_ewm_in(input cstring) RETURNS logscore_ewm
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_ewm_out(ewm logscore_ewm) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_ewm_recv(buf internal) RETURNS logscore_ewm
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_ewm_send(ewm logscore_ewm) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_ewm_add(ewm logscore_ewm, value double precision, ts timestamp with time zone,
                                 half_life interval)
RETURNS logscore_ewm
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_ewm_combine(a logscore_ewm, b logscore_ewm)
RETURNS logscore_ewm
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE OR REPLACE AGGREGATE logscore_merge(ewm logscore_ewm) (
  SFUNC = logscore_ewm_combine,
  STYPE = logscore_ewm,
  COMBINEFUNC = logscore_ewm_combine,
  PARALLEL = SAFE
);

CREATE OR REPLACE FUNCTION logscore_sketch_hash(sketch logscore_sketch) RETURNS integer
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_sketch_hash_extended(sketch logscore_sketch, seed bigint) RETURNS bigint
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_ewm_hash(ewm logscore_ewm) RETURNS integer
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_ewm_hash_extended(ewm logscore_ewm, seed bigint) RETURNS bigint
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_ewm_mean(ewm logscore_ewm) RETURNS double precision
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_ewm_stddev(ewm logscore_ewm) RETURNS double precision
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_ewm_zscore(ewm logscore_ewm, value double precision) RETURNS double precision
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_ewm_count(ewm logscore_ewm) RETURNS bigint
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_zscore_add(state internal, value double precision) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_zscore_moving_add(state internal, value double precision) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_zscore_moving_remove(state internal, value double precision) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_zscore_final(state internal) RETURNS double precision
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE AGGREGATE logscore_zscore(value double precision) (
  SFUNC = logscore_zscore_add,
  STYPE = internal,
  FINALFUNC = logscore_zscore_final,
  MSFUNC = logscore_zscore_moving_add,
  MINVFUNC = logscore_zscore_moving_remove,
  MSTYPE = internal,
  MFINALFUNC = logscore_zscore_final,
  PARALLEL = SAFE
);

CREATE OR REPLACE FUNCTION logscore_robust_zscore_add(state internal, value double precision) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_robust_zscore_moving_add(state internal, value double precision) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_robust_zscore_moving_remove(state internal, value double precision) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE OR REPLACE FUNCTION logscore_robust_zscore_final(state internal) RETURNS double precision
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE AGGREGATE logscore_robust_zscore(value double precision) (
  SFUNC = logscore_robust_zscore_add,
  STYPE = internal,
  FINALFUNC = logscore_robust_zscore_final,
  MSFUNC = logscore_robust_zscore_moving_add,
  MINVFUNC = logscore_robust_zscore_moving_remove,
  MSTYPE = internal,
  MFINALFUNC = logscore_robust_zscore_final,
  PARALLEL = SAFE
);

-- one name per concept across both types: the logscore_ewm accessors under
-- the names the sketch's have

CREATE FUNCTION logscore_count(ewm logscore_ewm) RETURNS bigint
AS 'MODULE_PATHNAME', 'logscore_ewm_count' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_mean(ewm logscore_ewm) RETURNS double precision
AS 'MODULE_PATHNAME', 'logscore_ewm_mean' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_stddev(ewm logscore_ewm) RETURNS double precision
AS 'MODULE_PATHNAME', 'logscore_ewm_stddev' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION logscore_count(logscore_ewm) IS
'Number of values added, decayed or not';
COMMENT ON FUNCTION logscore_mean(logscore_ewm) IS
'Exponentially weighted mean of the values';
COMMENT ON FUNCTION logscore_stddev(logscore_ewm) IS
'Exponentially weighted population standard deviation of the values: sqrt(sum w (x - mean)^2 / sum w)';

-- logscore_anomaly takes (value, baseline) for both types; the C function
-- takes them the other way round, so this is SQL, inlined by the planner
CREATE FUNCTION logscore_anomaly(value double precision, baseline logscore_ewm)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.logscore_ewm_zscore(baseline, value);

COMMENT ON FUNCTION logscore_anomaly(double precision, logscore_ewm) IS
'z-score of a value against a decayed baseline: (value - weighted mean) / weighted standard deviation; NULL when the standard deviation is 0';

-- the old names stay, on the same C functions, and say what replaces them
COMMENT ON FUNCTION logscore_ewm_mean(logscore_ewm) IS
'Deprecated since 0.6.0, use logscore_mean(logscore_ewm): exponentially weighted mean of the values';
COMMENT ON FUNCTION logscore_ewm_stddev(logscore_ewm) IS
'Deprecated since 0.6.0, use logscore_stddev(logscore_ewm): exponentially weighted population standard deviation of the values';
COMMENT ON FUNCTION logscore_ewm_zscore(logscore_ewm, double precision) IS
'Deprecated since 0.6.0, use logscore_anomaly(value, baseline logscore_ewm): (value - weighted mean) / weighted standard deviation; NULL when the standard deviation is 0';
COMMENT ON FUNCTION logscore_ewm_count(logscore_ewm) IS
'Deprecated since 0.6.0, use logscore_count(logscore_ewm): number of values added, decayed or not';
