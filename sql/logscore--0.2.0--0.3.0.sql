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
