-- randomized differential test: logscore against an independent reference
-- written in SQL numeric arithmetic, which cannot overflow.  Random values
-- (extremes and negatives included) through random pipelines; scalar and
-- batch paths, NULL and saturate overflow modes.  Expect 0 mismatches.
--
-- diff_scale sizes it: 1 here (10,013 values), 10 in the slow suite's
-- differential_full (100,004 values), which sets it and includes this file.
\set SHOW_CONTEXT never
\if :{?diff_scale}
\else
\set diff_scale 1
\endif
SELECT setseed(0.4242);

-- the reference: one pipeline given as parallel arrays of stage names and
-- arguments; returns {score or NULL on overflow, saturated score}
CREATE FUNCTION ref_score(x numeric, names text[], a numeric[], b numeric[])
RETURNS numeric[] LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  lo CONSTANT numeric := -9223372036854775808;
  hi CONSTANT numeric := 9223372036854775807;
  v numeric := x;        -- exact, until the first overflow
  s numeric := x;        -- saturating
  k numeric;
  overflowed boolean := false;
BEGIN
  FOR i IN 1 .. array_length(names, 1) LOOP
    FOR pass IN 1 .. 2 LOOP
      k := CASE pass WHEN 1 THEN v ELSE s END;
      k := CASE names[i]
        WHEN 'scale' THEN k * a[i]
        WHEN 'shift' THEN k + a[i]
        WHEN 'abs' THEN abs(k)
        WHEN 'clamp' THEN least(greatest(k, a[i]), b[i])
        WHEN 'bucket' THEN div(k, a[i]) - CASE WHEN mod(k, a[i]) <> 0 AND k < 0 THEN 1 ELSE 0 END
        WHEN 'log2' THEN CASE WHEN k < 1 THEN -1
                              ELSE length(ltrim(k::bigint::bit(64)::text, '0')) - 1 END
        WHEN 'modsquare' THEN CASE WHEN mod(k, a[i]) = 0 THEN k * k ELSE k + b[i] END
        WHEN 'square' THEN k * k
        WHEN 'threshold' THEN CASE WHEN k >= a[i] THEN 1 ELSE 0 END
      END;
      IF pass = 1 THEN
        IF k < lo OR k > hi THEN overflowed := true; END IF;
        v := k;
      ELSE
        s := least(greatest(k, lo), hi);
      END IF;
    END LOOP;
  END LOOP;
  RETURN ARRAY[CASE WHEN overflowed THEN NULL ELSE v END, s];
END $$;

-- random values: small, full-range, near powers of two, multiples of 7, extremes
CREATE TABLE diff_values AS
SELECT row_number() OVER () AS id, x::bigint AS x FROM (
  SELECT floor(random()::numeric * 2001 - 1000) AS x FROM generate_series(1, 3000 * :diff_scale)
  UNION ALL
  SELECT trunc((random()::numeric * 2 - 1) * 9223372036854775807::numeric) FROM generate_series(1, 3000 * :diff_scale)
  UNION ALL
  SELECT (CASE WHEN random()::numeric < 0.5 THEN -1 ELSE 1 END) * (2::numeric ^ floor(random()::numeric * 63)) + floor(random()::numeric * 3) - 1
  FROM generate_series(1, 2000 * :diff_scale)
  UNION ALL
  SELECT 7 * floor((random()::numeric * 2 - 1) * 1317624576693539000) FROM generate_series(1, 1999 * :diff_scale)
  UNION ALL
  SELECT unnest(ARRAY[-9223372036854775808, -9223372036854775807, -4611686018427387904,
                      -3037000500, -3037000499, -1, 0, 1, 3037000499, 3037000500,
                      4611686018427387903, 4611686018427387904, 9223372036854775806,
                      9223372036854775807]::numeric[])
) v;
SELECT count(*) AS values, min(x), max(x), count(*) FILTER (WHERE x < 0) > 4000 * :diff_scale AS many_negatives
FROM diff_values;

-- random pipelines of one to four stages, with small and huge arguments
CREATE FUNCTION random_arg(small boolean) RETURNS numeric LANGUAGE sql VOLATILE AS $$
  SELECT CASE WHEN small OR random()::numeric < 0.6 THEN floor(random()::numeric * 21 - 10)
              ELSE trunc((random()::numeric * 2 - 1) * 9223372036854775807::numeric) END
