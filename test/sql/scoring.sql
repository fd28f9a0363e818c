-- logscore(bigint) and logscore(bigint, text): scalar scoring
\set SHOW_CONTEXT never

-- the founding check: the sum the founding Python code computes
SELECT sum(logscore(x)) FROM generate_series(0, 999999) x;
SELECT sum(logscore(x, 'seed')) FROM generate_series(0, 999999) x;

-- default pipeline, by hand: y = 2x; y % 7 = 0 -> y^2, else y + 5
SELECT x, logscore(x) AS setting, logscore(x, 'scale(2) | modsquare(7, 5)') AS explicit
FROM (VALUES (0), (1), (3), (7), (-7), (-1), (14)) v(x);

-- NULL in, NULL out (STRICT)
SELECT logscore(NULL::bigint) IS NULL AS setting_null,
       logscore(NULL::bigint, 'seed') IS NULL AS explicit_value_null,
       logscore(1, NULL) IS NULL AS explicit_pipeline_null;

-- smallint and integer columns through the implicit casts
SELECT logscore(3::smallint), logscore(3::integer), logscore(3::smallint, 'square');

-- every stage
SELECT logscore(-7, 'scale(-3)') AS scale, logscore(-7, 'shift(10)') AS shift,
       logscore(-7, 'abs') AS abs, logscore(-7, 'clamp(-5, 5)') AS clamp_lo,
       logscore(70, 'clamp(-5, 5)') AS clamp_hi, logscore(-7, 'bucket(5)') AS bucket_neg,
       logscore(7, 'bucket(5)') AS bucket_pos, logscore(-10, 'bucket(5)') AS bucket_exact;
SELECT x, logscore(x, 'log2') AS log2 FROM (VALUES (-5), (0), (1), (2), (3), (1024), (9223372036854775807)) v(x);
SELECT logscore(21, 'modsquare(7, 5)') AS divisible, logscore(22, 'modsquare(7, 5)') AS not_divisible,
       logscore(-21, 'modsquare(7, -5)') AS negative, logscore(5, 'modsquare(1, 0)') AS m_one,
       logscore(-4, 'square') AS square, logscore(9, 'threshold(10)') AS below,
       logscore(10, 'threshold(10)') AS at_threshold;

-- whitespace is free, names are case-insensitive, seed is an alias
SELECT logscore(10, E'  SCALE ( 2 )\t|\nModSquare(7,5)  ') = logscore(10, 'seed') AS same;
SELECT logscore(10, 'seed | bucket(10)'), logscore(10, 'abs() | seed()');

-- bigint extremes
SELECT logscore(9223372036854775807, 'clamp(0, 100)') AS max_clamped,
       logscore(-9223372036854775808, 'bucket(1)') AS min_bucket,
       logscore(-9223372036854775808, 'threshold(-9223372036854775808)') AS min_threshold,
       logscore(9223372036854775807, 'scale(1) | shift(-9223372036854775807)') AS to_zero;

-- a pipeline held in a PL/pgSQL variable: the cached compiled pipeline
-- follows the variable from one evaluation to the next
DO $$
DECLARE
  p text;
  scores bigint[] := '{}';
BEGIN
  FOREACH p IN ARRAY ARRAY['square', 'scale(3)', 'square', 'seed'] LOOP
    scores := scores || logscore(4, p);
  END LOOP;
  RAISE NOTICE 'scores: %', scores;
END $$;
