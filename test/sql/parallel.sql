-- scoring runs in parallel workers, and the workers use the leader's settings
\set SHOW_CONTEXT never

CREATE TABLE parallel_events (id bigint, value bigint);
INSERT INTO parallel_events SELECT x, (x * 7919) % 100003 - 50000 FROM generate_series(1, 200000) x;
ANALYZE parallel_events;

-- every function is PARALLEL SAFE but the rollup functions, which write
SELECT p.oid::regprocedure AS function, p.proparallel, p.provolatile
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'logscore'
ORDER BY p.oid::regprocedure::text COLLATE "C";

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;

EXPLAIN (COSTS OFF) SELECT sum(logscore(value)) FROM parallel_events;
EXPLAIN (COSTS OFF) SELECT id, logscore(value, 'seed') FROM parallel_events WHERE logscore(value) > 1000;

-- the workers really start
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, BUFFERS OFF)
SELECT sum(logscore(value)) FROM parallel_events;

-- what plain SQL computes for two pipelines, to compare with
CREATE TEMP TABLE expected AS
SELECT sum(CASE WHEN (value * 2) % 7 = 0 THEN (value * 2) * (value * 2) ELSE value * 2 + 5 END) AS seed,
       sum(CASE WHEN (value * 3) % 11 = 0 THEN (value * 3) * (value * 3) ELSE value * 3 + 1 END) AS other
FROM parallel_events;

-- parallel = serial = plain SQL, with the default pipeline
CREATE TEMP TABLE parallel_run AS SELECT sum(logscore(value)) AS total FROM parallel_events;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial_run AS SELECT sum(logscore(value)) AS total FROM parallel_events;
SELECT p.total = s.total AS parallel_equals_serial, p.total = e.seed AS equals_plain_sql
FROM parallel_run p, serial_run s, expected e;

-- after SET in the leader, the workers score with the new pipeline
SET logscore.pipeline = 'scale(3) | modsquare(11, 1)';
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT sum(logscore(value)) FROM parallel_events;
SELECT sum(logscore(value)) = (SELECT other FROM expected) AS workers_use_leader_setting
FROM parallel_events;
SELECT sum(logscore(value, 'scale(3) | modsquare(11, 1)')) = (SELECT other FROM expected) AS explicit_in_workers
FROM parallel_events;

-- and logscore.on_overflow reaches them too: every row overflows, so every
-- score is NULL in the workers as in the leader
SET logscore.on_overflow = 'null';
SET logscore.pipeline = 'shift(9223372036854775807) | shift(9223372036854775807)';
SELECT count(*) AS rows, count(logscore(value)) AS non_null_scores FROM parallel_events WHERE value > 0;
SET logscore.on_overflow = 'saturate';
SELECT count(*) FILTER (WHERE logscore(value) = 9223372036854775807) AS saturated
FROM parallel_events WHERE value > 0;
RESET logscore.on_overflow;
RESET logscore.pipeline;

-- batch scoring in workers
CREATE TABLE parallel_batches AS
SELECT id / 1000 AS batch, array_agg(value ORDER BY id) AS vals
FROM parallel_events GROUP BY 1;
ANALYZE parallel_batches;
SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF) SELECT sum(s) FROM parallel_batches, unnest(logscore_array(vals)) s;
SELECT sum(s) = (SELECT seed FROM expected) AS array_in_workers
FROM parallel_batches, unnest(logscore_array(vals)) s;

-- an error raised in a worker reaches the client with its SQLSTATE
-- (one row overflows, so the message names it whichever process meets it)
SELECT sum(logscore(value, 'shift(9223372036854725806)')) FROM parallel_events;
\echo :LAST_ERROR_SQLSTATE

DROP TABLE parallel_events, parallel_batches;
