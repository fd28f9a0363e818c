/* sql/logscore--0.6.0--0.7.0.sql: what 0.7.0 adds (CHANGELOG.md lists it) */

\echo Use "ALTER EXTENSION logscore UPDATE TO '0.7.0'" to load this file. \quit

-- the two-sided normal tail of a z-score, with no underflow error (0.7.0)

CREATE FUNCTION logscore_tail_probability(z double precision) RETURNS double precision
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_log_tail_probability(z double precision) RETURNS double precision
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION logscore_tail_probability(double precision) IS
'P(|Z| >= |z|) for a standard normal Z, as erfc(|z| / sqrt 2): never an underflow error; 0 from |z| of about 38.5 on, subnormal just below';
COMMENT ON FUNCTION logscore_log_tail_probability(double precision) IS
'Natural logarithm of P(|Z| >= |z|), finite up to |z| of about 1.9e154 (an asymptotic series once erfc would underflow): ranks extreme z-scores';

-- a floor under the robust z-scores' spread, overridable per call (0.7.0)

CREATE FUNCTION logscore_anomaly(value double precision, baseline logscore_sketch,
                                 min_spread double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'logscore_sketch_anomaly'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION logscore_anomaly(double precision, logscore_sketch, double precision) IS
'Robust z-score of a value against a baseline sketch with the given floor of the spread: (value - p50) / max((p75 - p25) / 1.349, min_spread); min_spread = 0 gives NULL when the interquartile range is 0';

CREATE FUNCTION logscore_robust_zscore_add(state internal, value double precision,
                                           min_spread double precision) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION logscore_robust_zscore_moving_add(state internal, value double precision,
                                                  min_spread double precision) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION logscore_robust_zscore_moving_remove(state internal, value double precision,
                                                     min_spread double precision) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION logscore_robust_zscore_add(internal, double precision, double precision) IS
'Transition function of logscore_robust_zscore(value, min_spread) for GROUP BY and frames from UNBOUNDED PRECEDING: appends unsorted';
COMMENT ON FUNCTION logscore_robust_zscore_moving_add(internal, double precision, double precision) IS
'Moving-aggregate transition function of logscore_robust_zscore(value, min_spread): inserts into a sorted array';
COMMENT ON FUNCTION logscore_robust_zscore_moving_remove(internal, double precision, double precision) IS
'Inverse transition function of logscore_robust_zscore(value, min_spread): removes the frame''s oldest row from the sorted array';

CREATE AGGREGATE logscore_robust_zscore(value double precision, min_spread double precision) (
  SFUNC = logscore_robust_zscore_add,
  STYPE = internal,
  FINALFUNC = logscore_robust_zscore_final,
  MSFUNC = logscore_robust_zscore_moving_add,
  MINVFUNC = logscore_robust_zscore_moving_remove,
  MSTYPE = internal,
  MFINALFUNC = logscore_robust_zscore_final,
  PARALLEL = SAFE
);

COMMENT ON AGGREGATE logscore_robust_zscore(double precision, double precision) IS
'logscore_robust_zscore(value) with the given floor of the spread, the last row''s: (x - median) / max(IQR / 1.349, min_spread); min_spread = 0 gives NULL when IQR = 0';

-- the default answers changed: the comments say so
COMMENT ON FUNCTION logscore_anomaly(double precision, logscore_sketch) IS
'Robust z-score of a value against a baseline sketch: (value - p50) / max((p75 - p25) / 1.349, floor), the floor max(1e-3 * |p50|, 1e-12) of the baseline; NULL when the baseline is empty';
COMMENT ON AGGREGATE logscore_robust_zscore(double precision) IS
'Over a window frame, the robust z-score of its last row against the rows before it: (x - median) / max(IQR / 1.349, floor), quantiles as percentile_cont, the floor max(1e-3 * |median|, 1e-12) of the others; NULL when fewer than 4 non-null others. Use a bounded frame: from UNBOUNDED PRECEDING each row costs O(n)';

-- alert onsets: the rows where the alert state rises, with an optional
-- cool-down (0.7.0)

CREATE FUNCTION logscore_alert_onset_step(state internal, z double precision)
RETURNS internal
AS 'MODULE_PATHNAME', 'logscore_alert_onset_setting_step'
LANGUAGE C STABLE PARALLEL SAFE;

CREATE FUNCTION logscore_alert_onset_step(state internal, z double precision, cooldown_rows integer)
RETURNS internal
AS 'MODULE_PATHNAME', 'logscore_alert_onset_setting_step'
LANGUAGE C STABLE PARALLEL SAFE;

CREATE FUNCTION logscore_alert_onset_step(state internal, z double precision,
                                          at timestamptz, cooldown interval)
RETURNS internal
AS 'MODULE_PATHNAME', 'logscore_alert_onset_setting_step'
LANGUAGE C STABLE PARALLEL SAFE;

CREATE FUNCTION logscore_alert_onset_step(state internal, z double precision, warning double precision,
                                          critical double precision, clear double precision,
                                          enter_after integer, exit_after integer)
RETURNS internal
AS 'MODULE_PATHNAME', 'logscore_alert_onset_explicit_step'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION logscore_alert_onset_step(state internal, z double precision, warning double precision,
                                          critical double precision, clear double precision,
                                          enter_after integer, exit_after integer,
                                          cooldown_rows integer)
RETURNS internal
AS 'MODULE_PATHNAME', 'logscore_alert_onset_explicit_step'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION logscore_alert_onset_step(state internal, z double precision, warning double precision,
                                          critical double precision, clear double precision,
                                          enter_after integer, exit_after integer,
                                          at timestamptz, cooldown interval)
RETURNS internal
AS 'MODULE_PATHNAME', 'logscore_alert_onset_explicit_step'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION logscore_alert_onset_final(state internal)
RETURNS logscore_level
AS 'MODULE_PATHNAME', 'logscore_alert_onset_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION logscore_alert_onset_step(internal, double precision) IS
'Transition function of logscore_alert_onset(z): reads the logscore.alert_* settings when it creates the state';
COMMENT ON FUNCTION logscore_alert_onset_step(internal, double precision, integer) IS
'Transition function of logscore_alert_onset(z, cooldown_rows): reads the logscore.alert_* settings when it creates the state';
COMMENT ON FUNCTION logscore_alert_onset_step(internal, double precision, timestamptz, interval) IS
'Transition function of logscore_alert_onset(z, at, cooldown): reads the logscore.alert_* settings when it creates the state';
COMMENT ON FUNCTION logscore_alert_onset_step(internal, double precision, double precision, double precision, double precision, integer, integer) IS
'Transition function of logscore_alert_onset(z, warning, critical, clear, enter_after, exit_after)';
COMMENT ON FUNCTION logscore_alert_onset_step(internal, double precision, double precision, double precision, double precision, integer, integer, integer) IS
'Transition function of logscore_alert_onset(z, warning, critical, clear, enter_after, exit_after, cooldown_rows)';
COMMENT ON FUNCTION logscore_alert_onset_step(internal, double precision, double precision, double precision, double precision, integer, integer, timestamptz, interval) IS
'Transition function of logscore_alert_onset(z, warning, critical, clear, enter_after, exit_after, at, cooldown)';
COMMENT ON FUNCTION logscore_alert_onset_final(internal) IS
'Final function of logscore_alert_onset: the level the state rose to on the last row, or NULL; leaves the state as it is';

CREATE AGGREGATE logscore_alert_onset(z double precision) (
  SFUNC = logscore_alert_onset_step,
  STYPE = internal,
  FINALFUNC = logscore_alert_onset_final,
  PARALLEL = SAFE
);

CREATE AGGREGATE logscore_alert_onset(z double precision, cooldown_rows integer) (
  SFUNC = logscore_alert_onset_step,
  STYPE = internal,
  FINALFUNC = logscore_alert_onset_final,
  PARALLEL = SAFE
);

CREATE AGGREGATE logscore_alert_onset(z double precision, at timestamptz, cooldown interval) (
  SFUNC = logscore_alert_onset_step,
  STYPE = internal,
  FINALFUNC = logscore_alert_onset_final,
  PARALLEL = SAFE
);

CREATE AGGREGATE logscore_alert_onset(z double precision, warning double precision,
                                      critical double precision, clear double precision,
                                      enter_after integer, exit_after integer) (
  SFUNC = logscore_alert_onset_step,
  STYPE = internal,
  FINALFUNC = logscore_alert_onset_final,
  PARALLEL = SAFE
);

CREATE AGGREGATE logscore_alert_onset(z double precision, warning double precision,
                                      critical double precision, clear double precision,
                                      enter_after integer, exit_after integer,
                                      cooldown_rows integer) (
  SFUNC = logscore_alert_onset_step,
  STYPE = internal,
  FINALFUNC = logscore_alert_onset_final,
  PARALLEL = SAFE
);

CREATE AGGREGATE logscore_alert_onset(z double precision, warning double precision,
                                      critical double precision, clear double precision,
                                      enter_after integer, exit_after integer,
                                      at timestamptz, cooldown interval) (
  SFUNC = logscore_alert_onset_step,
  STYPE = internal,
  FINALFUNC = logscore_alert_onset_final,
  PARALLEL = SAFE
);

COMMENT ON AGGREGATE logscore_alert_onset(double precision) IS
'Over a running window (OVER (ORDER BY ts)), the level logscore_alert_state(z) rises to on this row, or NULL: one row per alert, with the logscore.alert_* settings';
COMMENT ON AGGREGATE logscore_alert_onset(double precision, integer) IS
'logscore_alert_onset(z) with a cool-down: the cooldown_rows rows after an onset report no rise that is not above its level';
COMMENT ON AGGREGATE logscore_alert_onset(double precision, timestamptz, interval) IS
'logscore_alert_onset(z) with a cool-down: a rise at less than cooldown after an onset, and not above its level, is not reported';
COMMENT ON AGGREGATE logscore_alert_onset(double precision, double precision, double precision, double precision, integer, integer) IS
'logscore_alert_onset(z) with explicit thresholds, each row''s own, as logscore_alert_state takes them';
COMMENT ON AGGREGATE logscore_alert_onset(double precision, double precision, double precision, double precision, integer, integer, integer) IS
'logscore_alert_onset(z, cooldown_rows) with explicit thresholds, each row''s own';
COMMENT ON AGGREGATE logscore_alert_onset(double precision, double precision, double precision, double precision, integer, integer, timestamptz, interval) IS
'logscore_alert_onset(z, at, cooldown) with explicit thresholds, each row''s own';

-- logscore_sketch over a sliding window frame: a moving aggregate whose
-- inverse transition removes the row leaving (0.7.0)

CREATE FUNCTION logscore_sketch_moving_add(state internal, value double precision) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION logscore_sketch_moving_add(state internal, value double precision,
                                           accuracy double precision) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION logscore_sketch_moving_remove(state internal, value double precision) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION logscore_sketch_moving_remove(state internal, value double precision,
                                              accuracy double precision) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION logscore_sketch_moving_final(state internal) RETURNS logscore_sketch
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION logscore_sketch_moving_add(internal, double precision) IS
'Moving-aggregate transition function of logscore_sketch(value) over a sliding window frame';
COMMENT ON FUNCTION logscore_sketch_moving_add(internal, double precision, double precision) IS
'Moving-aggregate transition function of logscore_sketch(value, accuracy) over a sliding window frame';
COMMENT ON FUNCTION logscore_sketch_moving_remove(internal, double precision) IS
'Inverse transition function of logscore_sketch(value): removes the frame''s first row; NULL (rebuild from the frame) when the sketch could not stay exact';
COMMENT ON FUNCTION logscore_sketch_moving_remove(internal, double precision, double precision) IS
'Inverse transition function of logscore_sketch(value, accuracy): removes the frame''s first row; NULL (rebuild from the frame) when the sketch could not stay exact';
COMMENT ON FUNCTION logscore_sketch_moving_final(internal) IS
'Moving-aggregate final function of logscore_sketch: the frame''s sketch; NULL for a frame without values';

-- Extension scripts use plain CREATE only, and PostgreSQL has no ALTER
-- AGGREGATE for the moving-aggregate functions, while DROP and CREATE would
-- break the views that use logscore_sketch: the functions are written into
-- pg_aggregate in place, with the dependencies CREATE AGGREGATE records.
UPDATE pg_catalog.pg_aggregate a
SET aggmtransfn = v.msfunc::pg_catalog.regprocedure,
    aggminvtransfn = v.minvfunc::pg_catalog.regprocedure,
    aggmfinalfn = '@extschema@.logscore_sketch_moving_final(pg_catalog.internal)'::pg_catalog.regprocedure,
    aggmtranstype = 'pg_catalog.internal'::pg_catalog.regtype,
    aggmtransspace = 0,
    aggmfinalextra = false,
    aggmfinalmodify = 'r',
    aggminitval = NULL
FROM (VALUES
  ('@extschema@.logscore_sketch(pg_catalog.float8)',
   '@extschema@.logscore_sketch_moving_add(pg_catalog.internal, pg_catalog.float8)',
   '@extschema@.logscore_sketch_moving_remove(pg_catalog.internal, pg_catalog.float8)'),
  ('@extschema@.logscore_sketch(pg_catalog.float8, pg_catalog.float8)',
   '@extschema@.logscore_sketch_moving_add(pg_catalog.internal, pg_catalog.float8, pg_catalog.float8)',
   '@extschema@.logscore_sketch_moving_remove(pg_catalog.internal, pg_catalog.float8, pg_catalog.float8)')
) v(aggregate, msfunc, minvfunc)
WHERE a.aggfnoid OPERATOR(pg_catalog.=) v.aggregate::pg_catalog.regprocedure;

INSERT INTO pg_catalog.pg_depend (classid, objid, objsubid, refclassid, refobjid, refobjsubid, deptype)
SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass, a.aggfnoid, 0,
       'pg_catalog.pg_proc'::pg_catalog.regclass, f.fn, 0, 'n'
FROM pg_catalog.pg_aggregate a,
     LATERAL (VALUES (a.aggmtransfn), (a.aggminvtransfn), (a.aggmfinalfn)) f(fn)
WHERE a.aggfnoid OPERATOR(pg_catalog.=) ANY (ARRAY[
  '@extschema@.logscore_sketch(pg_catalog.float8)'::pg_catalog.regprocedure,
  '@extschema@.logscore_sketch(pg_catalog.float8, pg_catalog.float8)'::pg_catalog.regprocedure]::pg_catalog.oid[]);

-- logscore_detector: the online anomaly detector, as a window aggregate
-- (logscore_detect) and as a state to keep (logscore_detector)

CREATE TYPE logscore_detector;

CREATE FUNCTION logscore_detector_in(input cstring) RETURNS logscore_detector
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_detector_out(detector logscore_detector) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_detector_recv(buf internal) RETURNS logscore_detector
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_detector_send(detector logscore_detector) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE logscore_detector (
  INPUT = logscore_detector_in,
  OUTPUT = logscore_detector_out,
  RECEIVE = logscore_detector_recv,
  SEND = logscore_detector_send,
  INTERNALLENGTH = VARIABLE,
  ALIGNMENT = double,
  STORAGE = plain
);

COMMENT ON TYPE logscore_detector IS
'The state of the online anomaly detector for one series: levels, spreads, seasonal profile, change-point sums and calibration';
COMMENT ON FUNCTION logscore_detector_in(cstring) IS 'Input function of logscore_detector';
COMMENT ON FUNCTION logscore_detector_out(logscore_detector) IS 'Output function of logscore_detector';
COMMENT ON FUNCTION logscore_detector_recv(internal) IS 'Binary input function of logscore_detector';
COMMENT ON FUNCTION logscore_detector_send(logscore_detector) IS 'Binary output function of logscore_detector';

-- the transition of both aggregates, and a function of its own: scores the
-- row against the state, then learns it; a NULL state starts one
CREATE FUNCTION logscore_detector_update(state logscore_detector, value double precision,
                                         ts timestamp with time zone)
RETURNS logscore_detector
AS 'MODULE_PATHNAME', 'logscore_detector_step' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION logscore_detector_update(state logscore_detector, value double precision,
                                         ts timestamp with time zone, options text)
RETURNS logscore_detector
AS 'MODULE_PATHNAME', 'logscore_detector_step' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION logscore_detector_score(state logscore_detector, value double precision,
                                        ts timestamp with time zone)
RETURNS double precision
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_detector_result(state logscore_detector) RETURNS double precision
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION logscore_detector_update(logscore_detector, double precision, timestamp with time zone) IS
'Scores a value against a detector state, then learns it: the new state (a NULL state starts one; a NULL value changes nothing)';
COMMENT ON FUNCTION logscore_detector_update(logscore_detector, double precision, timestamp with time zone, text) IS
'Scores a value against a detector state, then learns it, with options (''fast=4, medium=32, slow=512, memory=4096, season=on'')';
COMMENT ON FUNCTION logscore_detector_score(logscore_detector, double precision, timestamp with time zone) IS
'The anomaly score in [0, 1] a value at ts gets from a detector state (the state is not changed)';
COMMENT ON FUNCTION logscore_detector_result(logscore_detector) IS
'Final function of logscore_detect: the score of the newest row, NULL when its value was NULL';

-- Order-dependent, so no combine function; a running window frame reuses
-- the state (READ_ONLY final function, no restart).
CREATE AGGREGATE logscore_detect(value double precision, ts timestamp with time zone) (
  SFUNC = logscore_detector_update,
  STYPE = logscore_detector,
  FINALFUNC = logscore_detector_result,
  FINALFUNC_MODIFY = READ_ONLY,
  PARALLEL = SAFE
);

CREATE AGGREGATE logscore_detect(value double precision, ts timestamp with time zone, options text) (
  SFUNC = logscore_detector_update,
  STYPE = logscore_detector,
  FINALFUNC = logscore_detector_result,
  FINALFUNC_MODIFY = READ_ONLY,
  PARALLEL = SAFE
);

CREATE AGGREGATE logscore_detector(value double precision, ts timestamp with time zone) (
  SFUNC = logscore_detector_update,
  STYPE = logscore_detector,
  PARALLEL = SAFE
);

CREATE AGGREGATE logscore_detector(value double precision, ts timestamp with time zone, options text) (
  SFUNC = logscore_detector_update,
  STYPE = logscore_detector,
  PARALLEL = SAFE
);

COMMENT ON AGGREGATE logscore_detect(double precision, timestamp with time zone) IS
'Anomaly score in [0, 1] of each row against the rows before it, as a window over a running frame: OVER (PARTITION BY series ORDER BY ts)';
COMMENT ON AGGREGATE logscore_detect(double precision, timestamp with time zone, text) IS
'Anomaly score in [0, 1] of each row against the rows before it, with options, as a window over a running frame';
COMMENT ON AGGREGATE logscore_detector(double precision, timestamp with time zone) IS
'The detector state after the rows, in time order (ORDER BY ts inside the call), to keep and update';
COMMENT ON AGGREGATE logscore_detector(double precision, timestamp with time zone, text) IS
'The detector state after the rows, in time order, with options, to keep and update';
