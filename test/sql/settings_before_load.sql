-- settings set in a session before logscore is loaded in it cannot be
-- checked when they are set; PostgreSQL rejects a bad one when the library
-- loads, with only a WARNING, and keeps the default.  The functions that
-- read the setting refuse instead of using the default, on every plan.
-- Nothing may load logscore in this session before the SETs below.
\set SHOW_CONTEXT never
SET logscore.pipeline = 'scale(2) | nope';
SET logscore.on_overflow = 'sometimes';
SET logscore.alert_critical = '-5';

-- the first call loads the library: a WARNING for each, then the refusal
SELECT logscore(3);
\echo :LAST_ERROR_SQLSTATE
SHOW logscore.on_overflow;
-- each function refuses for the settings it reads, and only for those
SELECT logscore_array(ARRAY[1, 2], 'seed');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM logscore_batch(ARRAY[1, 2], 'seed');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_severity(4);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_alert_state(z) FROM (VALUES (1.0::float8)) v(z);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(3, 'seed') AS explicit_score, logscore_severity(4, 3, 5) AS explicit_level;

-- in parallel workers too, which never saw the rejected values: while a
-- value is refused, the session runs its queries without workers
CREATE TABLE before_load_events AS SELECT x::bigint AS value FROM generate_series(1, 10000) x;
ANALYZE before_load_events;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
-- force_parallel_mode, named debug_parallel_query since PostgreSQL 16
SELECT set_config(name, 'on', false) AS parallel_mode FROM pg_settings
WHERE name IN ('force_parallel_mode', 'debug_parallel_query');
EXPLAIN (COSTS OFF) SELECT sum(logscore(value)) FROM before_load_events;
SELECT sum(logscore(value)) FROM before_load_events;
\echo :LAST_ERROR_SQLSTATE
SELECT count(logscore_severity(value / 1000.0)) FROM before_load_events;
\echo :LAST_ERROR_SQLSTATE
EXPLAIN (COSTS OFF) SELECT logscore(3);
SELECT logscore(3);
\echo :LAST_ERROR_SQLSTATE
-- other queries still run, in the leader alone
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, BUFFERS OFF)
SELECT count(*) FROM before_load_events;
SELECT count(*), sum(value) FROM before_load_events;

-- a valid value ends the refusal of its setting
SET logscore.pipeline = 'square';
SELECT logscore(3);
\echo :LAST_ERROR_SQLSTATE
SET logscore.on_overflow = 'null';
SELECT logscore(3), logscore_array(ARRAY[9223372036854775807, 2]);
SELECT logscore_severity(4);
\echo :LAST_ERROR_SQLSTATE
SET logscore.alert_critical = 5;
SELECT logscore_severity(4), logscore_alert_state(z) FROM (VALUES (4.0::float8)) v(z);
-- and with none refused, the workers run again
SELECT sum(logscore(value)) = sum(value * value) AS squares FROM before_load_events;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, BUFFERS OFF)
SELECT sum(logscore(value)) FROM before_load_events;

SELECT set_config(name, reset_val, false) IS NOT NULL AS parallel_mode_reset FROM pg_settings
WHERE name IN ('force_parallel_mode', 'debug_parallel_query');
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;
RESET logscore.alert_critical;
RESET logscore.on_overflow;
RESET logscore.pipeline;
DROP TABLE before_load_events;
