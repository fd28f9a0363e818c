-- logscore_severity and logscore_alert_state: alert levels of z-scores, and
-- alert states with hysteresis over a running window
\set SHOW_CONTEXT never
-- settings of a library exist once it is loaded
LOAD 'logscore';

-- severity with the default settings (warning 3, critical 5): the bounds
-- belong to the higher level, the level is by |z|
SELECT z, logscore_severity(z)
FROM unnest(ARRAY[0, 2.999, 3, -3, 4.999, 5, -5, 1e300, 'Infinity', '-Infinity', NULL]::float8[]) z;

-- the explicit form, and that it is IMMUTABLE and the settings form STABLE
SELECT z, logscore_severity(z, 1, 2) AS one_two, logscore_severity(z, 2, 2) AS no_warning_band
FROM unnest(ARRAY[0.5, 1, -1.5, 2, -2.5]::float8[]) z;
SELECT logscore_severity(NULL, 1, 2) AS null_z, logscore_severity(1, NULL, 2) AS null_warning,
       logscore_severity(1, 1, NULL) AS null_critical;
SELECT p.oid::regprocedure, p.provolatile, p.proisstrict
FROM pg_proc p WHERE p.proname = 'logscore_severity' ORDER BY 1::text;

-- the levels are ordered
SELECT logscore_severity(4) > 'ok' AS above_ok, logscore_severity(6) > logscore_severity(4) AS escalated,
       max(logscore_severity(z)) AS worst
FROM unnest(ARRAY[1, 4, -7, 2]::float8[]) z;

-- NaN has no level
SELECT logscore_severity('NaN');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_severity('NaN', 1, 2);
\echo :LAST_ERROR_SQLSTATE

