-- incremental rollups: logscore_rollup_create, CALL logscore_rollup_run,
-- logscore_rollup_drop.  Event times are fixed; where a run's window depends
-- on "now", the test sets the rollup's watermark itself, as a clock would.
\set SHOW_CONTEXT never
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
SET intervalstyle = 'postgres';

-- 138 events, one every 13 seconds from 12:00 UTC, over three services
CREATE TABLE rollup_events (ts timestamptz, service text, value bigint);
INSERT INTO rollup_events
SELECT '2024-01-01 12:00:00+00'::timestamptz + i * interval '13 seconds',
       (ARRAY['api', 'db', 'web'])[1 + i % 3], i % 50
FROM generate_series(0, 137) i;

SELECT logscore_rollup_create('rollup_minute', 'rollup_events', 'ts', 'logscore(value)',
                              '1 minute', '{service}');
\d rollup_minute
SELECT name, owner, target, source, input, time_column, value_expr, bucket, group_by, lateness,
       on_error, source_columns, source_types, watermark, last_run_at, last_run_buckets, last_run_rows
FROM logscore_rollups;
\d+ rollup_minute_input

-- the rollup against the source, bucket by bucket and service by service:
-- counts, and sketches equal to sketching the source's rows afresh
CREATE VIEW rollup_minute_check AS
WITH src AS (
  SELECT date_bin('1 minute', ts, '2000-01-01 00:00:00+00') AS bucket, service,
         count(*) AS n, logscore_sketch(logscore(value)) AS sketch
  FROM rollup_events GROUP BY 1, 2
)
SELECT count(s.bucket) AS source_groups, count(r.bucket) AS rollup_groups,
       sum(s.n) AS source_events, sum(logscore_count(r.sketch)) AS rollup_events,
       count(*) FILTER (WHERE s.n IS DISTINCT FROM logscore_count(r.sketch)) AS count_mismatches,
       count(*) FILTER (WHERE s.sketch::text IS DISTINCT FROM r.sketch::text) AS sketch_mismatches
FROM src s FULL JOIN rollup_minute r USING (bucket, service);

SELECT * FROM rollup_minute_check;

-- the first run has no watermark: it aggregates everything; the watermark
-- becomes the transaction's start
BEGIN;
CALL logscore_rollup_run('rollup_minute');
SELECT watermark = now() AS watermark_is_now, last_run_at = now() AS last_run_is_now,
       last_run_buckets, last_run_rows
FROM logscore_rollups WHERE name = 'public.rollup_minute';
COMMIT;
SELECT * FROM rollup_minute_check;
SELECT bucket, service, logscore_count(sketch) AS n, logscore_min(sketch) AS min,
       logscore_max(sketch) AS max
FROM rollup_minute WHERE bucket < '2024-01-01 12:02:00+00' ORDER BY 1, 2;

-- say it is 12:30 now: with 10 minutes of lateness a run re-aggregates from
-- 12:20 on, and finds nothing to change: no sketch differs, no row is rewritten
SELECT logscore_rollup_reset('rollup_minute', '2024-01-01 12:30:00+00');
CREATE TABLE rollup_snapshot AS
SELECT bucket, service, sketch::text AS sketch, ctid AS row_ctid, xmin AS row_xmin FROM rollup_minute;
CALL logscore_rollup_run('rollup_minute');
SELECT count(*) AS rows_now,
       count(*) FILTER (WHERE s.sketch = r.sketch::text) AS same_sketch,
       count(*) FILTER (WHERE s.row_ctid = r.ctid AND s.row_xmin = r.xmin) AS not_rewritten
FROM rollup_minute r FULL JOIN rollup_snapshot s USING (bucket, service);
SELECT last_run_buckets, last_run_rows FROM logscore_rollups WHERE name = 'public.rollup_minute';