$$;
CREATE TABLE diff_pipelines AS
WITH RECURSIVE p AS (SELECT 1 AS id UNION ALL SELECT id + 1 FROM p WHERE id < 12),
steps AS (
  SELECT p.id, s.n,
         (ARRAY['scale','shift','abs','clamp','bucket','log2','modsquare','square','threshold'])
           [1 + floor(random()::numeric * 9)::int] AS name,
         random_arg(false) AS r1, random_arg(false) AS r2, random_arg(true) AS r3
  FROM p, LATERAL generate_series(1, 1 + floor(random()::numeric * 4)::int + p.id * 0) s(n)
),
args AS (
  SELECT id, n, name,
         CASE name WHEN 'scale' THEN r3 WHEN 'clamp' THEN least(r1, r2)
                   WHEN 'bucket' THEN greatest(abs(r1), 1) WHEN 'modsquare' THEN greatest(abs(r3), 1)
                   ELSE r1 END AS a,
         CASE name WHEN 'clamp' THEN greatest(r1, r2) WHEN 'modsquare' THEN r1 END AS b
  FROM steps
)
SELECT id,
       string_agg(name || CASE WHEN name IN ('abs', 'log2', 'square') THEN ''
                               WHEN b IS NULL THEN '(' || a || ')'
                               ELSE '(' || a || ', ' || b || ')' END, ' | ' ORDER BY n) AS pipeline,
       array_agg(name ORDER BY n) AS names, array_agg(a ORDER BY n) AS a, array_agg(b ORDER BY n) AS b
FROM args GROUP BY id;

-- reference results, once per pipeline and value
CREATE TABLE diff_expected AS
SELECT p.id AS pid, v.id AS vid, v.x, ref_score(v.x, p.names, p.a, p.b) AS r
FROM diff_pipelines p, diff_values v;

-- logscore's scalar path (through the setting) and batch path, in both modes
CREATE FUNCTION compare_pipeline(pid int, pipeline text, mode text,
                                 OUT scalar_mismatches bigint, OUT batch_mismatches bigint,
                                 OUT overflows bigint)
LANGUAGE plpgsql AS $$
DECLARE
  slot int := CASE mode WHEN 'null' THEN 1 ELSE 2 END;
BEGIN
  PERFORM set_config('logscore.pipeline', pipeline, true);
  PERFORM set_config('logscore.on_overflow', mode, true);
  SELECT count(*) FILTER (WHERE logscore(e.x) IS DISTINCT FROM e.r[slot]::bigint),
         count(*) FILTER (WHERE e.r[1] IS NULL)
    INTO scalar_mismatches, overflows
    FROM diff_expected e WHERE e.pid = compare_pipeline.pid;
  SELECT count(*) INTO batch_mismatches
    FROM (SELECT array_agg(e.x ORDER BY e.vid) AS xs, array_agg(e.r[slot] ORDER BY e.vid) AS rs
          FROM diff_expected e WHERE e.pid = compare_pipeline.pid) s,
         unnest(logscore_array(s.xs), s.rs) AS u(score, ref)
    WHERE u.score IS DISTINCT FROM u.ref::bigint;
END $$;

SELECT p.id, p.pipeline, m.mode, c.scalar_mismatches, c.batch_mismatches, c.overflows
FROM diff_pipelines p, (VALUES ('null'), ('saturate')) m(mode),
     LATERAL compare_pipeline(p.id, p.pipeline, m.mode) c
ORDER BY p.id, m.mode;

-- in error mode, a value the reference says overflows raises 22003, and
-- the explicit form agrees with the reference everywhere else
CREATE FUNCTION error_mode_agrees(pid int, n int) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  e record;
  p text := (SELECT pipeline FROM diff_pipelines WHERE id = pid);
  bad bigint := 0;
  got bigint;
BEGIN
  FOR e IN SELECT x, r FROM diff_expected WHERE diff_expected.pid = error_mode_agrees.pid
           ORDER BY vid LIMIT n LOOP
    BEGIN
      got := logscore(e.x, p);
      IF e.r[1] IS NULL OR got <> e.r[1] THEN bad := bad + 1; END IF;
    EXCEPTION WHEN numeric_value_out_of_range THEN
      IF e.r[1] IS NOT NULL THEN bad := bad + 1; END IF;
    END;
  END LOOP;
  RETURN bad;
END $$;
SELECT sum(error_mode_agrees(id, 300 * :diff_scale)) AS error_mode_mismatches FROM diff_pipelines;

-- the test is worth something only if the pipelines overflowed sometimes and
-- not always, and covered every stage
SELECT count(*) FILTER (WHERE r[1] IS NULL) > 0 AS some_overflow,
       count(*) FILTER (WHERE r[1] IS NOT NULL) > 0 AS some_fine
FROM diff_expected;
SELECT s.name, count(p.id) > 0 AS covered
FROM logscore_stages() s LEFT JOIN diff_pipelines p ON s.name = ANY (p.names)
GROUP BY s.name ORDER BY s.name;

DROP TABLE diff_values, diff_pipelines, diff_expected;
DROP FUNCTION ref_score, random_arg, compare_pipeline, error_mode_agrees;
