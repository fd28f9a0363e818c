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
'Robust z-score of a value against a baseline sketch: (value - p50) / max((p75 - p25) / 1.349, floor), the floor max(0.1 * stddev, 1e-6 * |p50|, 1e-12) of the baseline; NULL when the baseline is empty';
COMMENT ON AGGREGATE logscore_robust_zscore(double precision) IS
'Over a window frame, the robust z-score of its last row against the rows before it: (x - median) / max(IQR / 1.349, floor), quantiles as percentile_cont, the floor max(0.1 * stddev, 1e-6 * |median|, 1e-12) of the others; NULL when fewer than 4 non-null others. Use a bounded frame: from UNBOUNDED PRECEDING each row costs O(n)';