-- nor when a stored sketch's sum differs from a fresh one's in its last bits,
-- as when the same rows were summed in another order (another plan, or
-- Citus shards): the distribution is the same, so the row is left alone
SELECT logscore_rollup_reset('rollup_minute', '2024-01-01 12:30:00+00');
UPDATE rollup_minute
SET sketch = regexp_replace(sketch::text, '"sum":[^,]*',
                            '"sum":' || (logscore_sum(sketch) * (1 + 1e-12))::text)::logscore_sketch
WHERE bucket = '2024-01-01 12:25:00+00' AND service = 'api';
CREATE TABLE rollup_nudged AS
SELECT bucket, service, sketch::text AS sketch, ctid AS row_ctid, xmin AS row_xmin
FROM rollup_minute WHERE bucket = '2024-01-01 12:25:00+00' AND service = 'api';
SELECT n.sketch <> r.sketch::text AS sum_differs,
       logscore_same_distribution(n.sketch::logscore_sketch, r.sketch::logscore_sketch) AS same_distribution
FROM rollup_nudged n JOIN rollup_snapshot r USING (bucket, service);
CALL logscore_rollup_run('rollup_minute');
SELECT n.sketch = r.sketch::text AS kept, n.row_ctid = r.ctid AND n.row_xmin = r.xmin AS not_rewritten
FROM rollup_nudged n JOIN rollup_minute r USING (bucket, service);
SELECT last_run_buckets, last_run_rows FROM logscore_rollups WHERE name = 'public.rollup_minute';
-- (the stored sum put back, for the checks below)
UPDATE rollup_minute r SET sketch = s.sketch::logscore_sketch
FROM rollup_snapshot s WHERE (r.bucket, r.service) = (s.bucket, s.service)
  AND r.bucket = '2024-01-01 12:25:00+00' AND r.service = 'api';
DROP TABLE rollup_nudged;

-- late events inside the window (12:21, 12:25) and new ones (12:31) are
-- picked up by the next run
SELECT logscore_rollup_reset('rollup_minute', '2024-01-01 12:30:00+00');
INSERT INTO rollup_events VALUES
  ('2024-01-01 12:21:05+00', 'api', 7),
  ('2024-01-01 12:25:30+00', 'db', 8),
  ('2024-01-01 12:25:31+00', 'queue', 9),
  ('2024-01-01 12:31:00+00', 'web', 10),
  ('2024-01-01 12:31:59+00', 'web', 11);
CALL logscore_rollup_run('rollup_minute');
SELECT * FROM rollup_minute_check;
SELECT bucket, service, logscore_count(sketch) AS n FROM rollup_minute
WHERE bucket >= '2024-01-01 12:31:00+00' ORDER BY 1, 2;

-- an event older than the window (12:05, when the run re-aggregates from
-- 12:25 on) is not picked up: a documented limit of lateness
SELECT logscore_rollup_reset('rollup_minute', '2024-01-01 12:35:00+00');
INSERT INTO rollup_events VALUES ('2024-01-01 12:05:10+00', 'api', 12);
CALL logscore_rollup_run('rollup_minute');
SELECT * FROM rollup_minute_check;
-- setting the watermark to NULL re-aggregates everything
SELECT logscore_rollup_reset('rollup_minute');
CALL logscore_rollup_run('rollup_minute');
SELECT * FROM rollup_minute_check;

-- with on_error 'stop', a run that fails leaves the target and the catalog
-- as they were: a rollup without group columns whose value_expr divides by
-- zero for some new rows
SELECT logscore_rollup_create('rollup_ratio', 'rollup_events', 'ts', '1000.0 / (value + 1)',
                              '10 minutes', lateness => '0', on_error => 'stop');
