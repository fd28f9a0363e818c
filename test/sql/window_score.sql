-- logscore_zscore and logscore_robust_zscore: the score of a window frame's
-- last row against the rows before it, checked against plain SQL over the
-- same frames
\set SHOW_CONTEXT never
SET extra_float_digits = 0;

-- a small series to read: NULL until there are enough others, NULL for a
-- NULL row; when the others do not vary, z is NULL and the robust z's
-- spread is its floor: 1e-3 * |median| here, so 3 among 3s scores 0 and 7
-- scores high; with min_spread 0 the robust z is NULL there, as before
-- 0.7.0
SELECT i, x,
       round(logscore_zscore(x) OVER w::numeric, 6) AS z,
       round(logscore_robust_zscore(x) OVER w::numeric, 6) AS robust_z,
       round(logscore_robust_zscore(x, 0) OVER w::numeric, 6) AS robust_z_no_floor
FROM (VALUES (1, 1.0), (2, 2), (3, 4), (4, 8), (5, NULL), (6, 16), (7, 3),
             (8, 3), (9, 3), (10, 3), (11, 3), (12, 7)) AS t(i, x)
WINDOW w AS (ORDER BY i ROWS BETWEEN 4 PRECEDING AND CURRENT ROW)
ORDER BY i;

-- random series in three partitions, with NULLs, repeated values and
-- outliers; every value has two decimals, so float8 -> numeric is exact
SELECT setseed(0.31);
CREATE TABLE window_events AS
SELECT g AS id, 1 + g % 3 AS service,
       CASE WHEN u < 0.08 THEN NULL
            WHEN u < 0.12 THEN round((1000 * random())::numeric, 2)::float8
            WHEN u < 0.25 THEN 5
            ELSE round((100 + 10 * random())::numeric, 2)::float8 END AS v
FROM (SELECT g, random() AS u FROM generate_series(1, 5100) g) s;
CREATE TABLE window_numbered AS
SELECT service, row_number() OVER (PARTITION BY service ORDER BY id) AS rn, v
FROM window_events;
CREATE INDEX ON window_numbered (service, rn);
ANALYZE window_numbered;
SELECT service, count(*) AS rows, count(v) AS values FROM window_numbered GROUP BY 1 ORDER BY 1;

-- window_check(lo, hi, upto): both scores over ROWS BETWEEN lo AND hi
-- (offsets from the current row; lo NULL is UNBOUNDED PRECEDING) against a
-- LATERAL recomputation over the same rows: mean and sample stddev in
-- numeric, percentile_cont in float8, and the robust z's default floor
-- max(1e-3 * |median|, 1e-12), and without a floor
-- (min_spread 0, NULL when the IQR is 0).  The frame's last row is the one
-- scored; the others are the rows before it in the frame.  Compares the
-- rows numbered up to upto in each partition.
CREATE FUNCTION window_check(lo int, hi int, upto int DEFAULT 1000000)
RETURNS TABLE (frame text, compared bigint,
               z_scored bigint, z_mismatches bigint,
               robust_scored bigint, robust_mismatches bigint,
               no_floor_scored bigint, no_floor_mismatches bigint)
LANGUAGE plpgsql AS $f$
DECLARE
  bound_lo text := CASE WHEN lo IS NULL THEN 'UNBOUNDED PRECEDING'
                        WHEN lo < 0 THEN -lo || ' PRECEDING'
                        WHEN lo = 0 THEN 'CURRENT ROW' ELSE lo || ' FOLLOWING' END;
  bound_hi text := CASE WHEN hi < 0 THEN -hi || ' PRECEDING'
                        WHEN hi = 0 THEN 'CURRENT ROW' ELSE hi || ' FOLLOWING' END;
  spec text := format('ROWS BETWEEN %s AND %s', bound_lo, bound_hi);
