/* sql/logscore--0.2.0--0.3.0.sql: from 0.2.0 to 0.3.0, anomaly scores and alert states */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION logscore UPDATE TO '0.3.0'" to load this file. \quit

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