CALL logscore_rollup_run('rollup_ratio');
\d rollup_ratio
SELECT bucket, logscore_count(sketch) AS n, round(logscore_max(sketch)::numeric, 3) AS max
FROM rollup_ratio ORDER BY 1;
SELECT logscore_rollup_reset('rollup_ratio', '2024-01-01 12:10:00+00');
-- the target's rows and the catalog's row as text, before and now
CREATE VIEW rollup_ratio_lines AS
SELECT r::text AS line FROM rollup_ratio r UNION ALL
SELECT c::text FROM logscore_rollups c WHERE name = 'public.rollup_ratio';
CREATE TABLE rollup_ratio_before AS SELECT * FROM rollup_ratio_lines;
CREATE VIEW rollup_ratio_changes AS
SELECT (SELECT count(*) FROM rollup_ratio_before) AS lines,
       (SELECT count(*) FROM (SELECT * FROM rollup_ratio_before EXCEPT ALL
                              SELECT * FROM rollup_ratio_lines) gone) AS lines_gone,
       (SELECT count(*) FROM (SELECT * FROM rollup_ratio_lines EXCEPT ALL
                              SELECT * FROM rollup_ratio_before) came) AS lines_new;
INSERT INTO rollup_events VALUES
  ('2024-01-01 12:10:00+00', 'api', 1),
  ('2024-01-01 12:40:00+00', 'api', 1),
  ('2024-01-01 12:41:00+00', 'db', -1),
  ('2024-01-01 12:42:00+00', 'web', 1);
CALL logscore_rollup_run('rollup_ratio');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM rollup_ratio_changes;

-- the same when the failure comes after every bucket was written: a
-- statement trigger on the target refuses the upsert once it is done
DELETE FROM rollup_events WHERE value = -1;
-- (a run calls it with search_path = pg_catalog, pg_temp, so it sets its own)
CREATE FUNCTION rollup_refuse() RETURNS trigger LANGUAGE plpgsql SET search_path = public AS $$
BEGIN
  RAISE EXCEPTION 'refused after % rows', (SELECT count(*) FROM rollup_ratio)
    USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER rollup_refuse AFTER INSERT OR UPDATE ON rollup_ratio
FOR EACH STATEMENT EXECUTE FUNCTION rollup_refuse();
CALL logscore_rollup_run('rollup_ratio');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM rollup_ratio_changes;
DROP TRIGGER rollup_refuse ON rollup_ratio;
CALL logscore_rollup_run('rollup_ratio');
SELECT * FROM rollup_ratio_changes;
SELECT bucket, logscore_count(sketch) AS n FROM rollup_ratio
WHERE bucket >= '2024-01-01 12:10:00+00' ORDER BY 1;

-- NULL values are left out of a sketch (a group whose values are all NULL
-- has a NULL sketch); NULL in a group column cannot be stored: such rows are
-- set aside (counted once, in logscore_rollup_rejects), or with on_error
-- 'stop' they fail the run
SELECT logscore_rollup_create('rollup_nulls', 'rollup_events', 'ts',
                              'CASE WHEN service <> ''db'' THEN value END', '1 hour', '{service}');
CALL logscore_rollup_run('rollup_nulls');
SELECT bucket, service, logscore_count(sketch) AS n FROM rollup_nulls ORDER BY 1, 2;
INSERT INTO rollup_events VALUES ('2024-01-01 12:59:00+00', NULL, 1);
SELECT logscore_rollup_reset('rollup_nulls');
CALL logscore_rollup_run('rollup_nulls');
SELECT ts, source_table, source_ctid, row_count, sqlstate, message
FROM logscore_rollup_rejects j JOIN logscore_rollups r ON r.id = j.rollup_id
WHERE r.name = 'public.rollup_nulls';
SELECT logscore_rollup_alter('rollup_nulls', on_error => 'stop');
SELECT logscore_rollup_reset('rollup_nulls');
CALL logscore_rollup_run('rollup_nulls');
\echo :LAST_ERROR_SQLSTATE
DELETE FROM rollup_events WHERE service IS NULL;
SELECT logscore_rollup_drop('rollup_nulls');