BEGIN
  RETURN QUERY EXECUTE format($q$
    WITH scored AS (
      SELECT service, rn,
             logscore_zscore(v) OVER w AS z,
             logscore_robust_zscore(v) OVER w AS rz,
             logscore_robust_zscore(v, 0) OVER w AS rz0
      FROM window_numbered
      WINDOW w AS (PARTITION BY service ORDER BY rn %s)
    ),
    reference AS (
      SELECT n.service, n.rn, lv.v AS last_v, st.*
      FROM window_numbered n
      CROSS JOIN LATERAL (
        SELECT max(f.rn) AS last_rn FROM window_numbered f
        WHERE f.service = n.service AND f.rn BETWEEN n.rn + $1 AND n.rn + $2) l
      LEFT JOIN window_numbered lv ON lv.service = n.service AND lv.rn = l.last_rn
      CROSS JOIN LATERAL (
        SELECT count(o.v) AS others, avg(o.v::numeric) AS mean, stddev_samp(o.v::numeric) AS sd,
               percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY o.v) AS q
        FROM window_numbered o
        WHERE o.service = n.service AND o.rn >= n.rn + $1 AND o.rn < l.last_rn) st
      WHERE n.rn <= $3
    ),
    expected AS (
      SELECT service, rn,
             CASE WHEN last_v IS NOT NULL AND others >= 2 AND sd > 0
                  THEN ((last_v::numeric - mean) / sd)::float8 END AS z,
             CASE WHEN last_v IS NOT NULL AND others >= 4
                  THEN (last_v - q[2]) / greatest((q[3] - q[1]) / 1.349, 1e-3 * abs(q[2]), 1e-12) END AS rz,
             CASE WHEN last_v IS NOT NULL AND others >= 4 AND q[3] - q[1] <> 0
                  THEN (last_v - q[2]) / ((q[3] - q[1]) / 1.349) END AS rz0
      FROM reference
    )
    SELECT %L::text, count(*),
           count(e.z),
           count(*) FILTER (WHERE (s.z IS NULL) <> (e.z IS NULL)
                               OR abs(s.z - e.z) > 1e-9 * greatest(1, abs(e.z))),
           count(e.rz),
           count(*) FILTER (WHERE (s.rz IS NULL) <> (e.rz IS NULL)
                               OR abs(s.rz - e.rz) > 1e-9 * greatest(1, abs(e.rz))),
           count(e.rz0),
           count(*) FILTER (WHERE (s.rz0 IS NULL) <> (e.rz0 IS NULL)
                               OR abs(s.rz0 - e.rz0) > 1e-9 * greatest(1, abs(e.rz0)))
    FROM expected e JOIN scored s USING (service, rn)
  $q$, spec, spec) USING coalesce(lo, -10000000), hi, upto;
END;
$f$;

-- sliding frames of several widths: the moving-aggregate functions, with
-- the inverse transition removing a row for each row added
SELECT * FROM window_check(-3, 0);
SELECT * FROM window_check(-10, 0);
SELECT * FROM window_check(-50, 0);
SELECT * FROM window_check(-100, 0);
-- frames that end before the current row: one row only (never a score),
-- and frames whose last row is a preceding one
SELECT * FROM window_check(-1, -1);
SELECT * FROM window_check(-6, -1);
-- frames that end after the current row, cut short at the partition's end
SELECT * FROM window_check(-4, 4);
-- a running frame: the plain transition functions, with the final
-- function called after each row
SELECT * FROM window_check(NULL, 0, 400);
SELECT * FROM window_check(NULL, 2, 400);

