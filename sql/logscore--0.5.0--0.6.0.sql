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

-- every argument gets a name, as a fresh install has it.  PostgreSQL has no
-- ALTER FUNCTION for argument names, and an extension script creates with
-- plain CREATE only (CVE-2022-2625), so the names are written into pg_proc:
-- the functions and aggregates keep their OIDs, comments, grants and the
-- objects that depend on them.  Only unnamed arguments gain a name (none is
-- renamed), and nothing that depends on a function refers to its arguments
-- by a name it did not have.
UPDATE pg_catalog.pg_proc p SET proargnames = v.names::pg_catalog.text[]
FROM (VALUES
  ('@extschema@.logscore_sketch_in(cstring)', '{input}'),
  ('@extschema@.logscore_sketch_out(@extschema@.logscore_sketch)', '{sketch}'),
  ('@extschema@.logscore_sketch_recv(internal)', '{buf}'),
  ('@extschema@.logscore_sketch_send(@extschema@.logscore_sketch)', '{sketch}'),
  ('@extschema@.logscore_sketch_add(@extschema@.logscore_sketch, double precision)', '{sketch,value}'),
  ('@extschema@.logscore_sketch_add(@extschema@.logscore_sketch, double precision, double precision)', '{sketch,value,accuracy}'),
  ('@extschema@.logscore_sketch_combine(@extschema@.logscore_sketch, @extschema@.logscore_sketch)', '{a,b}'),
  ('@extschema@.logscore_sketch(double precision)', '{value}'),
  ('@extschema@.logscore_sketch(double precision, double precision)', '{value,accuracy}'),
  ('@extschema@.logscore_merge(@extschema@.logscore_sketch)', '{sketch}'),
  ('@extschema@.logscore_quantile(@extschema@.logscore_sketch, double precision)', '{sketch,fraction}'),
  ('@extschema@.logscore_quantiles(@extschema@.logscore_sketch, double precision[])', '{sketch,fractions}'),
  ('@extschema@.logscore_rank(@extschema@.logscore_sketch, double precision)', '{sketch,value}'),
  ('@extschema@.logscore_count(@extschema@.logscore_sketch)', '{sketch}'),
  ('@extschema@.logscore_sum(@extschema@.logscore_sketch)', '{sketch}'),
  ('@extschema@.logscore_mean(@extschema@.logscore_sketch)', '{sketch}'),
  ('@extschema@.logscore_stddev(@extschema@.logscore_sketch)', '{sketch}'),
  ('@extschema@.logscore_min(@extschema@.logscore_sketch)', '{sketch}'),
  ('@extschema@.logscore_max(@extschema@.logscore_sketch)', '{sketch}'),
  ('@extschema@.logscore_summary(@extschema@.logscore_sketch)', '{sketch,count,mean,stddev,min,p50,p90,p95,p99,max}'),
  ('@extschema@.logscore_alert_state_step(internal, double precision)', '{state,z}'),
  ('@extschema@.logscore_alert_state_step(internal, double precision, double precision, double precision, double precision, integer, integer)', '{state,z,warning,critical,clear,enter_after,exit_after}'),
  ('@extschema@.logscore_alert_state_final(internal)', '{state}'),
  ('@extschema@.logscore_ewm_in(cstring)', '{input}'),
  ('@extschema@.logscore_ewm_out(@extschema@.logscore_ewm)', '{ewm}'),
  ('@extschema@.logscore_ewm_recv(internal)', '{buf}'),
  ('@extschema@.logscore_ewm_send(@extschema@.logscore_ewm)', '{ewm}'),
  ('@extschema@.logscore_ewm_add(@extschema@.logscore_ewm, double precision, timestamp with time zone, interval)', '{ewm,value,ts,half_life}'),
  ('@extschema@.logscore_ewm_combine(@extschema@.logscore_ewm, @extschema@.logscore_ewm)', '{a,b}'),
  ('@extschema@.logscore_merge(@extschema@.logscore_ewm)', '{ewm}'),
  ('@extschema@.logscore_sketch_hash(@extschema@.logscore_sketch)', '{sketch}'),
  ('@extschema@.logscore_sketch_hash_extended(@extschema@.logscore_sketch, bigint)', '{sketch,seed}'),
  ('@extschema@.logscore_ewm_hash(@extschema@.logscore_ewm)', '{ewm}'),
  ('@extschema@.logscore_ewm_hash_extended(@extschema@.logscore_ewm, bigint)', '{ewm,seed}'),
  ('@extschema@.logscore_ewm_mean(@extschema@.logscore_ewm)', '{ewm}'),
  ('@extschema@.logscore_ewm_stddev(@extschema@.logscore_ewm)', '{ewm}'),
  ('@extschema@.logscore_ewm_zscore(@extschema@.logscore_ewm, double precision)', '{ewm,value}'),
  ('@extschema@.logscore_ewm_count(@extschema@.logscore_ewm)', '{ewm}'),
  ('@extschema@.logscore_zscore_add(internal, double precision)', '{state,value}'),
  ('@extschema@.logscore_zscore_moving_add(internal, double precision)', '{state,value}'),
  ('@extschema@.logscore_zscore_moving_remove(internal, double precision)', '{state,value}'),
  ('@extschema@.logscore_zscore_final(internal)', '{state}'),
  ('@extschema@.logscore_zscore(double precision)', '{value}'),
  ('@extschema@.logscore_robust_zscore_add(internal, double precision)', '{state,value}'),
  ('@extschema@.logscore_robust_zscore_moving_add(internal, double precision)', '{state,value}'),
  ('@extschema@.logscore_robust_zscore_moving_remove(internal, double precision)', '{state,value}'),
  ('@extschema@.logscore_robust_zscore_final(internal)', '{state}'),
  ('@extschema@.logscore_robust_zscore(double precision)', '{value}')
) AS v(signature, names)
WHERE p.oid OPERATOR(pg_catalog.=) v.signature::pg_catalog.regprocedure;

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