-- a bad row never stalls a rollup: with on_error 'skip' (the default) the
-- rows whose value fails (division by zero, out of range, NaN) are found by
-- bisection and set aside with their address and error, the rest are rolled
-- up, and the next run neither fails nor records them again
CREATE TABLE poison_events (ts timestamptz, service text, value bigint);
INSERT INTO poison_events
SELECT '2024-01-01 12:00:00+00'::timestamptz + (i / 4) * interval '1 second',
       (ARRAY['api', 'db'])[1 + i % 2], i
FROM generate_series(0, 999) i;
-- three bad rows, each sharing its time with good ones
UPDATE poison_events SET value = -1 WHERE value = 101;
UPDATE poison_events SET value = 9223372036854775807 WHERE value = 502;
UPDATE poison_events SET value = -2 WHERE value = 903;
SELECT logscore_rollup_create('poison_minute', 'poison_events', 'ts',
  'CASE WHEN value = -2 THEN ''NaN''::float8 ELSE logscore(value) / (value + 1) END',
  '1 minute', '{service}');
CALL logscore_rollup_run('poison_minute');
SELECT j.ts, p.value, j.row_count, j.sqlstate, j.message
FROM logscore_rollup_rejects j JOIN poison_events p
  ON p.tableoid = j.source_table AND p.ctid = j.source_ctid
ORDER BY j.ts;
SELECT sum(logscore_count(sketch)) AS rolled_up,
       (SELECT count(*) FROM poison_events) - 3 AS good_rows
FROM poison_minute;
SELECT name, on_error, last_run_rows, last_run_rejected, rows_rejected, runs_skipped
FROM logscore_rollup_health WHERE name = 'public.poison_minute';
-- the next run (the same window, as lateness keeps it) neither fails nor
-- counts them again; a new bad row is found and added
INSERT INTO poison_events VALUES ('2024-01-01 12:03:00+00', 'db', -1), ('2024-01-01 12:03:00+00', 'db', 5);
SELECT logscore_rollup_reset('poison_minute', '2024-01-01 12:05:00+00');
CALL logscore_rollup_run('poison_minute');
SELECT count(*) AS dead_letters, sum(row_count) AS rows FROM logscore_rollup_rejects;
SELECT sum(logscore_count(sketch)) AS rolled_up FROM poison_minute;
SELECT last_run_rejected, rows_rejected FROM logscore_rollup_health WHERE name = 'public.poison_minute';
-- with on_error 'stop' a bad row fails the run, and nothing changes
SELECT logscore_rollup_alter('poison_minute', on_error => 'stop');
INSERT INTO poison_events VALUES ('2024-01-01 12:04:00+00', 'api', -1);
SELECT logscore_rollup_reset('poison_minute', '2024-01-01 12:05:00+00');
CALL logscore_rollup_run('poison_minute');
\echo :LAST_ERROR_SQLSTATE
SELECT last_run_rejected, rows_rejected FROM logscore_rollup_health WHERE name = 'public.poison_minute';
SELECT logscore_rollup_alter('poison_minute', on_error => 'sometimes');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_alter('poison_minute', lateness => '-1 minute');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_drop('poison_minute');
SELECT count(*) AS dead_letters_left FROM logscore_rollup_rejects;
DROP TABLE poison_events;

-- a view as source has no row addresses: a failing row sets aside the rows
-- of its event time, counted
CREATE VIEW poison_view AS SELECT ts, value FROM rollup_events;
SELECT logscore_rollup_create('poison_view_hourly', 'poison_view', 'ts', '1.0 / value', '1 hour');
CALL logscore_rollup_run('poison_view_hourly');
SELECT j.ts, j.source_table, j.row_count, j.sqlstate
FROM logscore_rollup_rejects j ORDER BY j.ts LIMIT 3;
SELECT (SELECT sum(logscore_count(sketch)) FROM poison_view_hourly) AS rolled_up,
       (SELECT count(*) FROM rollup_events WHERE value <> 0) AS nonzero_rows;
