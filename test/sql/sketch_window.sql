-- logscore_sketch over sliding window frames: the moving-aggregate form,
-- whose inverse transition takes out the row leaving, gives for every frame
-- the sketch a build from the frame's rows gives: the same buckets, count,
-- zero count, minimum and maximum (logscore_same_distribution), and the
-- same sum, mean and standard deviation to rounding (1e-9 of the frame's
-- sum of magnitudes, of its largest magnitude, and of its standard
-- deviation); the inverse asks for a rebuild where it cannot keep that
\set SHOW_CONTEXT never

-- three series of 2,500 rows with ties (one decimal), zeros, negatives,
-- NULLs, bursts of large values that come and leave, and, in series 3,
-- magnitudes from 1e-200 to 1e200, which collapse the sketch's buckets and
-- overflow its m2 (the standard deviation is then Infinity in both)
SELECT setseed(0.77);
CREATE TABLE sw_events AS
SELECT p, rn,
       CASE WHEN u < 0.05 THEN NULL
            WHEN u < 0.15 THEN 0
            WHEN u < 0.30 THEN -round((random() * 20)::numeric, 1)::float8
            WHEN rn % 400 BETWEEN 100 AND 110 THEN round((random() * 1e9)::numeric)::float8
            WHEN p = 3 AND u < 0.45 THEN (CASE WHEN random() < 0.5 THEN -1 ELSE 1 END) * 10 ^ (400 * random() - 200)
            ELSE round((random() * 100)::numeric, 1)::float8 END AS v
FROM (SELECT p, rn, random() AS u FROM generate_series(1, 3) p, generate_series(1, 2500) rn) s;
CREATE INDEX ON sw_events (p, rn);
ANALYZE sw_events;
SELECT p, count(*) AS rows, count(v) AS values, count(*) FILTER (WHERE v = 0) AS zeros,
       count(*) FILTER (WHERE v < 0) AS negatives, count(DISTINCT v) < count(v) AS ties
FROM sw_events GROUP BY p ORDER BY p;

-- sw_check(lo, hi, accuracy): every frame ROWS BETWEEN lo AND hi of the
-- window (offsets from the current row) against the sketch of the same rows
-- built from scratch: the frames compared, those with a sketch, those whose
-- sketches are not the same distribution, and those whose sum, mean or
-- standard deviation is off by more than the tolerance
CREATE FUNCTION sw_check(lo int, hi int, accuracy float8 DEFAULT NULL)
RETURNS TABLE (frame text, frames bigint, sketches bigint, not_same bigint,
               sum_off bigint, mean_off bigint, stddev_off bigint, stddev_overflows bigint)
LANGUAGE plpgsql AS $f$
DECLARE
  spec text := format('ROWS BETWEEN %s AND %s',
                      CASE WHEN lo < 0 THEN -lo || ' PRECEDING' ELSE 'CURRENT ROW' END,
                      CASE WHEN hi > 0 THEN hi || ' FOLLOWING' ELSE 'CURRENT ROW' END);
BEGIN
  RETURN QUERY EXECUTE format($q$
    WITH sliding AS (
      SELECT p, rn, CASE WHEN $3 IS NULL THEN logscore_sketch(v) OVER w
                         ELSE logscore_sketch(v, $3) OVER w END AS s
      FROM sw_events WINDOW w AS (PARTITION BY p ORDER BY rn %s)
    ),
    scratch AS (
      SELECT a.p, a.rn, b.s, b.abs_sum, b.max_abs
      FROM sw_events a CROSS JOIN LATERAL (
        SELECT CASE WHEN $3 IS NULL THEN logscore_sketch(o.v) ELSE logscore_sketch(o.v, $3) END AS s,
               sum(abs(o.v)) AS abs_sum, max(abs(o.v)) AS max_abs
        FROM sw_events o WHERE o.p = a.p AND o.rn BETWEEN a.rn + $1 AND a.rn + $2) b
    )
    SELECT %L, count(*), count(l.s),
           count(*) FILTER (WHERE (l.s IS NULL) <> (r.s IS NULL)
                               OR NOT logscore_same_distribution(l.s, r.s)),
           count(*) FILTER (WHERE abs(logscore_sum(l.s) - logscore_sum(r.s)) > 1e-9 * r.abs_sum),
           count(*) FILTER (WHERE abs(logscore_mean(l.s) - logscore_mean(r.s)) > 1e-9 * r.max_abs),
           count(*) FILTER (WHERE NOT (logscore_stddev(l.s) = logscore_stddev(r.s)
                                       OR abs(logscore_stddev(l.s) - logscore_stddev(r.s))
                                          <= 1e-9 * logscore_stddev(r.s))),
           count(*) FILTER (WHERE logscore_stddev(r.s) = 'Infinity')
    FROM sliding l JOIN scratch r USING (p, rn)
  $q$, spec, spec || coalesce(', accuracy ' || accuracy, '')) USING lo, hi, accuracy;