-- plain aggregates: the last row in the ORDER BY of the call against all
-- the others of its group
WITH last_rows AS (
  SELECT service, max(rn) AS last_rn FROM window_numbered GROUP BY service
),
reference AS (
  SELECT l.service, lv.v AS last_v,
         count(o.v) AS others, avg(o.v::numeric) AS mean, stddev_samp(o.v::numeric) AS sd,
         percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY o.v) AS q
  FROM last_rows l
  JOIN window_numbered lv ON lv.service = l.service AND lv.rn = l.last_rn
  JOIN window_numbered o ON o.service = l.service AND o.rn < l.last_rn
  GROUP BY l.service, lv.v
),
aggregated AS (
  SELECT service,
         logscore_zscore(v ORDER BY rn) AS z,
         logscore_robust_zscore(v ORDER BY rn) AS rz,
         logscore_robust_zscore(v, 0 ORDER BY rn) AS rz0
  FROM window_numbered GROUP BY service
)
SELECT a.service, r.last_v,
       abs(a.z - ((r.last_v::numeric - r.mean) / r.sd)::float8) < 1e-9 AS z_matches,
       abs(a.rz - (r.last_v - r.q[2]) / greatest((r.q[3] - r.q[1]) / 1.349, 1e-3 * abs(r.q[2]), 1e-12)) < 1e-9 AS robust_matches,
       abs(a.rz0 - (r.last_v - r.q[2]) / ((r.q[3] - r.q[1]) / 1.349)) < 1e-9 AS no_floor_matches
FROM aggregated a JOIN reference r USING (service)
ORDER BY 1;
-- the last row in input order decides; a NULL last row has no score
SELECT logscore_zscore(x ORDER BY i) AS z, logscore_robust_zscore(x ORDER BY i) AS robust_z,
       round(logscore_zscore(x ORDER BY i DESC)::numeric, 6) AS z_of_first,
       round(logscore_robust_zscore(x ORDER BY i DESC)::numeric, 6) AS robust_z_of_first
FROM (VALUES (1, 10.0), (2, 1), (3, 2), (4, 3), (5, 4), (6, NULL)) AS t(i, x);
SELECT round(logscore_zscore(x ORDER BY i)::numeric, 6) AS z,
       round(logscore_robust_zscore(x ORDER BY i)::numeric, 6) AS robust_z,
       round(logscore_zscore(x ORDER BY i DESC)::numeric, 6) AS z_of_first,
       round(logscore_robust_zscore(x ORDER BY i DESC)::numeric, 6) AS robust_z_of_first
FROM (VALUES (1, 10.0), (2, 1), (3, 2), (4, 3), (5, 4), (6, 7)) AS t(i, x);
-- no rows, one row, only NULLs
SELECT logscore_zscore(x), logscore_robust_zscore(x) FROM (SELECT 1.0 WHERE false) AS t(x);
SELECT logscore_zscore(x), logscore_robust_zscore(x) FROM (VALUES (1.0)) AS t(x);
SELECT logscore_zscore(x), logscore_robust_zscore(x) FROM (VALUES (NULL::float8), (NULL)) AS t(x);

-- stability: values near 1e9 (and later 5e9) varying by less than 1, in
-- steps of 1/1024 so that float8 holds them exactly and numeric computes
-- the exact score (float8 -> numeric would keep only 15 digits); a frame of
-- 100 rows slides over the level shift
CREATE TABLE window_large AS
SELECT g AS i, CASE WHEN g <= 1500 THEN 1000000000 ELSE 5000000000 END
              + floor(random() * 1024)::numeric / 1024 AS exact
FROM generate_series(1, 3000) g;
WITH scored AS (
  SELECT i, exact,
         logscore_zscore(exact::float8) OVER (ORDER BY i ROWS BETWEEN 100 PRECEDING AND CURRENT ROW) AS z
  FROM window_large
),
reference AS (
  SELECT n.i, (n.exact - st.mean) / st.sd AS z
  FROM window_large n
  CROSS JOIN LATERAL (
    SELECT avg(o.exact) AS mean, stddev_samp(o.exact) AS sd FROM window_large o
    WHERE o.i >= n.i - 100 AND o.i < n.i) st
  WHERE n.i > 2
)
SELECT count(*) AS compared,
       count(*) FILTER (WHERE abs(s.z::numeric - r.z) > 1e-6 * greatest(1, abs(r.z))) AS mismatches,
       max(abs(s.z::numeric - r.z) / greatest(1, abs(r.z))) < 1e-6 AS max_error_below_1e_6,
       count(*) FILTER (WHERE i <= 1500) AS before_shift