SELECT logscore_rollup_drop('poison_view_hourly');
DROP VIEW poison_view;

-- settings that every run would fail on are refused when the rollup is made
SELECT logscore_rollup_create('rollup_bad', 'rollup_events', 'ts', 'value', '2147483647 days');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_create('rollup_bad', 'rollup_events', 'ts', 'value', '1 minute', on_error => 'never');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_create('rollup_bad', 'rollup_events', 'ts', 'value', '1 minute', '{ts}');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_create(repeat('r', 60), 'rollup_events', 'ts', 'value', '1 minute');
\echo :LAST_ERROR_SQLSTATE

-- names: quoted, schema-qualified, or in the creator's current schema; and
-- value_expr is resolved with the creator's search_path, whoever runs it
CREATE SCHEMA rollup_schema;
CREATE FUNCTION rollup_schema.halve(bigint) RETURNS double precision
LANGUAGE sql IMMUTABLE AS 'SELECT $1 / 2.0';
CREATE TABLE rollup_schema."Odd Events" ("Time Stamp" timestamptz, "Host Name" varchar(20) COLLATE "C", v bigint);
INSERT INTO rollup_schema."Odd Events" VALUES
  ('2024-01-01 00:10:00+00', 'a', 1), ('2024-01-01 00:50:00+00', 'a', 3),
  ('2024-01-01 01:10:00+00', 'b', 5);
SET search_path = rollup_schema, public;
SELECT logscore_rollup_create('"Odd Hourly"', '"Odd Events"', 'Time Stamp', 'halve(v)',
                              '1 hour', '{Host Name}');
RESET search_path;
SELECT logscore_rollup_create('rollup_schema.odd_daily', 'rollup_schema."Odd Events"', 'Time Stamp', 'v',
                              '1 day', '{}', '1 day');
\d rollup_schema."Odd Hourly"
CALL logscore_rollup_run('"Odd Hourly"');
CALL logscore_rollup_run('rollup_schema.odd_daily');
SELECT bucket, "Host Name", logscore_count(sketch) AS n, logscore_sum(sketch) AS sum
FROM rollup_schema."Odd Hourly" ORDER BY 1, 2;
SELECT bucket, logscore_count(sketch) AS n FROM rollup_schema.odd_daily;
-- a bare name finds a rollup in any schema, without a search_path; two of
-- one table name need the schema
SELECT logscore_rollup_create('rollup_schema.rollup_minute', 'rollup_events', 'ts', 'value', '1 hour');
CALL logscore_rollup_run('rollup_minute');
\echo :LAST_ERROR_SQLSTATE
SET search_path = rollup_schema;
CALL public.logscore_rollup_run('rollup_schema.rollup_minute');
RESET search_path;
SELECT logscore_rollup_drop('rollup_schema.rollup_minute');

