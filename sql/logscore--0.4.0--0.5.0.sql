/* sql/logscore--0.4.0--0.5.0.sql: explicit overflow forms, for Citus (see setting_forms.c) */

\echo Use "ALTER EXTENSION logscore UPDATE TO '0.5.0'" to load this file. \quit

-- explicit forms with the overflow policy as an argument: what the
-- setting-dependent calls become where settings do not travel (Citus)

CREATE FUNCTION logscore(value bigint, pipeline text, on_overflow text)
RETURNS bigint
AS 'MODULE_PATHNAME', 'logscore_explicit_overflow'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION logscore(bigint, text, text) IS
'Scores one event with the given pipeline and overflow policy (error, null or saturate); IMMUTABLE';

CREATE FUNCTION logscore_array(vals bigint[], pipeline text, on_overflow text)
RETURNS bigint[]
AS 'MODULE_PATHNAME', 'logscore_array_explicit'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION logscore_array(bigint[], text, text) IS
'Scores every element of an array with the given pipeline and overflow policy; IMMUTABLE';

CREATE FUNCTION logscore_batch(vals bigint[], pipeline text, on_overflow text,
                               OUT ord integer, OUT value bigint, OUT score bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'logscore_batch_explicit'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1000;

COMMENT ON FUNCTION logscore_batch(bigint[], text, text) IS
'Scores every element of an array as rows (ord, value, score) with the given pipeline and overflow policy; IMMUTABLE';

-- what a rollup run compares before it rewrites a stored sketch: the
-- distribution, not the float sums that another summation order changes

CREATE FUNCTION logscore_same_distribution(a logscore_sketch, b logscore_sketch) RETURNS boolean
AS 'MODULE_PATHNAME', 'logscore_same_distribution' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION logscore_same_distribution(logscore_sketch, logscore_sketch) IS
'True when two sketches have the same accuracy, count, minimum, maximum and buckets, so every quantile and rank agrees; sums may differ in their last bits';

-- logscore_rollup_create(..., distributed => true): the rollup's table
-- co-located with a Citus source, so that a run is pushed down to the shards
DROP FUNCTION logscore_rollup_create(text, regclass, text, text, interval, text[], interval, text);

CREATE FUNCTION logscore_rollup_colocate(target regclass, source regclass)
RETURNS regclass
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  distribution_column text;
BEGIN
  IF pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
    RAISE EXCEPTION 'a distributed rollup needs Citus'
      USING ERRCODE = 'feature_not_supported',
            HINT = 'Create the rollup without distributed => true, or CREATE EXTENSION citus first.';
  END IF;
  EXECUTE 'SELECT pg_catalog.column_to_column_name(p.logicalrelid, p.partkey)
           FROM pg_catalog.pg_dist_partition p
           WHERE p.logicalrelid OPERATOR(pg_catalog.=) $1 AND p.partmethod OPERATOR(pg_catalog.=) ''h'''
    INTO distribution_column USING source;
  IF distribution_column IS NULL THEN
    RAISE EXCEPTION 'the source "%" of a distributed rollup is not a distributed table', source
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Distribute it first with create_distributed_table(), or create the rollup without distributed => true.';
  END IF;
  PERFORM FROM pg_catalog.pg_attribute a
  WHERE a.attrelid = target AND a.attname = distribution_column AND a.attnum > 0 AND NOT a.attisdropped;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'a distributed rollup must group by its source''s distribution column "%"', distribution_column
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = 'Its table is distributed by that column, co-located with the source, so that a run is one INSERT ... SELECT per pair of shards on the workers.',
            HINT = pg_catalog.format('Add %L to group_by.', distribution_column);
  END IF;
  EXECUTE 'SELECT pg_catalog.create_distributed_table($1, $2, colocate_with => $3)'
    USING target, distribution_column, source::pg_catalog.text;
  RETURN target;
END;
$$;

COMMENT ON FUNCTION logscore_rollup_colocate(regclass, regclass) IS
'logscore_rollup_create''s step for distributed => true: distributes a rollup''s table by its source''s distribution column, co-located with it (Citus); PARALLEL UNSAFE: it writes';

CREATE FUNCTION logscore_rollup_create(name text, source regclass, time_column text,
  value_expr text, bucket interval, group_by text[] DEFAULT '{}',
  lateness interval DEFAULT '10 minutes', on_error text DEFAULT 'skip',
  distributed boolean DEFAULT false)
RETURNS regclass
LANGUAGE sql VOLATILE PARALLEL UNSAFE
BEGIN ATOMIC
  SELECT CASE WHEN distributed THEN @extschema@.logscore_rollup_colocate(r.target, source)
              ELSE r.target END
  FROM (SELECT @extschema@.logscore_rollup_create_internal(name, source, time_column, value_expr,
          bucket, group_by, lateness, on_error, pg_catalog.current_setting('search_path')) AS target) r;
END;

COMMENT ON FUNCTION logscore_rollup_create(text, regclass, text, text, interval, text[], interval, text, boolean) IS
'Registers a rollup of source per bucket of time_column and group_by columns, owned by the caller, and creates its table and input view; with distributed, its table is co-located with a Citus source; PARALLEL UNSAFE: it writes';

-- two-argument merges, for rollups that merge as rows arrive:
--   INSERT ... ON CONFLICT (...) DO UPDATE SET sketch = logscore_merge(t.sketch, EXCLUDED.sketch)
-- NULL merges as nothing; the aggregates' combine functions, called alone

CREATE FUNCTION logscore_merge(a logscore_sketch, b logscore_sketch) RETURNS logscore_sketch
AS 'MODULE_PATHNAME', 'logscore_sketch_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION logscore_merge(logscore_sketch, logscore_sketch) IS
'Merges two sketches of the same accuracy (a NULL one is nothing to add): the same as sketching both sketches'' values at once';

CREATE FUNCTION logscore_merge(a logscore_ewm, b logscore_ewm) RETURNS logscore_ewm
AS 'MODULE_PATHNAME', 'logscore_ewm_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION logscore_merge(logscore_ewm, logscore_ewm) IS
'Merges two logscore_ewm values of the same half-life (a NULL one is nothing to add)';

-- = and hash operator classes on the canonical bytes (equality.c), so that
-- DISTINCT, UNION, GROUP BY and hash joins work on both types

CREATE FUNCTION logscore_sketch_eq(a logscore_sketch, b logscore_sketch) RETURNS boolean
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_sketch_hash(logscore_sketch) RETURNS integer
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_sketch_hash_extended(logscore_sketch, seed bigint) RETURNS bigint
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR = (
  LEFTARG = logscore_sketch, RIGHTARG = logscore_sketch, FUNCTION = logscore_sketch_eq,
  COMMUTATOR = =, RESTRICT = eqsel, JOIN = eqjoinsel, HASHES
);

CREATE OPERATOR CLASS logscore_sketch_hash_ops DEFAULT FOR TYPE logscore_sketch USING hash AS
  OPERATOR 1 = (logscore_sketch, logscore_sketch),
  FUNCTION 1 logscore_sketch_hash(logscore_sketch),
  FUNCTION 2 logscore_sketch_hash_extended(logscore_sketch, bigint);

COMMENT ON FUNCTION logscore_sketch_eq(logscore_sketch, logscore_sketch) IS
'Whether two sketches are the same to the bit: accuracy, counts, extremes, buckets and sums';
COMMENT ON FUNCTION logscore_sketch_hash(logscore_sketch) IS 'Hash of a sketch''s canonical bytes';
COMMENT ON FUNCTION logscore_sketch_hash_extended(logscore_sketch, bigint) IS
'Seeded 64-bit hash of a sketch''s canonical bytes';
COMMENT ON OPERATOR = (logscore_sketch, logscore_sketch) IS
'Same sketch to the bit (logscore_same_distribution ignores the sums)';
COMMENT ON OPERATOR CLASS logscore_sketch_hash_ops USING hash IS
'Hashing of logscore_sketch values, for DISTINCT, UNION, GROUP BY and hash joins';

CREATE FUNCTION logscore_ewm_eq(a logscore_ewm, b logscore_ewm) RETURNS boolean
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_ewm_hash(logscore_ewm) RETURNS integer
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_ewm_hash_extended(logscore_ewm, seed bigint) RETURNS bigint
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR = (
  LEFTARG = logscore_ewm, RIGHTARG = logscore_ewm, FUNCTION = logscore_ewm_eq,
  COMMUTATOR = =, RESTRICT = eqsel, JOIN = eqjoinsel, HASHES
);

CREATE OPERATOR CLASS logscore_ewm_hash_ops DEFAULT FOR TYPE logscore_ewm USING hash AS
  OPERATOR 1 = (logscore_ewm, logscore_ewm),
  FUNCTION 1 logscore_ewm_hash(logscore_ewm),
  FUNCTION 2 logscore_ewm_hash_extended(logscore_ewm, bigint);

COMMENT ON FUNCTION logscore_ewm_eq(logscore_ewm, logscore_ewm) IS
'Whether two logscore_ewm values are the same to the bit';
COMMENT ON FUNCTION logscore_ewm_hash(logscore_ewm) IS 'Hash of a logscore_ewm''s bytes';
COMMENT ON FUNCTION logscore_ewm_hash_extended(logscore_ewm, bigint) IS
'Seeded 64-bit hash of a logscore_ewm''s bytes';
COMMENT ON OPERATOR = (logscore_ewm, logscore_ewm) IS 'Same logscore_ewm to the bit';
COMMENT ON OPERATOR CLASS logscore_ewm_hash_ops USING hash IS
'Hashing of logscore_ewm values, for DISTINCT, UNION, GROUP BY and hash joins';