FROM scored s JOIN reference r USING (i);
-- and the plain aggregate over the first 1500 values near 1e9
SELECT abs(logscore_zscore(exact::float8 ORDER BY i)::numeric
           - (SELECT (l.exact - avg(o.exact)) / stddev_samp(o.exact)
              FROM window_large o, window_large l WHERE o.i < 1500 AND l.i = 1500
              GROUP BY l.exact)) < 1e-6 AS plain_matches
FROM window_large WHERE i <= 1500;

-- only finite values
SELECT logscore_zscore(x) FROM (VALUES (1.0::float8), ('NaN')) AS t(x);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_zscore(x) OVER (ORDER BY i ROWS 2 PRECEDING)
FROM (VALUES (1, 1.0::float8), (2, 2), (3, 'Infinity')) AS t(i, x);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_robust_zscore(x) FROM (VALUES ('-Infinity'::float8)) AS t(x);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_robust_zscore(x) OVER (ORDER BY i ROWS 2 PRECEDING)
FROM (VALUES (1, 1.0::float8), (2, 'NaN')) AS t(i, x);
\echo :LAST_ERROR_SQLSTATE
-- a score beyond double precision
SELECT logscore_zscore(x ORDER BY i) FROM (VALUES (1, 0::float8), (2, 1e-300), (3, 1e300)) AS t(i, x);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_robust_zscore(x ORDER BY i)
FROM (VALUES (1, 0::float8), (2, 1e-300), (3, 2e-300), (4, 3e-300), (5, 1e300)) AS t(i, x);
\echo :LAST_ERROR_SQLSTATE

-- an argument that is not as IMMUTABLE as it claims gives the inverse
-- function another value than the one that came in: the state cannot match
-- it, and the aggregate restarts from the frame's rows instead of failing
CREATE FUNCTION window_liar(x float8) RETURNS float8
LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN RETURN x + random(); END $$;
SELECT count(*) AS rows, count(z) AS z_scores, count(rz) AS robust_scores
FROM (SELECT logscore_zscore(window_liar(i)) OVER w AS z,
             logscore_robust_zscore(window_liar(i)) OVER w AS rz
      FROM generate_series(1, 200) i
      WINDOW w AS (ORDER BY i ROWS BETWEEN 5 PRECEDING AND CURRENT ROW)) s;
DROP FUNCTION window_liar(float8);

-- the plain form sorts all its rows in its final function, which can take
-- seconds: a cancel must stop that sort.  window_cancel's final function
-- cancels the statement just before logscore_robust_zscore's final function
-- runs, so the cancel is pending when the sort starts, whatever the timing;
-- a cursor's FETCH 1 returns the row without asking the plan for another,
-- so a sort that ignored the cancel would return a score and the cancel
-- would be lost
CREATE FUNCTION window_cancel_final(int) RETURNS int
LANGUAGE sql AS $$ SELECT pg_cancel_backend(pg_backend_pid())::int $$;
CREATE AGGREGATE window_cancel(int) (SFUNC = int4larger, STYPE = int,
                                     FINALFUNC = window_cancel_final);
BEGIN;
DECLARE window_cursor CURSOR FOR
SELECT window_cancel(1), logscore_robust_zscore(x) FROM generate_series(1, 100) x;
FETCH 1 FROM window_cursor;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- the control: with count in its place nothing looks at the pending cancel
-- before the row is returned, so the error above is the sort's
BEGIN;
DECLARE window_cursor CURSOR FOR
SELECT window_cancel(1), count(x) FROM generate_series(1, 100) x;
FETCH 1 FROM window_cursor;
ROLLBACK;
DROP AGGREGATE window_cancel(int);
DROP FUNCTION window_cancel_final(int);
-- and a statement_timeout stops it over a few million rows: the error is
-- the timeout's, wherever in the aggregate it comes
SET statement_timeout = '100ms';
SELECT logscore_robust_zscore(x) FROM (SELECT generate_series(1, 3000000)::float8 AS x) s;
\echo :LAST_ERROR_SQLSTATE
RESET statement_timeout;

