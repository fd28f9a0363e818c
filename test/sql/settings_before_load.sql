-- settings set in a session before logscore is loaded in it cannot be
-- checked when they are set; PostgreSQL rejects a bad one when the library
-- loads, with only a WARNING, and keeps the default.  The functions that
-- read the setting refuse instead of using the default, on every plan.
-- Nothing may load logscore in this session before the SETs below.
\set SHOW_CONTEXT never
SET logscore.pipeline = 'scale(2) | nope';

-- the first call loads the library: the WARNING, then the refusal
SELECT logscore(3);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(3, 'seed') AS explicit_form_unaffected;

-- in parallel workers too, which never saw the rejected value: while a
-- value is refused, the session runs its queries without workers
CREATE TABLE before_load_events AS SELECT x::bigint AS value FROM generate_series(1, 10000) x;
ANALYZE before_load_events;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET force_parallel_mode = on;
EXPLAIN (COSTS OFF) SELECT sum(logscore(value)) FROM before_load_events;
SELECT sum(logscore(value)) FROM before_load_events;
\echo :LAST_ERROR_SQLSTATE
EXPLAIN (COSTS OFF) SELECT logscore(3);
SELECT logscore(3);
\echo :LAST_ERROR_SQLSTATE
-- other queries still run, in the leader alone
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT count(*) FROM before_load_events;
SELECT count(*), sum(value) FROM before_load_events;

-- a valid value ends the refusal, and the workers run again
SET logscore.pipeline = 'square';
SELECT sum(logscore(value)) = sum(value * value) AS squares FROM before_load_events;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT sum(logscore(value)) FROM before_load_events;

RESET force_parallel_mode;
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;
RESET logscore.pipeline;
DROP TABLE before_load_events;
