/* sql/logscore--0.1.0.sql: the logscore extension, version 0.1.0 (kept as released, for upgrades) */

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