-- min_spread: a floor of one's own, the last row's; finite and >= 0, and
-- not NULL (it is per row: a NULL would leave the floor undecided)
SELECT i, x, round(logscore_robust_zscore(x, m) OVER w::numeric, 6) AS robust_z
FROM (VALUES (1, 1.0, 0), (2, 2, 0), (3, 3, 0), (4, 4, 0), (5, 5, 0), (6, 6, 0),
             (7, 10, 0), (8, 10, 10), (9, 10, 1e300)) AS t(i, x, m)
WINDOW w AS (ORDER BY i ROWS BETWEEN 5 PRECEDING AND CURRENT ROW)
ORDER BY i;
SELECT round(logscore_robust_zscore(x, 5 ORDER BY x)::numeric, 6) AS plain
FROM generate_series(1, 10) x;
SELECT logscore_robust_zscore(x, -0.5) FROM generate_series(1, 10) x;
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_robust_zscore(x, 'NaN') OVER (ORDER BY x ROWS 3 PRECEDING) FROM generate_series(1, 10) x;
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_robust_zscore(x, CASE WHEN x = 7 THEN NULL ELSE 1 END) OVER (ORDER BY x ROWS 3 PRECEDING)
FROM generate_series(1, 10) x;
\echo :LAST_ERROR_SQLSTATE

-- a spiky gauge: flat at 12.5 with a 0.001 jitter on a third of the rows
-- and a burst of +2 every 25 rows.  The others' IQR is 0.001 (the jitter),
-- so without a floor a burst scores thousands and a real spike of +30 tens
-- of thousands; with the default floor, a thousandth of the others' median
-- (0.0125), ordinary rows stay near 0, bursts score about 160 and the real
-- spike about 2560.  (From the 101st row on: before, the frame has seen no
-- burst.)
CREATE TABLE window_gauge AS
SELECT i, 12.5 + CASE WHEN i % 3 = 0 THEN 0.001 ELSE 0 END
            + CASE WHEN i % 25 = 0 THEN 2 ELSE 0 END
            + CASE WHEN i = 900 THEN 30 ELSE 0 END AS v,
       CASE WHEN i = 900 THEN 'real spike' WHEN i % 25 = 0 THEN 'burst' ELSE 'ordinary' END AS kind
FROM generate_series(1, 1000) i;
SELECT kind, count(*) AS rows, round(max(abs(z))::numeric, 1) AS max_abs_z,
       round(max(abs(z0))::numeric) AS max_abs_z_no_floor
FROM (SELECT i, kind, logscore_robust_zscore(v) OVER w AS z, logscore_robust_zscore(v, 0) OVER w AS z0
      FROM window_gauge WINDOW w AS (ORDER BY i ROWS BETWEEN 100 PRECEDING AND CURRENT ROW)) s
WHERE i > 100 GROUP BY kind ORDER BY max_abs_z;
DROP TABLE window_gauge;

-- the aggregates and their support functions
SELECT a.aggfnoid::regprocedure AS aggregate, a.aggtransfn::regprocedure, a.aggfinalfn,
       a.aggmtransfn::regprocedure, a.aggminvtransfn::regprocedure, a.aggmfinalfn,
       a.aggfinalmodify, a.aggmfinalmodify,
       a.aggtranstype::regtype, a.aggmtranstype::regtype, p.proparallel
FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
WHERE p.proname LIKE 'logscore%zscore'
ORDER BY 1::text COLLATE "C";

DROP FUNCTION window_check(int, int, int);
DROP TABLE window_events, window_numbered, window_large;