-- validation: each error with its SQLSTATE, and nothing created
SELECT logscore_rollup_create('rollup_minute', 'rollup_events', 'ts', 'value', '1 minute');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_create('rollup_events', 'rollup_events', 'ts', 'value', '1 minute');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_create('rollup_bad', 'rollup_events', 'time', 'value', '1 minute');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_create('rollup_bad', 'rollup_events', 'service', 'value', '1 minute');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_create('rollup_bad', 'rollup_events', 'TS', 'value', '1 minute');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_create('rollup_bad', 'rollup_events', 'ts', 'value', '1 minute', '{host}');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_create('rollup_bad', 'rollup_events', 'ts', 'value', '1 minute', '{service,service}');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_create('rollup_bad', 'rollup_events', 'ts', 'value', '1 minute', '{bucket}');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_create('rollup_bad', 'rollup_events', 'ts', 'value', '1 minute', '{service,NULL}');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_create('rollup_bad', 'rollup_events', 'ts', 'value', '0');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_create('rollup_bad', 'rollup_events', 'ts', 'value', '-1 minute');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_create('rollup_bad', 'rollup_events', 'ts', 'value', '1 month');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_create('rollup_bad', 'rollup_events', 'ts', 'value', '1 year 1 day');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_create('rollup_bad', 'rollup_events', 'ts', 'value', '1 minute', '{}', '-1 second');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_create('rollup_bad', 'rollup_events', 'ts', 'nosuch + 1', '1 minute');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_create('rollup_bad', 'rollup_events', 'ts', 'value +', '1 minute');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_create('rollup_bad', 'rollup_events', 'ts', '', '1 minute');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_create('rollup_bad', 'rollup_events', 'ts', 'ts', '1 minute');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_create('rollup_bad', 'rollup_events', 'ts', 'avg(value)', '1 minute');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_create('rollup_bad', 'rollup_events', 'ts', '1)) FROM rollup_events; DROP TABLE rollup_events; SELECT ((1', '1 minute');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_create('rollup_bad', 'rollup_minute_pkey', 'ts', 'value', '1 minute');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_create('rollup_bad', 'no_such_table', 'ts', 'value', '1 minute');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_create('no_such_schema.rollup_bad', 'rollup_events', 'ts', 'value', '1 minute');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_create('a.b.rollup_bad', 'rollup_events', 'ts', 'value', '1 minute');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_create('"rollup_bad', 'rollup_events', 'ts', 'value', '1 minute');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_create(NULL, 'rollup_events', 'ts', 'value', '1 minute');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_create('rollup_bad', 'rollup_events', 'ts', 'value', NULL);
\echo :LAST_ERROR_SQLSTATE
-- distributed => true needs Citus (the Citus suite tests it there)
SELECT logscore_rollup_create('rollup_bad', 'rollup_events', 'ts', 'value', '1 minute', '{service}',
                              distributed => true);
\echo :LAST_ERROR_SQLSTATE
SELECT to_regclass('rollup_bad') AS no_table, to_regclass('rollup_events') AS source_still_there;
SELECT count(*) AS rollups FROM logscore_rollups;

CALL logscore_rollup_run('no_such_rollup');
\echo :LAST_ERROR_SQLSTATE
CALL logscore_rollup_run(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_drop('no_such_rollup');
\echo :LAST_ERROR_SQLSTATE

-- a rollup whose table was dropped by hand says so when it runs
SELECT logscore_rollup_create('rollup_gone', 'rollup_events', 'ts', 'value', '1 hour');
DROP TABLE rollup_gone;
CALL logscore_rollup_run('rollup_gone');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_rollup_drop('rollup_gone');

-- list and drop; pg_dump keeps the catalog's rows
SELECT name, target, source, bucket, group_by, lateness FROM logscore_rollups ORDER BY name;
SELECT extconfig::regclass[] FROM pg_extension WHERE extname = 'logscore';
SELECT logscore_rollup_drop('rollup_ratio', drop_table => false);
SELECT to_regclass('rollup_ratio') IS NOT NULL AS table_kept;
-- a view on the table keeps it: the drop fails as a whole and the rollup stays
SELECT logscore_rollup_drop('rollup_minute');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS still_listed FROM logscore_rollups WHERE name = 'public.rollup_minute';
DROP VIEW rollup_minute_check;
SELECT logscore_rollup_drop('rollup_minute');
SELECT to_regclass('rollup_minute') IS NULL AS table_dropped;
SELECT logscore_rollup_drop('"Odd Hourly"');
SELECT logscore_rollup_drop('rollup_schema.odd_daily');
SELECT count(*) AS rollups FROM logscore_rollups;

DROP SCHEMA rollup_schema CASCADE;
DROP VIEW rollup_ratio_changes, rollup_ratio_lines;
DROP TABLE rollup_ratio, rollup_ratio_before, rollup_snapshot;
DROP TABLE rollup_events;
DROP FUNCTION rollup_refuse();
