/* sql/logscore.sql: the current logscore extension; the build copies it to sql/logscore--$(EXTVERSION).sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION logscore" to load this file. \quit

CREATE FUNCTION logscore(value bigint)
RETURNS bigint
AS 'MODULE_PATHNAME', 'logscore_setting'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION logscore(bigint) IS
'Scores one event with the pipeline in the setting logscore.pipeline';

CREATE FUNCTION logscore(value bigint, pipeline text)
RETURNS bigint
AS 'MODULE_PATHNAME', 'logscore_explicit'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION logscore(bigint, text) IS
'Scores one event with the given pipeline; IMMUTABLE, so it fits generated columns and indexes';

CREATE FUNCTION logscore_array(vals bigint[], pipeline text DEFAULT NULL)
RETURNS bigint[]
AS 'MODULE_PATHNAME', 'logscore_array'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION logscore_array(bigint[], text) IS
'Scores every element of an array; NULL pipeline means the setting logscore.pipeline';

CREATE FUNCTION logscore_batch(vals bigint[], pipeline text DEFAULT NULL,
                               OUT ord integer, OUT value bigint, OUT score bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'logscore_batch'
LANGUAGE C STABLE PARALLEL SAFE ROWS 1000;

COMMENT ON FUNCTION logscore_batch(bigint[], text) IS
'Scores every element of an array as rows (ord, value, score); NULL pipeline means the setting';

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

CREATE FUNCTION logscore_stages(OUT name text, OUT kind text,
                                OUT params text, OUT description text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'logscore_stages'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;

COMMENT ON FUNCTION logscore_stages() IS
'Lists the stages a pipeline can use';

CREATE FUNCTION logscore_explain(pipeline text DEFAULT NULL,
                                 OUT step integer, OUT stage text, OUT args bigint[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'logscore_explain'
LANGUAGE C STABLE PARALLEL SAFE ROWS 4;

COMMENT ON FUNCTION logscore_explain(text) IS
'Shows how a pipeline text compiles, step by step; NULL means the setting logscore.pipeline';

-- logscore_sketch: a mergeable quantile sketch with relative accuracy

CREATE TYPE logscore_sketch;

CREATE FUNCTION logscore_sketch_in(input cstring) RETURNS logscore_sketch
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_sketch_out(sketch logscore_sketch) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_sketch_recv(buf internal) RETURNS logscore_sketch
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_sketch_send(sketch logscore_sketch) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE logscore_sketch (
  INPUT = logscore_sketch_in,
  OUTPUT = logscore_sketch_out,
  RECEIVE = logscore_sketch_recv,
  SEND = logscore_sketch_send,
  INTERNALLENGTH = VARIABLE,
  ALIGNMENT = double,
  STORAGE = extended,
  -- logscore_count, logscore_mean, logscore_stddev and logscore_anomaly take
  -- a logscore_ewm too: a NULL or a quoted literal without a cast still means
  -- a sketch, as before those overloads existed
  PREFERRED = true
);

COMMENT ON TYPE logscore_sketch IS
'Mergeable quantile sketch (DDSketch-style) with exact count, sum, min and max';
COMMENT ON FUNCTION logscore_sketch_in(cstring) IS 'Input function of logscore_sketch';
COMMENT ON FUNCTION logscore_sketch_out(logscore_sketch) IS 'Output function of logscore_sketch';
COMMENT ON FUNCTION logscore_sketch_recv(internal) IS 'Binary input function of logscore_sketch';
COMMENT ON FUNCTION logscore_sketch_send(logscore_sketch) IS 'Binary output function of logscore_sketch';

-- transition and combine functions; the state is a logscore_sketch, not
-- internal, so partial aggregates can cross workers and servers as values

CREATE FUNCTION logscore_sketch_add(sketch logscore_sketch, value double precision)
RETURNS logscore_sketch
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION logscore_sketch_add(sketch logscore_sketch, value double precision, accuracy double precision)
RETURNS logscore_sketch
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION logscore_sketch_combine(a logscore_sketch, b logscore_sketch)
RETURNS logscore_sketch
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION logscore_sketch_add(logscore_sketch, double precision) IS
'Transition function of logscore_sketch(value): adds a value to a sketch';
COMMENT ON FUNCTION logscore_sketch_add(logscore_sketch, double precision, double precision) IS
'Transition function of logscore_sketch(value, accuracy)';
COMMENT ON FUNCTION logscore_sketch_combine(logscore_sketch, logscore_sketch) IS
'Merges two sketches of the same accuracy: the combine function, and logscore_merge''s transition';

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

CREATE AGGREGATE logscore_sketch(value double precision) (
  SFUNC = logscore_sketch_add,
  STYPE = logscore_sketch,
  COMBINEFUNC = logscore_sketch_combine,
  MSFUNC = logscore_sketch_moving_add,
  MINVFUNC = logscore_sketch_moving_remove,
  MSTYPE = internal,
  MFINALFUNC = logscore_sketch_moving_final,
  MFINALFUNC_MODIFY = READ_ONLY,
  PARALLEL = SAFE
);

CREATE AGGREGATE logscore_sketch(value double precision, accuracy double precision) (
  SFUNC = logscore_sketch_add,
  STYPE = logscore_sketch,
  COMBINEFUNC = logscore_sketch_combine,
  MSFUNC = logscore_sketch_moving_add,
  MINVFUNC = logscore_sketch_moving_remove,
  MSTYPE = internal,
  MFINALFUNC = logscore_sketch_moving_final,
  MFINALFUNC_MODIFY = READ_ONLY,
  PARALLEL = SAFE
);

CREATE AGGREGATE logscore_merge(sketch logscore_sketch) (
  SFUNC = logscore_sketch_combine,
  STYPE = logscore_sketch,
  COMBINEFUNC = logscore_sketch_combine,
  PARALLEL = SAFE
);

COMMENT ON AGGREGATE logscore_sketch(double precision) IS
'Sketches the distribution of values with relative accuracy 0.01';
COMMENT ON AGGREGATE logscore_sketch(double precision, double precision) IS
'Sketches the distribution of values with the given relative accuracy (0.0001 to 0.5)';
COMMENT ON AGGREGATE logscore_merge(logscore_sketch) IS
'Merges sketches, for rollups: minutes into hours into days';

-- accessors

CREATE FUNCTION logscore_quantile(sketch logscore_sketch, fraction double precision) RETURNS double precision
AS 'MODULE_PATHNAME', 'logscore_sketch_quantile' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_quantiles(sketch logscore_sketch, fractions double precision[]) RETURNS double precision[]
AS 'MODULE_PATHNAME', 'logscore_sketch_quantiles' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_rank(sketch logscore_sketch, value double precision) RETURNS double precision
AS 'MODULE_PATHNAME', 'logscore_sketch_rank' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_count(sketch logscore_sketch) RETURNS bigint
AS 'MODULE_PATHNAME', 'logscore_sketch_count' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_sum(sketch logscore_sketch) RETURNS double precision
AS 'MODULE_PATHNAME', 'logscore_sketch_sum' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_mean(sketch logscore_sketch) RETURNS double precision
AS 'MODULE_PATHNAME', 'logscore_sketch_mean' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_stddev(sketch logscore_sketch) RETURNS double precision
AS 'MODULE_PATHNAME', 'logscore_sketch_stddev' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_min(sketch logscore_sketch) RETURNS double precision
AS 'MODULE_PATHNAME', 'logscore_sketch_min' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_max(sketch logscore_sketch) RETURNS double precision
AS 'MODULE_PATHNAME', 'logscore_sketch_max' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_summary(sketch logscore_sketch,
  OUT count bigint, OUT mean double precision, OUT stddev double precision,
  OUT min double precision, OUT p50 double precision, OUT p90 double precision,
  OUT p95 double precision, OUT p99 double precision, OUT max double precision)
AS 'MODULE_PATHNAME', 'logscore_sketch_summary' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION logscore_quantile(logscore_sketch, double precision) IS
'The value at a fraction (0 to 1) of the distribution, as percentile_disc, within the sketch''s accuracy';
COMMENT ON FUNCTION logscore_quantiles(logscore_sketch, double precision[]) IS
'logscore_quantile for each fraction of an array';
COMMENT ON FUNCTION logscore_rank(logscore_sketch, double precision) IS
'The fraction of values at most the given one, to the resolution of one bucket';
COMMENT ON FUNCTION logscore_count(logscore_sketch) IS 'Number of values, exact';
COMMENT ON FUNCTION logscore_sum(logscore_sketch) IS 'Sum of the values';
COMMENT ON FUNCTION logscore_mean(logscore_sketch) IS 'Mean of the values';
COMMENT ON FUNCTION logscore_stddev(logscore_sketch) IS 'Sample standard deviation of the values';
COMMENT ON FUNCTION logscore_min(logscore_sketch) IS 'Smallest value, exact';
COMMENT ON FUNCTION logscore_max(logscore_sketch) IS 'Largest value, exact';
COMMENT ON FUNCTION logscore_summary(logscore_sketch) IS
'count, mean, stddev, min, p50, p90, p95, p99 and max in one row';

CREATE FUNCTION logscore_same_distribution(a logscore_sketch, b logscore_sketch) RETURNS boolean
AS 'MODULE_PATHNAME', 'logscore_same_distribution' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION logscore_same_distribution(logscore_sketch, logscore_sketch) IS
'True when two sketches have the same accuracy, count, minimum, maximum and buckets, so every quantile and rank agrees; sums may differ in their last bits';

-- incremental rollups: per-bucket sketches of a source table, kept fresh by
-- CALL logscore_rollup_run, e.g. from pg_cron.  Each rollup has an owner, the
-- role that created it, and every run executes its aggregation as that owner
-- in a security-restricted operation, as REFRESH MATERIALIZED VIEW does.
-- value_expr and the group columns are bound when the rollup is created, into
-- a view owned by its owner, so nothing is resolved by name at run time.  The
-- catalog tables are readable row by row (row-level security) and written
-- only by the C functions below, which check the caller's rights first.  The
-- PL/pgSQL runs with search_path = pg_catalog, pg_temp and names every object
-- of its own with @extschema@ (CVE-2018-1058), which is why logscore.control
-- says relocatable = false.  The functions that write are PARALLEL UNSAFE.

CREATE SEQUENCE logscore_rollups_id_seq;

CREATE TABLE logscore_rollups (
  name text PRIMARY KEY,
  target regclass NOT NULL,
  source regclass NOT NULL,
  time_column name NOT NULL,
  value_expr text NOT NULL,
  bucket interval NOT NULL
    CHECK (bucket > interval '0' AND date_part('month', bucket) = 0 AND date_part('year', bucket) = 0),
  group_by text[] NOT NULL DEFAULT '{}',
  lateness interval NOT NULL DEFAULT '10 minutes' CHECK (lateness >= interval '0'),
  watermark timestamptz NULL,
  last_run_at timestamptz NULL,
  last_run_buckets bigint NULL,
  last_run_rows bigint NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  id bigint NOT NULL UNIQUE DEFAULT nextval('@extschema@.logscore_rollups_id_seq'),
  owner regrole NOT NULL,
  input regclass NOT NULL,
  source_columns text[] NOT NULL,
  source_types text[] NOT NULL,
  on_error text NOT NULL DEFAULT 'skip' CHECK (on_error IN ('skip', 'stop')),
  last_run_rejected bigint NULL,
  rows_rejected bigint NOT NULL DEFAULT 0
);

CREATE TABLE logscore_rollup_skips (
  rollup_id bigint PRIMARY KEY,
  runs_skipped bigint NOT NULL,
  last_skipped_at timestamptz NOT NULL
);

CREATE TABLE logscore_rollup_rejects (
  rollup_id bigint NOT NULL,
  rejected_at timestamptz NOT NULL,
  ts timestamptz NULL,
  source_table regclass NULL,
  source_ctid tid NULL,
  row_count bigint NOT NULL,
  sqlstate text NOT NULL,
  message text NOT NULL
);
CREATE INDEX logscore_rollup_rejects_rollup ON logscore_rollup_rejects (rollup_id, rejected_at);

SELECT pg_catalog.pg_extension_config_dump('@extschema@.logscore_rollups', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.logscore_rollups_id_seq', '');

-- a role reads the rows of the rollups whose owner's rights it has; nobody
-- but the catalog's owner writes (superusers bypass row-level security)
ALTER TABLE logscore_rollups ENABLE ROW LEVEL SECURITY;
ALTER TABLE logscore_rollup_skips ENABLE ROW LEVEL SECURITY;
ALTER TABLE logscore_rollup_rejects ENABLE ROW LEVEL SECURITY;
CREATE POLICY logscore_rollups_of_owner ON logscore_rollups FOR SELECT
  USING (pg_catalog.pg_has_role(owner, 'USAGE'));
CREATE POLICY logscore_rollup_skips_of_owner ON logscore_rollup_skips FOR SELECT
  USING (EXISTS (SELECT FROM @extschema@.logscore_rollups r WHERE r.id OPERATOR(pg_catalog.=) rollup_id));
CREATE POLICY logscore_rollup_rejects_of_owner ON logscore_rollup_rejects FOR SELECT
  USING (EXISTS (SELECT FROM @extschema@.logscore_rollups r WHERE r.id OPERATOR(pg_catalog.=) rollup_id));
GRANT SELECT ON logscore_rollups, logscore_rollup_skips, logscore_rollup_rejects TO PUBLIC;

COMMENT ON SEQUENCE logscore_rollups_id_seq IS 'Numbers the rollups: logscore_rollups.id';
COMMENT ON TABLE logscore_rollups IS
'The rollups logscore_rollup_run keeps up to date, one row each; each role sees the rows of its own; pg_dump keeps the rows';
COMMENT ON COLUMN logscore_rollups.name IS
'The rollup''s name: its table''s, schema-qualified (schema.table), the key logscore_rollup_run and logscore_rollup_drop take';
COMMENT ON COLUMN logscore_rollups.target IS
'The table of sketches: (bucket, the group_by columns, sketch), primary key (bucket, group_by columns)';
COMMENT ON COLUMN logscore_rollups.value_expr IS
'The expression over the source''s columns that gives the values, as given; what runs is the input view, bound when the rollup was created';
COMMENT ON COLUMN logscore_rollups.watermark IS
'Transaction start time of the last successful run; NULL: the next run aggregates everything';
COMMENT ON COLUMN logscore_rollups.lateness IS
'How late events may arrive: a run re-aggregates every bucket from date_bin(bucket, watermark - lateness) on; an event older than that which arrives late is not picked up';
COMMENT ON COLUMN logscore_rollups.id IS 'A number of the rollup''s own: the key of its skips and rejects';
COMMENT ON COLUMN logscore_rollups.owner IS
'The role that created the rollup: every run executes as this role, whoever calls it';
COMMENT ON COLUMN logscore_rollups.input IS
'The view, owned by the owner, that binds value_expr and the group columns: the time column, the group columns and logscore_value (and row addresses, for tables)';
COMMENT ON COLUMN logscore_rollups.source_columns IS
'The source columns the input view reads; each run checks they still have the types in source_types';
COMMENT ON COLUMN logscore_rollups.source_types IS
'The types of source_columns when the rollup was created';
COMMENT ON COLUMN logscore_rollups.on_error IS
'skip: rows that cannot be rolled up are set aside in logscore_rollup_rejects and the run goes on; stop: such a row fails the run';
COMMENT ON COLUMN logscore_rollups.last_run_rejected IS 'Rows the last run set aside';
COMMENT ON COLUMN logscore_rollups.rows_rejected IS 'Rows all runs have set aside';
COMMENT ON TABLE logscore_rollup_skips IS
'Runs that found another run of the same rollup in progress and skipped: how many, and the last';
COMMENT ON TABLE logscore_rollup_rejects IS
'Dead letters: the source rows a run could not roll up, by address (table and ctid) and event time, with the error';

CREATE VIEW logscore_rollup_health WITH (security_invoker = true) AS
SELECT r.name, r.owner, r.on_error, r.watermark, r.last_run_at,
       pg_catalog.now() OPERATOR(pg_catalog.-) r.watermark AS lag,
       r.last_run_rows, r.last_run_rejected, r.rows_rejected,
       coalesce(s.runs_skipped, 0) AS runs_skipped, s.last_skipped_at
FROM @extschema@.logscore_rollups r
LEFT JOIN @extschema@.logscore_rollup_skips s ON s.rollup_id OPERATOR(pg_catalog.=) r.id;
GRANT SELECT ON logscore_rollup_health TO PUBLIC;

COMMENT ON VIEW logscore_rollup_health IS
'Each visible rollup''s last run, lag (now - watermark), rows set aside and runs skipped';

CREATE FUNCTION logscore_rollup_register(name text, target regclass, source regclass,
  input regclass, time_column name, value_expr text, bucket interval, group_by text[],
  lateness interval, on_error text, source_columns text[], source_types text[])
RETURNS bigint
AS 'MODULE_PATHNAME', 'logscore_rollup_register'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION logscore_rollup_register(text, regclass, regclass, regclass, name, text, interval, text[], interval, text, text[], text[]) IS
'logscore_rollup_create''s last step: records a rollup whose table and input view the caller owns, with the caller as owner; PARALLEL UNSAFE: it writes';

CREATE FUNCTION logscore_rollup_unregister(name text, OUT target regclass, OUT input regclass)
AS 'MODULE_PATHNAME', 'logscore_rollup_unregister'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION logscore_rollup_unregister(text) IS
'logscore_rollup_drop''s first step: forgets a rollup the caller owns, with its skips and rejects; PARALLEL UNSAFE: it writes';

CREATE FUNCTION logscore_rollup_bind(target_schema text, input_name text, source regclass,
  time_column text, group_by text[], value_expr text, search_path text,
  OUT input regclass, OUT source_columns text[], OUT source_types text[])
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  group_columns text;
BEGIN
  SELECT coalesce(pg_catalog.string_agg(pg_catalog.format(', %I', g.col), '' ORDER BY g.ord), '')
  INTO group_columns
  FROM pg_catalog.unnest(group_by) WITH ORDINALITY AS g(col, ord);
  -- value_expr is resolved here, once, with the creator's search_path; the
  -- view's references are fixed by OID from now on.  Tables give each row's
  -- address, so that a run can set a failing row aside by itself.
  PERFORM pg_catalog.set_config('search_path', logscore_rollup_bind.search_path, true);
  EXECUTE pg_catalog.format(E'CREATE VIEW %I.%I AS SELECT %I%s, (\n%s\n)::pg_catalog.float8 AS logscore_value%s FROM %s',
    target_schema, input_name, time_column, group_columns, value_expr,
    CASE WHEN (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = source) IN ('r', 'p', 'm')
         THEN ', tableoid AS logscore_tableoid, ctid AS logscore_ctid' ELSE '' END,
    source::pg_catalog.text);
  PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
  input := pg_catalog.format('%I.%I', target_schema, input_name)::pg_catalog.regclass;

  -- the source columns the view reads, and their types now
  SELECT coalesce(pg_catalog.array_agg(a.attname::pg_catalog.text ORDER BY a.attnum), '{}'),
         coalesce(pg_catalog.array_agg(pg_catalog.format_type(a.atttypid, a.atttypmod) ORDER BY a.attnum), '{}')
  INTO source_columns, source_types
  FROM pg_catalog.pg_attribute a
  WHERE a.attrelid = source AND a.attnum > 0 AND NOT a.attisdropped
    AND EXISTS (SELECT FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_rewrite w
                  ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objid = w.oid
                WHERE w.ev_class = input AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
                  AND d.refobjid = source AND d.refobjsubid = a.attnum);
  EXECUTE pg_catalog.format('COMMENT ON VIEW %s IS %L', input,
    pg_catalog.format('logscore rollup input: the rows of %s, with value_expr %s bound', source, value_expr));
END;
$$;

COMMENT ON FUNCTION logscore_rollup_bind(text, text, regclass, text, text[], text, text) IS
'Creates a rollup''s input view, binding value_expr and the group columns with the given search_path, and names the source columns it reads; PARALLEL UNSAFE: it writes';

CREATE FUNCTION logscore_rollup_create_internal(name text, source regclass, time_column text,
  value_expr text, bucket interval, group_by text[], lateness interval, on_error text,
  search_path text)
RETURNS regclass
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  origin constant timestamptz := '2000-01-01 00:00:00+00';
  parts text[];
  target_schema text;
  target_table text;
  canonical text;
  input_name text;
  target regclass;
  input regclass;
  source_kind "char";
  source_owner oid;
  time_type oid;
  column_type text;
  column_defs text := '';
  key_columns text := '';
  source_columns text[];
  source_types text[];
  seen text[] := '{}';
  rec record;
BEGIN
  IF name IS NULL OR source IS NULL OR time_column IS NULL OR value_expr IS NULL
     OR bucket IS NULL OR group_by IS NULL OR lateness IS NULL OR on_error IS NULL
     OR search_path IS NULL THEN
    RAISE EXCEPTION 'logscore_rollup_create: arguments must not be null'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF on_error NOT IN ('skip', 'stop') THEN
    RAISE EXCEPTION 'on_error must be ''skip'' or ''stop'', not ''%''', on_error
      USING ERRCODE = 'invalid_parameter_value';
  END IF;

  -- the rollup's name, which is also its target table's, normalised to
  -- schema.table so that no search_path is needed to find it again
  parts := pg_catalog.parse_ident(name);
  IF pg_catalog.array_length(parts, 1) > 2 THEN
    RAISE EXCEPTION 'improper rollup name (too many dotted names): %', name
      USING ERRCODE = 'syntax_error';
  END IF;
  IF pg_catalog.array_length(parts, 1) = 2 THEN
    target_schema := parts[1];
  ELSE
    -- the schema an unqualified CREATE TABLE of the caller would use
    PERFORM pg_catalog.set_config('search_path', logscore_rollup_create_internal.search_path, true);
    target_schema := pg_catalog.current_schema();
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    IF target_schema IS NULL THEN
      RAISE EXCEPTION 'no schema has been selected to create in'
        USING ERRCODE = 'invalid_schema_name';
    END IF;
  END IF;
  target_table := parts[pg_catalog.array_length(parts, 1)];
  canonical := pg_catalog.format('%I.%I', target_schema, target_table);
  input_name := target_table || '_input';
  IF pg_catalog.octet_length(input_name) > 63 THEN
    RAISE EXCEPTION 'rollup name "%" is too long', target_table
      USING ERRCODE = 'name_too_long',
            DETAIL = 'The rollup''s input view is named after its table with _input appended, and must fit in 63 bytes.';
  END IF;
  PERFORM FROM @extschema@.logscore_rollups r WHERE r.name = canonical;
  IF FOUND THEN
    RAISE EXCEPTION 'rollup "%" already exists', canonical
      USING ERRCODE = 'duplicate_table';
  END IF;
  PERFORM FROM pg_catalog.pg_namespace n WHERE n.nspname = target_schema;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'schema "%" does not exist', target_schema
      USING ERRCODE = 'invalid_schema_name';
  END IF;
  FOR rec IN SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = target_schema AND c.relname IN (target_table::pg_catalog.name, input_name::pg_catalog.name)
  LOOP
    RAISE EXCEPTION 'relation "%" already exists', pg_catalog.format('%I.%I', target_schema, rec.relname)
      USING ERRCODE = 'duplicate_table',
            HINT = 'A rollup creates its own table and a view named after it with _input appended; choose a name no relation has.';
  END LOOP;

  -- the source and its time column
  SELECT c.relkind, c.relowner INTO source_kind, source_owner FROM pg_catalog.pg_class c WHERE c.oid = source;
  IF source_kind IS NULL OR source_kind NOT IN ('r', 'p', 'v', 'm', 'f') THEN
    RAISE EXCEPTION '"%" is not a table, view, materialized view or foreign table', source
      USING ERRCODE = 'wrong_object_type';
  END IF;
  -- functions in a view run as the role querying it: every run's, the owner's
  IF source_kind = 'v' AND NOT pg_catalog.pg_has_role(source_owner, pg_catalog.current_user(), 'USAGE') THEN
    RAISE EXCEPTION 'the source "%" is a view owned by a role without your privileges', source
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'Functions the view calls would run with your privileges at every run.',
            HINT = 'Roll up a table, or a view you own.';
  END IF;
  SELECT a.atttypid INTO time_type FROM pg_catalog.pg_attribute a
  WHERE a.attrelid = source AND a.attname = time_column AND a.attnum > 0 AND NOT a.attisdropped;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'column "%" of relation "%" does not exist', time_column, source
      USING ERRCODE = 'undefined_column';
  END IF;
  IF time_type <> 'pg_catalog.timestamptz'::pg_catalog.regtype THEN
    RAISE EXCEPTION 'time column "%" is of type %, not timestamp with time zone',
      time_column, pg_catalog.format_type(time_type, NULL)
      USING ERRCODE = 'datatype_mismatch',
            HINT = 'Rollups bin a timestamptz column; use a view over the source that converts it.';
  END IF;

  -- the bucket width and the lateness, as far as every run will need them
  IF bucket <= interval '0' THEN
    RAISE EXCEPTION 'bucket must be a positive interval, not %', bucket
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF pg_catalog.date_part('month', bucket) <> 0 OR pg_catalog.date_part('year', bucket) <> 0 THEN
    RAISE EXCEPTION 'bucket must not contain months or years, not %', bucket
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = 'date_bin cannot bin timestamps into months, whose length varies.',
            HINT = 'Use days, e.g. ''30 days'', or roll minute buckets up with logscore_merge at query time.';
  END IF;
  IF lateness < interval '0' THEN
    RAISE EXCEPTION 'lateness must not be negative, not %', lateness
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  BEGIN
    PERFORM pg_catalog.date_bin(bucket, pg_catalog.now(), origin),
            pg_catalog.date_bin(bucket, pg_catalog.now() - lateness, origin);
  EXCEPTION WHEN data_exception THEN
    RAISE EXCEPTION 'bucket % or lateness % is too large', bucket, lateness
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = pg_catalog.format('Every run would fail to bin its event times: %s.', SQLERRM);
  END;

  -- the group columns keep their source types and collations
  FOR rec IN
    SELECT g.col, g.ord, a.atttypid, a.atttypmod, a.attcollation
    FROM pg_catalog.unnest(group_by) WITH ORDINALITY AS g(col, ord)
    LEFT JOIN pg_catalog.pg_attribute a
      ON a.attrelid = source AND a.attname = g.col AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY g.ord
  LOOP
    IF rec.col IS NULL THEN
      RAISE EXCEPTION 'group_by must not contain nulls'
        USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF rec.col = ANY (seen) THEN
      RAISE EXCEPTION 'column "%" appears more than once in group_by', rec.col
        USING ERRCODE = 'duplicate_column';
    END IF;
    IF rec.col IN ('bucket', 'sketch', 'logscore_value', 'logscore_tableoid', 'logscore_ctid')
       OR rec.col = time_column THEN
      RAISE EXCEPTION 'group_by column "%" has the name of a column of the rollup''s own', rec.col
        USING ERRCODE = 'duplicate_column',
              DETAIL = 'A rollup''s table has the columns bucket and sketch besides the group columns, and its input view the time column, logscore_value, logscore_tableoid and logscore_ctid.';
    END IF;
    IF rec.atttypid IS NULL THEN
      RAISE EXCEPTION 'column "%" of relation "%" does not exist', rec.col, source
        USING ERRCODE = 'undefined_column';
    END IF;
    seen := seen || rec.col;
    column_type := pg_catalog.format_type(rec.atttypid, rec.atttypmod);
    IF rec.attcollation <> 0 THEN
      SELECT column_type || pg_catalog.format(' COLLATE %I.%I', n.nspname, c.collname)
      INTO column_type
      FROM pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace n ON n.oid = c.collnamespace
      WHERE c.oid = rec.attcollation;
    END IF;
    column_defs := column_defs || pg_catalog.format('%I %s NOT NULL, ', rec.col, column_type);
    key_columns := key_columns || pg_catalog.format(', %I', rec.col);
  END LOOP;

  -- value_expr: planned as a run uses it, with the creator's search_path, as
  -- one statement (a cursor refuses several) that reads no row
  PERFORM pg_catalog.set_config('search_path', logscore_rollup_create_internal.search_path, true);
  BEGIN
    FOR rec IN EXECUTE pg_catalog.format(E'SELECT @extschema@.logscore_sketch((\n%s\n)::pg_catalog.float8) FROM %s LIMIT 0',
                                          value_expr, source::pg_catalog.text)
    LOOP
    END LOOP;
  EXCEPTION WHEN invalid_cursor_definition THEN
    RAISE EXCEPTION 'value_expr must be one expression: %', value_expr
      USING ERRCODE = 'syntax_error';
  END;
  PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
  BEGIN
    SELECT b.input, b.source_columns, b.source_types INTO input, source_columns, source_types
    FROM @extschema@.logscore_rollup_bind(target_schema, input_name, source, time_column, group_by,
                                          value_expr, logscore_rollup_create_internal.search_path) b;
    EXECUTE pg_catalog.format(
      'CREATE TABLE %I.%I (bucket pg_catalog.timestamptz NOT NULL, %ssketch @extschema@.logscore_sketch, PRIMARY KEY (bucket%s))',
      target_schema, target_table, column_defs, key_columns);
  EXCEPTION WHEN unique_violation OR duplicate_table THEN
    -- a concurrent create of the same name got there first
    RAISE EXCEPTION 'rollup "%" already exists', canonical
      USING ERRCODE = 'duplicate_table';
  END;
  target := canonical::pg_catalog.regclass;

  EXECUTE pg_catalog.format('COMMENT ON TABLE %s IS %L', target,
    pg_catalog.format('logscore rollup %s of %s: sketches of %s per %s; refresh with CALL logscore_rollup_run(%L)',
                      canonical, source, value_expr, bucket, canonical));

  PERFORM @extschema@.logscore_rollup_register(canonical, target, source, input, time_column,
    value_expr, bucket, group_by, lateness, on_error, source_columns, source_types);
  RETURN target;
END;
$$;

COMMENT ON FUNCTION logscore_rollup_create_internal(text, regclass, text, text, interval, text[], interval, text, text) IS
'logscore_rollup_create''s work, resolving the name and value_expr with the given search_path, once; PARALLEL UNSAFE: it writes';

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

-- A procedure, so pg_cron runs it with CALL; it takes no PARALLEL label (it
-- writes, and a CALL never runs in a parallel worker).  It never commits.
CREATE PROCEDURE logscore_rollup_run(name text)
AS 'MODULE_PATHNAME', 'logscore_rollup_run'
LANGUAGE C;

COMMENT ON PROCEDURE logscore_rollup_run(text) IS
'Runs a rollup as its owner: aggregates what arrived since the watermark, re-aggregating every bucket from date_bin(bucket, watermark - lateness) on, and upserts the sketches; sets the watermark to the transaction''s start. The caller needs the owner''s privileges. Rows that cannot be rolled up go to logscore_rollup_rejects (on_error skip) or fail the run (stop). Skips with a WARNING, counted in logscore_rollup_health, when another run of the rollup is in progress';

CREATE FUNCTION logscore_rollup_alter(name text, lateness interval DEFAULT NULL, on_error text DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'logscore_rollup_alter'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION logscore_rollup_alter(text, interval, text) IS
'Changes a rollup''s lateness or on_error (NULL: unchanged); the caller needs the owner''s privileges; PARALLEL UNSAFE: it writes';

CREATE FUNCTION logscore_rollup_reset(name text, watermark timestamptz DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'logscore_rollup_reset'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION logscore_rollup_reset(text, timestamptz) IS
'Sets a rollup''s watermark: the next run re-aggregates from date_bin(bucket, watermark - lateness) on, or everything when NULL; PARALLEL UNSAFE: it writes';

CREATE FUNCTION logscore_rollup_drop(name text, drop_table boolean DEFAULT true)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  gone record;
BEGIN
  IF name IS NULL OR drop_table IS NULL THEN
    RAISE EXCEPTION 'logscore_rollup_drop: arguments must not be null'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  SELECT * INTO gone FROM @extschema@.logscore_rollup_unregister(name);
  IF EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid = gone.input) THEN
    EXECUTE pg_catalog.format('DROP VIEW %s', gone.input::pg_catalog.text);
  END IF;
  IF drop_table AND EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid = gone.target) THEN
    EXECUTE pg_catalog.format('DROP TABLE %s', gone.target::pg_catalog.text);
  END IF;
END;
$$;

COMMENT ON FUNCTION logscore_rollup_drop(text, boolean) IS
'Unregisters a rollup the caller owns, drops its input view and, unless drop_table is false, its table; PARALLEL UNSAFE: it writes';

-- anomaly scores and alert states: a robust z-score against a baseline
-- sketch, its alert level, and an alert state per row with hysteresis

CREATE FUNCTION logscore_anomaly(value double precision, baseline logscore_sketch)
RETURNS double precision
AS 'MODULE_PATHNAME', 'logscore_sketch_anomaly'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION logscore_anomaly(double precision, logscore_sketch) IS
'Robust z-score of a value against a baseline sketch: (value - p50) / max((p75 - p25) / 1.349, floor), the floor max(1e-3 * |p50|, 1e-12) of the baseline; NULL when the baseline is empty';

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
CREATE FUNCTION logscore_alert_state_step(state internal, z double precision)
RETURNS internal
AS 'MODULE_PATHNAME', 'logscore_alert_state_setting_step'
LANGUAGE C STABLE PARALLEL SAFE;

CREATE FUNCTION logscore_alert_state_step(state internal, z double precision, warning double precision,
                                          critical double precision, clear double precision,
                                          enter_after integer, exit_after integer)
RETURNS internal
AS 'MODULE_PATHNAME', 'logscore_alert_state_explicit_step'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION logscore_alert_state_final(state internal)
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

-- logscore_ewm: exponentially time-decayed weight, mean and variance; the
-- weights are anchored to absolute time, so states merge in any order

CREATE TYPE logscore_ewm;

CREATE FUNCTION logscore_ewm_in(input cstring) RETURNS logscore_ewm
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_ewm_out(ewm logscore_ewm) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_ewm_recv(buf internal) RETURNS logscore_ewm
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_ewm_send(ewm logscore_ewm) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE logscore_ewm (
  INPUT = logscore_ewm_in,
  OUTPUT = logscore_ewm_out,
  RECEIVE = logscore_ewm_recv,
  SEND = logscore_ewm_send,
  INTERNALLENGTH = VARIABLE,
  ALIGNMENT = double,
  STORAGE = plain
);

COMMENT ON TYPE logscore_ewm IS
'Exponentially time-decayed weight, mean and variance of values, mergeable in any order';
COMMENT ON FUNCTION logscore_ewm_in(cstring) IS 'Input function of logscore_ewm';
COMMENT ON FUNCTION logscore_ewm_out(logscore_ewm) IS 'Output function of logscore_ewm';
COMMENT ON FUNCTION logscore_ewm_recv(internal) IS 'Binary input function of logscore_ewm';
COMMENT ON FUNCTION logscore_ewm_send(logscore_ewm) IS 'Binary output function of logscore_ewm';

-- transition and combine functions; the state is a logscore_ewm, not
-- internal, so partial aggregates can cross workers and servers as values

CREATE FUNCTION logscore_ewm_add(ewm logscore_ewm, value double precision, ts timestamp with time zone,
                                 half_life interval)
RETURNS logscore_ewm
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION logscore_ewm_combine(a logscore_ewm, b logscore_ewm)
RETURNS logscore_ewm
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION logscore_ewm_add(logscore_ewm, double precision, timestamp with time zone, interval) IS
'Transition function of logscore_ewm(value, ts, half_life): adds a value seen at ts';
COMMENT ON FUNCTION logscore_ewm_combine(logscore_ewm, logscore_ewm) IS
'Merges two logscore_ewm values of the same half-life: the combine function, and logscore_merge''s transition';

CREATE AGGREGATE logscore_ewm(value double precision, ts timestamp with time zone, half_life interval) (
  SFUNC = logscore_ewm_add,
  STYPE = logscore_ewm,
  COMBINEFUNC = logscore_ewm_combine,
  PARALLEL = SAFE
);

CREATE AGGREGATE logscore_merge(ewm logscore_ewm) (
  SFUNC = logscore_ewm_combine,
  STYPE = logscore_ewm,
  COMBINEFUNC = logscore_ewm_combine,
  PARALLEL = SAFE
);

COMMENT ON AGGREGATE logscore_ewm(double precision, timestamp with time zone, interval) IS
'Exponentially time-decayed statistics: a value half_life older weighs half; rows with a NULL value or ts are skipped';
COMMENT ON AGGREGATE logscore_merge(logscore_ewm) IS
'Merges logscore_ewm values of one half-life, for rollups; the same as aggregating all their rows at once';

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

CREATE FUNCTION logscore_sketch_hash(sketch logscore_sketch) RETURNS integer
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_sketch_hash_extended(sketch logscore_sketch, seed bigint) RETURNS bigint
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

CREATE FUNCTION logscore_ewm_hash(ewm logscore_ewm) RETURNS integer
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_ewm_hash_extended(ewm logscore_ewm, seed bigint) RETURNS bigint
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

-- accessors; decay scales every weight alike, so none depends on the time
-- they are read at.  One name per concept across both types (as
-- timescaledb-toolkit overloads average() and stddev()): logscore_count,
-- logscore_mean and logscore_stddev read either type, and logscore_anomaly
-- scores a value against either kind of baseline.  What only a sketch keeps
-- (quantiles, ranks, sum, extremes) stays sketch-only.

CREATE FUNCTION logscore_count(ewm logscore_ewm) RETURNS bigint
AS 'MODULE_PATHNAME', 'logscore_ewm_count' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_mean(ewm logscore_ewm) RETURNS double precision
AS 'MODULE_PATHNAME', 'logscore_ewm_mean' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_stddev(ewm logscore_ewm) RETURNS double precision
AS 'MODULE_PATHNAME', 'logscore_ewm_stddev' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION logscore_count(logscore_ewm) IS
'Number of values added, decayed or not';
COMMENT ON FUNCTION logscore_mean(logscore_ewm) IS
'Exponentially weighted mean of the values';
COMMENT ON FUNCTION logscore_stddev(logscore_ewm) IS
'Exponentially weighted population standard deviation of the values: sqrt(sum w (x - mean)^2 / sum w)';

-- the names of 0.3.0 to 0.5.0, kept so that existing queries keep working

CREATE FUNCTION logscore_ewm_mean(ewm logscore_ewm) RETURNS double precision
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_ewm_stddev(ewm logscore_ewm) RETURNS double precision
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_ewm_zscore(ewm logscore_ewm, value double precision) RETURNS double precision
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_ewm_count(ewm logscore_ewm) RETURNS bigint
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION logscore_ewm_mean(logscore_ewm) IS
'Deprecated since 0.6.0, use logscore_mean(logscore_ewm): exponentially weighted mean of the values';
COMMENT ON FUNCTION logscore_ewm_stddev(logscore_ewm) IS
'Deprecated since 0.6.0, use logscore_stddev(logscore_ewm): exponentially weighted population standard deviation of the values';
COMMENT ON FUNCTION logscore_ewm_zscore(logscore_ewm, double precision) IS
'Deprecated since 0.6.0, use logscore_anomaly(value, baseline logscore_ewm): (value - weighted mean) / weighted standard deviation; NULL when the standard deviation is 0';
COMMENT ON FUNCTION logscore_ewm_count(logscore_ewm) IS
'Deprecated since 0.6.0, use logscore_count(logscore_ewm): number of values added, decayed or not';

-- logscore_anomaly takes (value, baseline) for both types; the C function
-- takes them the other way round, so this is SQL, inlined by the planner
CREATE FUNCTION logscore_anomaly(value double precision, baseline logscore_ewm)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.logscore_ewm_zscore(baseline, value);

COMMENT ON FUNCTION logscore_anomaly(double precision, logscore_ewm) IS
'z-score of a value against a decayed baseline: (value - weighted mean) / weighted standard deviation; NULL when the standard deviation is 0';

-- sliding-window anomaly scores: a frame's last row against the rows before it

CREATE FUNCTION logscore_zscore_add(state internal, value double precision) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION logscore_zscore_moving_add(state internal, value double precision) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION logscore_zscore_moving_remove(state internal, value double precision) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION logscore_zscore_final(state internal) RETURNS double precision
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION logscore_zscore_add(internal, double precision) IS
'Transition function of logscore_zscore for GROUP BY and frames from UNBOUNDED PRECEDING: keeps running moments, no buffer';
COMMENT ON FUNCTION logscore_zscore_moving_add(internal, double precision) IS
'Moving-aggregate transition function of logscore_zscore: keeps the frame''s rows in a ring buffer and their moments';
COMMENT ON FUNCTION logscore_zscore_moving_remove(internal, double precision) IS
'Inverse transition function of logscore_zscore: removes the frame''s oldest row';
COMMENT ON FUNCTION logscore_zscore_final(internal) IS
'Final function of logscore_zscore: the z-score of the last row against the others';

CREATE AGGREGATE logscore_zscore(value double precision) (
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

CREATE FUNCTION logscore_robust_zscore_add(state internal, value double precision) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION logscore_robust_zscore_moving_add(state internal, value double precision) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION logscore_robust_zscore_moving_remove(state internal, value double precision) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION logscore_robust_zscore_final(state internal) RETURNS double precision
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION logscore_robust_zscore_add(internal, double precision) IS
'Transition function of logscore_robust_zscore for GROUP BY and frames from UNBOUNDED PRECEDING: appends unsorted';
COMMENT ON FUNCTION logscore_robust_zscore_moving_add(internal, double precision) IS
'Moving-aggregate transition function of logscore_robust_zscore: inserts into a sorted array';
COMMENT ON FUNCTION logscore_robust_zscore_moving_remove(internal, double precision) IS
'Inverse transition function of logscore_robust_zscore: removes the frame''s oldest row from the sorted array';
COMMENT ON FUNCTION logscore_robust_zscore_final(internal) IS
'Final function of logscore_robust_zscore: sorts in the rows appended since its last call, then scores the last row against the others';

CREATE AGGREGATE logscore_robust_zscore(value double precision) (
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
'Over a window frame, the robust z-score of its last row against the rows before it: (x - median) / max(IQR / 1.349, floor), quantiles as percentile_cont, the floor max(1e-3 * |median|, 1e-12) of the others; NULL when fewer than 4 non-null others. Use a bounded frame: from UNBOUNDED PRECEDING each row costs O(n)';

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
