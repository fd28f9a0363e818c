-- = and hashing on logscore_sketch and logscore_ewm (their canonical bytes),
-- and the two-argument logscore_merge for rollups that merge as rows arrive
\set SHOW_CONTEXT never
CREATE TABLE eq_values AS
  SELECT g, g % 4 AS part, sqrt(g) * 3.1 - 20 AS x,
         timestamptz '2026-01-01' + g * interval '1 second' AS ts
  FROM generate_series(1, 4000) g;
CREATE TABLE eq_sketches AS
  SELECT part, logscore_sketch(x) AS s, logscore_ewm(x, ts, '10 minutes') AS e
  FROM eq_values GROUP BY part;

-- a value equals itself, from storage and as an aggregate makes it anew;
-- another value is not equal; NULL gives NULL
SELECT count(*) FILTER (WHERE a.s = b.s) AS sketches_equal,
       count(*) FILTER (WHERE a.e = b.e) AS ewms_equal,
       count(*) AS pairs
FROM eq_sketches a CROSS JOIN eq_sketches b;
SELECT (SELECT logscore_sketch(x) FROM eq_values WHERE part = 1) = s AS sketch_anew,
       (SELECT logscore_ewm(x, ts, '10 minutes') FROM eq_values WHERE part = 1) = e AS ewm_anew
FROM eq_sketches WHERE part = 1;
SELECT s = NULL::logscore_sketch AS sketch_null, e = NULL::logscore_ewm AS ewm_null
FROM eq_sketches WHERE part = 1;
-- a sum that differs in its last bits makes another sketch, with the same
-- distribution
SELECT s = t AS equal, logscore_same_distribution(s, t) AS same_distribution
FROM (SELECT s, regexp_replace(s::text, '"sum":[^,]*',
                               '"sum":' || (logscore_sum(s) * (1 + 1e-12))::text)::logscore_sketch AS t
      FROM eq_sketches WHERE part = 1) q;

-- DISTINCT, UNION, GROUP BY and a hash join, on both types (by hashing:
-- the types have no order, so count(DISTINCT ...) and sorts refuse them)
WITH twice AS (SELECT s, e FROM eq_sketches UNION ALL SELECT s, e FROM eq_sketches)
SELECT (SELECT count(*) FROM (SELECT DISTINCT s FROM twice) d) AS distinct_sketches,
       (SELECT count(*) FROM (SELECT DISTINCT e FROM twice) d) AS distinct_ewms;
SELECT count(*) AS union_rows FROM (SELECT s, e FROM eq_sketches UNION SELECT s, e FROM eq_sketches) u;
SELECT count(*) AS groups, sum(n) AS rows
FROM (SELECT s, e, count(*) AS n
      FROM (SELECT s, e FROM eq_sketches UNION ALL SELECT s, e FROM eq_sketches) twice
      GROUP BY s, e) g;
SET enable_mergejoin = off;
SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM eq_sketches a JOIN eq_sketches b ON a.s = b.s;
SELECT count(*) AS joined FROM eq_sketches a JOIN eq_sketches b ON a.s = b.s AND a.e = b.e;
RESET enable_mergejoin;
RESET enable_nestloop;
-- the extended hash (hash partitioning) agrees with equality
SELECT count(DISTINCT logscore_sketch_hash_extended(s, 7)) AS sketch_hashes,
       count(DISTINCT logscore_ewm_hash_extended(e, 7)) AS ewm_hashes
FROM (SELECT s, e FROM eq_sketches UNION ALL SELECT s, e FROM eq_sketches) twice;

-- logscore_merge(a, b): the same as aggregating both parts' rows at once
-- (to the last bits of the float sums), for either type; NULL is nothing to
-- add; the arguments are left as they were
SELECT logscore_same_distribution(logscore_merge(a.s, b.s),
                                  (SELECT logscore_sketch(x) FROM eq_values WHERE part IN (0, 1)))
         AS sketch_pair,
       abs(logscore_ewm_mean(logscore_merge(a.e, b.e)) -
           (SELECT logscore_ewm_mean(logscore_ewm(x, ts, '10 minutes')) FROM eq_values WHERE part IN (0, 1)))
         < 1e-9 AS ewm_pair,
       logscore_merge(a.s, NULL) = a.s AND logscore_merge(NULL, a.s) = a.s AS sketch_null_side,
       logscore_merge(a.e, NULL) = a.e AND logscore_merge(NULL, a.e) = a.e AS ewm_null_side,
       logscore_merge(NULL::logscore_sketch, NULL::logscore_sketch) IS NULL AS both_null,
       NOT logscore_merge(logscore_merge(a.s, b.s), a.s) = logscore_merge(a.s, b.s) AS nested
FROM eq_sketches a, eq_sketches b WHERE a.part = 0 AND b.part = 1;
SELECT count(*) AS unchanged FROM eq_sketches e
WHERE e.s = (SELECT logscore_sketch(x) FROM eq_values v WHERE v.part = e.part);
SELECT logscore_merge(logscore_sketch(1.0::float8), logscore_sketch(1.0::float8, 0.05));
\echo :LAST_ERROR_SQLSTATE

-- the real-time rollup pattern: each batch merged into its bucket's row on
-- conflict gives the sketch of all the bucket's rows
CREATE TABLE eq_rollup (part int PRIMARY KEY, s logscore_sketch, e logscore_ewm);
INSERT INTO eq_rollup AS r
  SELECT part, logscore_sketch(x), logscore_ewm(x, ts, '10 minutes') FROM eq_values WHERE g <= 1500 GROUP BY part
ON CONFLICT (part) DO UPDATE SET s = logscore_merge(r.s, EXCLUDED.s), e = logscore_merge(r.e, EXCLUDED.e);
INSERT INTO eq_rollup AS r
  SELECT part, logscore_sketch(x), logscore_ewm(x, ts, '10 minutes') FROM eq_values WHERE g > 1500 GROUP BY part
ON CONFLICT (part) DO UPDATE SET s = logscore_merge(r.s, EXCLUDED.s), e = logscore_merge(r.e, EXCLUDED.e);
SELECT count(*) AS parts,
       count(*) FILTER (WHERE logscore_same_distribution(r.s, k.s)) AS same_sketches,
       count(*) FILTER (WHERE logscore_ewm_count(r.e) = logscore_ewm_count(k.e)
                        AND abs(logscore_ewm_mean(r.e) - logscore_ewm_mean(k.e)) < 1e-9) AS same_ewms
FROM eq_rollup r JOIN eq_sketches k USING (part);

DROP TABLE eq_values, eq_sketches, eq_rollup;