END;
$f$;

SELECT * FROM sw_check(-9, 0);
SELECT * FROM sw_check(-99, 0);
SELECT * FROM sw_check(-999, 0);
SELECT * FROM sw_check(-49, 0, 0.05);
-- frames whose end moves ahead of the current row, cut short at the end
SELECT * FROM sw_check(-20, 7);
-- one row: each added and removed at once
SELECT * FROM sw_check(0, 0);

-- the ranks over a trailing window, as a detector uses them: the same with
-- and without the inverse transition (an aggregate as 0.6.0 defined it)
CREATE AGGREGATE sw_no_inverse(value float8) (
  SFUNC = logscore_sketch_add, STYPE = logscore_sketch, COMBINEFUNC = logscore_sketch_combine);
SELECT count(*) AS rows, count(a) AS ranked, count(*) FILTER (WHERE a IS DISTINCT FROM b) AS differing
FROM (SELECT logscore_rank(logscore_sketch(v) OVER w, v) AS a, logscore_rank(sw_no_inverse(v) OVER w, v) AS b
      FROM sw_events WINDOW w AS (PARTITION BY p ORDER BY rn ROWS BETWEEN 199 PRECEDING AND CURRENT ROW)) s;
-- and over a RANGE frame, whose head moves by several rows at once
SELECT count(*) AS rows, count(*) FILTER (WHERE NOT logscore_same_distribution(a, b)) AS differing
FROM (SELECT logscore_sketch(v) OVER w AS a, sw_no_inverse(v) OVER w AS b
      FROM sw_events WHERE rn % 3 <> 0
      WINDOW w AS (PARTITION BY p ORDER BY rn RANGE BETWEEN 60 PRECEDING AND CURRENT ROW)) s;
DROP AGGREGATE sw_no_inverse(float8);

-- a frame of NULLs only is NULL, as the plain form gives; an empty frame too
SELECT i, logscore_count(logscore_sketch(v) OVER w) AS values
FROM (VALUES (1, 1.0::float8), (2, NULL), (3, NULL), (4, 5)) t(i, v)
WINDOW w AS (ORDER BY i ROWS BETWEEN 1 PRECEDING AND 1 PRECEDING);

-- the same errors as the plain form
SELECT logscore_sketch(v) OVER (ORDER BY i ROWS 2 PRECEDING)
FROM (VALUES (1, 1.0::float8), (2, 'NaN')) t(i, v);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_sketch(v, a) OVER (ORDER BY i ROWS 2 PRECEDING)
FROM (VALUES (1, 1.0::float8, 0.01::float8), (2, 2, 0.02)) t(i, v, a);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_sketch(v, a) OVER (ORDER BY i ROWS 2 PRECEDING)
FROM (VALUES (1, 1.0::float8, 0.7::float8)) t(i, v, a);
\echo :LAST_ERROR_SQLSTATE
-- the moving functions are an aggregate's, not to be called alone
SELECT logscore_sketch_moving_final(NULL);

-- both aggregates, their moving-aggregate functions and labels
SELECT a.aggfnoid::regprocedure AS aggregate, a.aggmtransfn::regprocedure, a.aggminvtransfn::regprocedure,
       a.aggmfinalfn, a.aggmtranstype::regtype, a.aggmfinalmodify, p.proparallel
FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
WHERE p.proname = 'logscore_sketch' ORDER BY 1::text COLLATE "C";

DROP FUNCTION sw_check(int, int, float8);
DROP TABLE sw_events;
