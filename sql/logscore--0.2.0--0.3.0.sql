/* sql/logscore--0.2.0--0.3.0.sql: from 0.2.0 to 0.3.0, anomaly scores and alert states */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION logscore UPDATE TO '0.3.0'" to load this file. \quit

-- logscore_ewm: exponentially time-decayed weight, mean and variance; the
-- weights are anchored to absolute time, so states merge in any order

CREATE TYPE logscore_ewm;

CREATE FUNCTION logscore_ewm_in(cstring) RETURNS logscore_ewm
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_ewm_out(logscore_ewm) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_ewm_recv(internal) RETURNS logscore_ewm
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_ewm_send(logscore_ewm) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE logscore_ewm (
  INPUT = logscore_ewm_in,
  OUTPUT = logscore_ewm_out,
  RECEIVE = logscore_ewm_recv,
  SEND = logscore_ewm_send,
  INTERNALLENGTH = VARIABLE,
  ALIGNMENT = double,
  STORAGE = plain
);

COMMENT ON TYPE logscore_ewm IS
'Exponentially time-decayed weight, mean and variance of values, mergeable in any order';
COMMENT ON FUNCTION logscore_ewm_in(cstring) IS 'Input function of logscore_ewm';
COMMENT ON FUNCTION logscore_ewm_out(logscore_ewm) IS 'Output function of logscore_ewm';
COMMENT ON FUNCTION logscore_ewm_recv(internal) IS 'Binary input function of logscore_ewm';
COMMENT ON FUNCTION logscore_ewm_send(logscore_ewm) IS 'Binary output function of logscore_ewm';

-- transition and combine functions; the state is a logscore_ewm, not
-- internal, so partial aggregates can cross workers and servers as values

CREATE FUNCTION logscore_ewm_add(logscore_ewm, double precision, timestamp with time zone, interval)
RETURNS logscore_ewm
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION logscore_ewm_combine(logscore_ewm, logscore_ewm)
RETURNS logscore_ewm
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION logscore_ewm_add(logscore_ewm, double precision, timestamp with time zone, interval) IS
'Transition function of logscore_ewm(value, ts, half_life): adds a value seen at ts';
COMMENT ON FUNCTION logscore_ewm_combine(logscore_ewm, logscore_ewm) IS
'Merges two logscore_ewm values of the same half-life: the combine function, and logscore_merge''s transition';

CREATE AGGREGATE logscore_ewm(value double precision, ts timestamp with time zone, half_life interval) (
  SFUNC = logscore_ewm_add,
  STYPE = logscore_ewm,
  COMBINEFUNC = logscore_ewm_combine,
  PARALLEL = SAFE
);

CREATE AGGREGATE logscore_merge(logscore_ewm) (
  SFUNC = logscore_ewm_combine,
  STYPE = logscore_ewm,
  COMBINEFUNC = logscore_ewm_combine,
  PARALLEL = SAFE
);

COMMENT ON AGGREGATE logscore_ewm(double precision, timestamp with time zone, interval) IS
'Exponentially time-decayed statistics: a value half_life older weighs half; rows with a NULL value or ts are skipped';
COMMENT ON AGGREGATE logscore_merge(logscore_ewm) IS
'Merges logscore_ewm values of one half-life, for rollups; the same as aggregating all their rows at once';

-- accessors; decay scales every weight alike, so none depends on the time
-- they are read at

CREATE FUNCTION logscore_ewm_mean(logscore_ewm) RETURNS double precision
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_ewm_stddev(logscore_ewm) RETURNS double precision
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_ewm_zscore(logscore_ewm, value double precision) RETURNS double precision
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_ewm_count(logscore_ewm) RETURNS bigint
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION logscore_ewm_mean(logscore_ewm) IS
'Exponentially weighted mean of the values';
COMMENT ON FUNCTION logscore_ewm_stddev(logscore_ewm) IS
'Exponentially weighted population standard deviation of the values: sqrt(sum w (x - mean)^2 / sum w)';
COMMENT ON FUNCTION logscore_ewm_zscore(logscore_ewm, double precision) IS
'(value - weighted mean) / weighted standard deviation; NULL when the standard deviation is 0';
COMMENT ON FUNCTION logscore_ewm_count(logscore_ewm) IS
'Number of values added, decayed or not';