-- explicit thresholds are checked: 0 < warning <= critical, finite
SELECT logscore_severity(1, 3, 2);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_severity(1, 0, 2);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_severity(1, -1, 2);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_severity(1, 1, 'Infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_severity(1, 'NaN', 2);
\echo :LAST_ERROR_SQLSTATE

-- settings: SET changes the thresholds, RESET returns to the defaults
SHOW logscore.alert_warning;
SHOW logscore.alert_critical;
SHOW logscore.alert_clear;
SHOW logscore.alert_enter_after;
SHOW logscore.alert_exit_after;
SET logscore.alert_warning = 1.5;
SELECT logscore_severity(1.5), logscore_severity(-2), logscore_severity(1.4);
SET logscore.alert_critical = 1.5;
SELECT logscore_severity(1.5), logscore_severity(1.4);
RESET logscore.alert_warning;
RESET logscore.alert_critical;
SELECT logscore_severity(1.5), logscore_severity(3), logscore_severity(5);

-- a value out of a setting's own bounds fails at SET, with the GUC's error
SET logscore.alert_warning = 0;
\echo :LAST_ERROR_SQLSTATE
SET logscore.alert_critical = -5;
\echo :LAST_ERROR_SQLSTATE
SET logscore.alert_clear = 0;
\echo :LAST_ERROR_SQLSTATE
SET logscore.alert_warning = 'NaN';
\echo :LAST_ERROR_SQLSTATE
SET logscore.alert_critical = 'Infinity';
\echo :LAST_ERROR_SQLSTATE
SET logscore.alert_enter_after = 0;
\echo :LAST_ERROR_SQLSTATE
SET logscore.alert_exit_after = 'often';
\echo :LAST_ERROR_SQLSTATE
SET logscore.alert_warning = 'high';
\echo :LAST_ERROR_SQLSTATE
SHOW logscore.alert_warning;
SHOW logscore.alert_exit_after;

-- settings that contradict each other can be set, in any order (raising
-- both thresholds passes through warning > critical) ...
SET logscore.alert_warning = 8;
SET logscore.alert_critical = 10;
SELECT logscore_severity(7), logscore_severity(8), logscore_severity(10);
-- ... and are refused where they are read, naming both settings
SET logscore.alert_warning = 12;
SELECT logscore_severity(1);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_alert_state(z ORDER BY t) FROM (VALUES (1, 1.0)) v(t, z);
\echo :LAST_ERROR_SQLSTATE
RESET logscore.alert_warning;
RESET logscore.alert_critical;
-- clear above warning matters to the alert state only
SET logscore.alert_clear = 3.5;
SELECT logscore_severity(3);
SELECT logscore_alert_state(z ORDER BY t) FROM (VALUES (1, 1.0)) v(t, z);
\echo :LAST_ERROR_SQLSTATE
RESET logscore.alert_clear;

-- alert states over hand-built series: each row shows its z, the state the
-- rules call for, and the state logscore_alert_state gives (defaults:
-- warning 3, critical 5, clear 2, enter_after 2, exit_after 3)
CREATE TABLE alert_series (series text, t int, z float8, expected logscore_level);
INSERT INTO alert_series VALUES
  -- one row above ok is not enough, two in a row rise to warning
  ('rise', 1, 0, 'ok'), ('rise', 2, 3.5, 'ok'), ('rise', 3, 1, 'ok'),
  ('rise', 4, 3.5, 'ok'), ('rise', 5, 4, 'warning'),
  -- two critical rows rise straight to critical
  ('direct', 1, 6, 'ok'), ('direct', 2, 7, 'critical'), ('direct', 3, 0.5, 'critical'),
  -- critical then warning rises to the lowest of the two: warning
  ('lowest', 1, 6, 'ok'), ('lowest', 2, 4, 'warning'), ('lowest', 3, 9, 'warning'),
  ('lowest', 4, 9, 'critical'),
  -- from warning, escalating takes two critical rows in a row
  ('escalate', 1, 4, 'ok'), ('escalate', 2, 4, 'warning'), ('escalate', 3, 6, 'warning'),
  ('escalate', 4, 4, 'warning'), ('escalate', 5, 6, 'warning'), ('escalate', 6, 6, 'critical'),
  -- between clear and warning the state holds; from critical, warning rows hold
  ('hold', 1, 4, 'ok'), ('hold', 2, 4, 'warning'), ('hold', 3, 2.5, 'warning'),
  ('hold', 4, 2, 'warning'), ('hold', 5, 2.99, 'warning'), ('hold', 6, 6, 'warning'),
  ('hold', 7, 6, 'critical'), ('hold', 8, 4, 'critical'), ('hold', 9, 3, 'critical'),
  -- three rows below clear return to ok, straight from critical; a row at
  -- clear breaks the streak
  ('clear', 1, 6, 'ok'), ('clear', 2, 6, 'critical'), ('clear', 3, 1, 'critical'),
  ('clear', 4, 1.99, 'critical'), ('clear', 5, 2, 'critical'), ('clear', 6, 1, 'critical'),
  ('clear', 7, 0, 'critical'), ('clear', 8, -1, 'ok'), ('clear', 9, 4, 'ok'),
  -- NULLs neither raise, nor clear, nor break a streak
  ('nulls', 1, NULL, 'ok'), ('nulls', 2, 4, 'ok'), ('nulls', 3, NULL, 'ok'),
  ('nulls', 4, 4, 'warning'), ('nulls', 5, 1, 'warning'), ('nulls', 6, NULL, 'warning'),
  ('nulls', 7, 1, 'warning'), ('nulls', 8, NULL, 'warning'), ('nulls', 9, 1, 'ok'),
  -- negative z counts by |z|
  ('negative', 1, -4, 'ok'), ('negative', 2, 3.5, 'warning'), ('negative', 3, -6, 'warning'),
  ('negative', 4, -6, 'critical'), ('negative', 5, -1, 'critical'), ('negative', 6, 1, 'critical'),
  ('negative', 7, -0.5, 'ok'),
  -- infinite z is critical
  ('infinite', 1, 'Infinity', 'ok'), ('infinite', 2, '-Infinity', 'critical');

SELECT series, t, z, expected,
       logscore_alert_state(z) OVER (PARTITION BY series ORDER BY t) AS state
FROM alert_series ORDER BY series, t;

-- the same with PARTITION BY over all series at once: every row as expected
SELECT count(*) AS rows,
       count(*) FILTER (WHERE state = expected) AS as_expected
FROM (SELECT expected, logscore_alert_state(z) OVER (PARTITION BY series ORDER BY t) AS state
      FROM alert_series) s;

-- the explicit form with the defaults' values gives the same states
SELECT count(*) FILTER (WHERE a IS DISTINCT FROM b) AS differing
FROM (SELECT logscore_alert_state(z) OVER w AS a,
             logscore_alert_state(z, 3, 5, 2, 2, 3) OVER w AS b
      FROM alert_series WINDOW w AS (PARTITION BY series ORDER BY t)) s;

-- other parameters: enter_after 1 and exit_after 1 react at once; enter_after 3
-- rises to the lowest level of three rows
SELECT t, z,
       logscore_alert_state(z, 3, 5, 2, 1, 1) OVER w AS at_once,
       logscore_alert_state(z, 3, 5, 2, 3, 3) OVER w AS three,
       logscore_alert_state(z, 1, 2, 0.5, 2, 1) OVER w AS low
FROM (VALUES (1, 0.0), (2, 4), (3, 6), (4, 4), (5, 1), (6, 6), (7, 2), (8, 1.5),
             (9, 0.2), (10, 0.1)) v(t, z)
WINDOW w AS (ORDER BY t) ORDER BY t;

-- the settings form follows the settings; a SET LOCAL is seen by the query
BEGIN;
SET LOCAL logscore.alert_enter_after = 1;
SET LOCAL logscore.alert_exit_after = 1;
SET LOCAL logscore.alert_clear = 3;
SELECT t, z, logscore_alert_state(z) OVER (ORDER BY t) AS state,
       logscore_alert_state(z, 3, 5, 3, 1, 1) OVER (ORDER BY t) AS explicit_form
FROM (VALUES (1, 0.0), (2, 4), (3, 2.9), (4, 5), (5, 3), (6, 1)) v(t, z) ORDER BY t;
COMMIT;
SHOW logscore.alert_enter_after;

-- the explicit form uses each row's own arguments
SELECT t, z, w, logscore_alert_state(z, w, 5, 1, 1, 1) OVER (ORDER BY t) AS state
FROM (VALUES (1, 2.0, 3.0), (2, 2, 1.5), (3, 0.5, 1.5), (4, 2, 3)) v(t, z, w) ORDER BY t;

-- a plain aggregate with ORDER BY inside the call gives the state after the
-- last row; GROUP BY gives one per series
SELECT series, logscore_alert_state(z ORDER BY t) AS final_state,
       (array_agg(expected ORDER BY t DESC))[1] AS last_expected
FROM alert_series GROUP BY series ORDER BY series;
-- no rows: NULL; only NULL z: ok
SELECT logscore_alert_state(z ORDER BY t) AS no_rows FROM alert_series WHERE false;
SELECT logscore_alert_state(z ORDER BY t) AS only_nulls
FROM (VALUES (1, NULL::float8), (2, NULL)) v(t, z);

-- rows with equal ORDER BY values are peers in the default RANGE frame: both
-- show the state after the two of them; ROWS shows each row's own
SELECT t, z, logscore_alert_state(z) OVER (ORDER BY t) AS range_frame,
       logscore_alert_state(z) OVER (ORDER BY t, ord ROWS UNBOUNDED PRECEDING) AS rows_frame
FROM (VALUES (1, 0.0, 1), (2, 4, 2), (2, 4, 3), (3, 1, 4)) v(t, z, ord) ORDER BY ord;

-- errors: NaN z, NULL and invalid parameters
SELECT logscore_alert_state(z) OVER (ORDER BY t) FROM (VALUES (1, 1.0), (2, 'NaN')) v(t, z);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_alert_state(z, NULL, 5, 2, 2, 3) OVER (ORDER BY t) FROM (VALUES (1, 1.0)) v(t, z);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_alert_state(z, 3, 5, 2, NULL, 3) OVER (ORDER BY t) FROM (VALUES (1, 1.0)) v(t, z);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_alert_state(z, 3, 5, 2, 2, NULL) OVER (ORDER BY t) FROM (VALUES (1, NULL::float8)) v(t, z);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_alert_state(z, 3, 5, 0, 2, 3) OVER (ORDER BY t) FROM (VALUES (1, 1.0)) v(t, z);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_alert_state(z, 3, 5, 4, 2, 3) OVER (ORDER BY t) FROM (VALUES (1, 1.0)) v(t, z);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_alert_state(z, 6, 5, 2, 2, 3) OVER (ORDER BY t) FROM (VALUES (1, 1.0)) v(t, z);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_alert_state(z, 3, 5, 2, 0, 3) OVER (ORDER BY t) FROM (VALUES (1, 1.0)) v(t, z);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_alert_state(z, 3, 5, 2, 2, -1) OVER (ORDER BY t) FROM (VALUES (1, 1.0)) v(t, z);
\echo :LAST_ERROR_SQLSTATE
-- a bad parameter on a later row is found on that row
SELECT logscore_alert_state(z, 3, c, 2, 2, 3) OVER (ORDER BY t)
FROM (VALUES (1, 1.0, 5.0), (2, 1, 2)) v(t, z, c);
\echo :LAST_ERROR_SQLSTATE

-- the enum is found through the functions' result type, not the search_path
CREATE SCHEMA alert_elsewhere;
CREATE TYPE alert_elsewhere.logscore_level AS ENUM ('critical', 'warning', 'ok');
SET search_path = alert_elsewhere, public;
SELECT logscore_severity(4) AS level, pg_typeof(logscore_severity(4)) = 'public.logscore_level'::regtype AS extension_type;
SELECT logscore_alert_state(z ORDER BY t) AS state FROM (VALUES (1, 6.0), (2, 6)) v(t, z);
RESET search_path;
DROP SCHEMA alert_elsewhere CASCADE;

-- many series at once with PARTITION BY service; parallel plans may run
-- the scan in workers, and the states equal a serial run
CREATE TABLE alert_events AS
SELECT s AS service, t,
       CASE WHEN (t + s) % 50 BETWEEN 10 AND 14 THEN 6.0 + s % 3
            WHEN (t * 7 + s) % 11 = 0 THEN NULL
            ELSE ((t * 7919 + s * 104729) % 1000) / 125.0 - 4 END::float8 AS z
FROM generate_series(1, 8) s, generate_series(1, 5000) t;
ANALYZE alert_events;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET logscore.alert_enter_after = 3;
EXPLAIN (COSTS OFF)
SELECT service, t, logscore_alert_state(z) OVER (PARTITION BY service ORDER BY t) FROM alert_events;
CREATE TEMP TABLE parallel_states AS
SELECT service, t, logscore_alert_state(z) OVER (PARTITION BY service ORDER BY t) AS state FROM alert_events;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial_states AS
SELECT service, t, logscore_alert_state(z) OVER (PARTITION BY service ORDER BY t) AS state FROM alert_events;
SELECT count(*) AS rows, count(*) FILTER (WHERE p.state IS DISTINCT FROM s.state) AS differing
FROM parallel_states p JOIN serial_states s USING (service, t);
SELECT state, count(*) FROM serial_states GROUP BY state ORDER BY state;
-- severity in workers with the leader's settings
SET max_parallel_workers_per_gather = 2;
SET logscore.alert_warning = 1;
SET logscore.alert_critical = 1.5;
EXPLAIN (COSTS OFF) SELECT logscore_severity(z), count(*) FROM alert_events GROUP BY 1;
SELECT logscore_severity(z), count(*) FROM alert_events GROUP BY 1 ORDER BY 1;
SELECT count(*) FILTER (WHERE logscore_severity(z)::text IS DISTINCT FROM
         CASE WHEN abs(z) >= 1.5 THEN 'critical' WHEN abs(z) >= 1 THEN 'warning'
              WHEN z IS NOT NULL THEN 'ok' END) AS differing_from_plain_sql
FROM alert_events;
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;
RESET logscore.alert_warning;
RESET logscore.alert_critical;
RESET logscore.alert_enter_after;

DROP TABLE alert_series, alert_events;
