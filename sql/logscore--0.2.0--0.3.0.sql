/* sql/logscore--0.2.0--0.3.0.sql: from 0.2.0 to 0.3.0, anomaly scores and alert states */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION logscore UPDATE TO '0.3.0'" to load this file. \quit

-- anomaly scores and alert states: a robust z-score against a baseline
-- sketch, its alert level, and an alert state per row with hysteresis

CREATE FUNCTION logscore_anomaly(value double precision, baseline logscore_sketch)
RETURNS double precision
AS 'MODULE_PATHNAME', 'logscore_sketch_anomaly'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION logscore_anomaly(double precision, logscore_sketch) IS
'Robust z-score of a value against a baseline sketch: (value - p50) / ((p75 - p25) / 1.349); NULL when the baseline is empty or its interquartile range is 0';

CREATE TYPE logscore_level AS ENUM ('ok', 'warning', 'critical');

COMMENT ON TYPE logscore_level IS
'Alert level of a z-score, ordered ok < warning < critical';

CREATE FUNCTION logscore_severity(z double precision)
RETURNS logscore_level
AS 'MODULE_PATHNAME', 'logscore_severity_setting'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION logscore_severity(double precision) IS
'Alert level of |z| with the thresholds in the settings logscore.alert_warning and logscore.alert_critical';

CREATE FUNCTION logscore_severity(z double precision, warning double precision,
                                  critical double precision)
RETURNS logscore_level
AS 'MODULE_PATHNAME', 'logscore_severity_explicit'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION logscore_severity(double precision, double precision, double precision) IS
'Alert level of |z|: critical at or above critical, warning at or above warning, else ok; IMMUTABLE';

-- not STRICT: a NULL z is stepped over as no evidence, and the first row
-- must create the state even when its z is NULL
CREATE FUNCTION logscore_alert_state_step(internal, double precision)
RETURNS internal
AS 'MODULE_PATHNAME', 'logscore_alert_state_setting_step'
LANGUAGE C STABLE PARALLEL SAFE;

CREATE FUNCTION logscore_alert_state_step(internal, double precision, double precision,
                                          double precision, double precision,
                                          integer, integer)
RETURNS internal
AS 'MODULE_PATHNAME', 'logscore_alert_state_explicit_step'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION logscore_alert_state_final(internal)
RETURNS logscore_level
AS 'MODULE_PATHNAME', 'logscore_alert_state_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION logscore_alert_state_step(internal, double precision) IS
'Transition function of logscore_alert_state(z): reads the logscore.alert_* settings when it creates the state';
COMMENT ON FUNCTION logscore_alert_state_step(internal, double precision, double precision, double precision, double precision, integer, integer) IS
'Transition function of logscore_alert_state(z, warning, critical, clear, enter_after, exit_after)';
COMMENT ON FUNCTION logscore_alert_state_final(internal) IS
'Final function of logscore_alert_state: the state after the rows so far; leaves the state as it is';

-- no combine function: the state depends on the order of the rows
CREATE AGGREGATE logscore_alert_state(z double precision) (
  SFUNC = logscore_alert_state_step,
  STYPE = internal,
  FINALFUNC = logscore_alert_state_final,
  PARALLEL = SAFE
);

CREATE AGGREGATE logscore_alert_state(z double precision, warning double precision,
                                      critical double precision, clear double precision,
                                      enter_after integer, exit_after integer) (
  SFUNC = logscore_alert_state_step,
  STYPE = internal,
  FINALFUNC = logscore_alert_state_final,
  PARALLEL = SAFE
);

COMMENT ON AGGREGATE logscore_alert_state(double precision) IS
'Alert state with hysteresis after each row of a running window (OVER (ORDER BY ts)), with the logscore.alert_* settings';
COMMENT ON AGGREGATE logscore_alert_state(double precision, double precision, double precision, double precision, integer, integer) IS
'Alert state with hysteresis after each row of a running window (OVER (ORDER BY ts)): rises after enter_after rows above it, clears after exit_after rows with |z| < clear';

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

-- sliding-window anomaly scores: a frame's last row against the rows before it

CREATE FUNCTION logscore_zscore_add(internal, double precision) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION logscore_zscore_moving_add(internal, double precision) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION logscore_zscore_moving_remove(internal, double precision) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION logscore_zscore_final(internal) RETURNS double precision
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION logscore_zscore_add(internal, double precision) IS
'Transition function of logscore_zscore for GROUP BY and frames from UNBOUNDED PRECEDING: keeps running moments, no buffer';
COMMENT ON FUNCTION logscore_zscore_moving_add(internal, double precision) IS
'Moving-aggregate transition function of logscore_zscore: keeps the frame''s rows in a ring buffer and their moments';
COMMENT ON FUNCTION logscore_zscore_moving_remove(internal, double precision) IS
'Inverse transition function of logscore_zscore: removes the frame''s oldest row';
COMMENT ON FUNCTION logscore_zscore_final(internal) IS
'Final function of logscore_zscore: the z-score of the last row against the others';

CREATE AGGREGATE logscore_zscore(double precision) (
  SFUNC = logscore_zscore_add,
  STYPE = internal,
  FINALFUNC = logscore_zscore_final,
  MSFUNC = logscore_zscore_moving_add,
  MINVFUNC = logscore_zscore_moving_remove,
  MSTYPE = internal,
  MFINALFUNC = logscore_zscore_final,
  PARALLEL = SAFE
);

COMMENT ON AGGREGATE logscore_zscore(double precision) IS
'Over a window frame, the z-score of its last row against the rows before it: (x - mean) / sample stddev; NULL when fewer than 2 non-null others or no spread. As a plain aggregate, the last row in input order (use ORDER BY in the call)';

CREATE FUNCTION logscore_robust_zscore_add(internal, double precision) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION logscore_robust_zscore_moving_add(internal, double precision) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION logscore_robust_zscore_moving_remove(internal, double precision) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION logscore_robust_zscore_final(internal) RETURNS double precision
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION logscore_robust_zscore_add(internal, double precision) IS
'Transition function of logscore_robust_zscore for GROUP BY and frames from UNBOUNDED PRECEDING: appends unsorted';
COMMENT ON FUNCTION logscore_robust_zscore_moving_add(internal, double precision) IS
'Moving-aggregate transition function of logscore_robust_zscore: inserts into a sorted array';
COMMENT ON FUNCTION logscore_robust_zscore_moving_remove(internal, double precision) IS
'Inverse transition function of logscore_robust_zscore: removes the frame''s oldest row from the sorted array';
COMMENT ON FUNCTION logscore_robust_zscore_final(internal) IS
'Final function of logscore_robust_zscore: sorts in the rows appended since its last call, then scores the last row against the others';

CREATE AGGREGATE logscore_robust_zscore(double precision) (
  SFUNC = logscore_robust_zscore_add,
  STYPE = internal,
  FINALFUNC = logscore_robust_zscore_final,
  MSFUNC = logscore_robust_zscore_moving_add,
  MINVFUNC = logscore_robust_zscore_moving_remove,
  MSTYPE = internal,
  MFINALFUNC = logscore_robust_zscore_final,
  PARALLEL = SAFE
);

COMMENT ON AGGREGATE logscore_robust_zscore(double precision) IS
'Over a window frame, the robust z-score of its last row against the rows before it: (x - median) / (IQR / 1.349), quantiles as percentile_cont; NULL when fewer than 4 non-null others or IQR = 0. Use a bounded frame: from UNBOUNDED PRECEDING each row costs O(n)';
