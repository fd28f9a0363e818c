-- logscore_alert_onset: the rows where logscore_alert_state rises, with an
-- optional cool-down in rows or in time
\set SHOW_CONTEXT never

-- a series to read: the state, its onsets, and the onsets with a cool-down
-- of 6 rows and of 5 minutes (one row a minute).  Row 12 rises to warning
-- 6 rows after the critical onset of row 6: held back by the 6 rows, not by
-- the 5 minutes; row 17 rises to critical 11 rows after it: reported by
-- both
SELECT i, z, logscore_alert_state(z) OVER w AS state, logscore_alert_onset(z) OVER w AS onset,
       logscore_alert_onset(z, 6) OVER w AS onset_6_rows,
       logscore_alert_onset(z, timestamptz '2026-03-01 00:00+00' + i * interval '1 minute', '5 minutes') OVER w
         AS onset_5_minutes
FROM unnest('{0.4,3.8,3.5,4.1,6.2,5.8,2.7,1.2,0.8,1.9,3.3,3.9,0.3,0.1,0.2,6,7,8,1,1,1}'::float8[])
     WITH ORDINALITY AS t(z, i)
WINDOW w AS (ORDER BY i ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW);

-- an escalation is news even while cooling down: warning then critical
-- within the cool-down of the warning's onset; a second warning is not
SELECT i, z, logscore_alert_onset(z, 1, 3, 0.5, 1, 1, 100) OVER w AS onset
FROM unnest('{2,0,2,4,0,2,4}'::float8[]) WITH ORDINALITY AS t(z, i)
WINDOW w AS (ORDER BY i ROWS UNBOUNDED PRECEDING);

-- many series, with NULLs: without a cool-down the onsets are exactly the
-- rows where logscore_alert_state is above the row before's
CREATE TABLE onset_events AS
SELECT s AS service, t, timestamptz '2026-03-01 00:00+00' + t * interval '1 minute' + (s * 7 % 5) * interval '1 second' AS ts,
       CASE WHEN (t + s) % 50 BETWEEN 10 AND 14 THEN 6.0 + s % 3
            WHEN (t * 7 + s) % 11 = 0 THEN NULL
            ELSE ((t * 7919 + s * 104729) % 1000) / 125.0 - 4 END::float8 AS z
FROM generate_series(1, 8) s, generate_series(1, 3000) t;
CREATE VIEW onset_scored AS
SELECT service, t, ts, z,
       logscore_alert_state(z) OVER w AS state,
       logscore_alert_onset(z) OVER w AS onset,
       logscore_alert_onset(z, 2, 4, 1, 2, 2) OVER w AS onset_explicit,
       logscore_alert_onset(z, 30) OVER w AS onset_rows,
       logscore_alert_onset(z, 2, 4, 1, 2, 2, 30) OVER w AS onset_rows_explicit,
       logscore_alert_onset(z, ts, '45 minutes') OVER w AS onset_time,
       logscore_alert_onset(z, 2, 4, 1, 2, 2, ts, '45 minutes') OVER w AS onset_time_explicit
FROM onset_events
WINDOW w AS (PARTITION BY service ORDER BY t ROWS UNBOUNDED PRECEDING);
SET logscore.alert_warning = 2;
SET logscore.alert_critical = 4;
SET logscore.alert_clear = 1;
SET logscore.alert_enter_after = 2;
SET logscore.alert_exit_after = 2;
CREATE TEMP TABLE onset_serial AS SELECT * FROM onset_scored;
SELECT count(*) AS rows, count(onset) AS onsets,
       count(*) FILTER (WHERE onset IS DISTINCT FROM rise) AS not_a_rise,
       count(*) FILTER (WHERE onset IS DISTINCT FROM onset_explicit
                           OR onset_rows IS DISTINCT FROM onset_rows_explicit
                           OR onset_time IS DISTINCT FROM onset_time_explicit) AS settings_differ,
       count(onset_rows) AS onsets_30_rows, count(onset_time) AS onsets_45_minutes
FROM (SELECT *, CASE WHEN state > coalesce(lag(state) OVER (PARTITION BY service ORDER BY t), 'ok')
                     THEN state END AS rise
      FROM onset_serial) s;

-- the cool-downs against a reference in PL/pgSQL: walk the rises in order,
-- report one unless it comes within the cool-down of the last reported
-- onset and is not above that onset's level
CREATE FUNCTION onset_reference(rows_span int, time_span interval)
RETURNS TABLE (service int, t int, onset logscore_level)
LANGUAGE plpgsql AS $$
DECLARE
  r record;
  last_service int := NULL;
  last_row int;
  last_ts timestamptz;
  last_level logscore_level;
  rose logscore_level;
BEGIN
  FOR r IN SELECT s.service, s.t, s.ts, s.state,
                  coalesce(lag(s.state) OVER (PARTITION BY s.service ORDER BY s.t), 'ok') AS before
           FROM onset_serial s ORDER BY s.service, s.t
  LOOP
    IF last_service IS DISTINCT FROM r.service THEN
      last_service := r.service; last_row := NULL; last_ts := NULL; last_level := NULL;
    END IF;
    rose := CASE WHEN r.state > r.before THEN r.state END;
    IF rose IS NOT NULL AND last_level IS NOT NULL AND rose <= last_level
       AND ((rows_span IS NOT NULL AND r.t - last_row <= rows_span)
            OR (time_span IS NOT NULL AND r.ts < last_ts + time_span)) THEN
      rose := NULL;
    END IF;
    IF rose IS NOT NULL THEN
      last_row := r.t; last_ts := r.ts; last_level := rose;
    END IF;
    service := r.service; t := r.t; onset := rose;
    RETURN NEXT;
  END LOOP;
END $$;
SELECT count(*) AS rows,
       count(*) FILTER (WHERE s.onset_rows IS DISTINCT FROM r.onset) AS rows_cooldown_differs
FROM onset_serial s JOIN onset_reference(30, NULL) r USING (service, t);
SELECT count(*) AS rows,
       count(*) FILTER (WHERE s.onset_time IS DISTINCT FROM r.onset) AS time_cooldown_differs
FROM onset_serial s JOIN onset_reference(NULL, '45 minutes') r USING (service, t);
DROP FUNCTION onset_reference(int, interval);

-- in parallel workers the scan runs below a Gather and the onsets above it,
-- with the leader's settings: the same answers
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
CREATE TEMP TABLE onset_parallel AS SELECT * FROM onset_scored;
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;
SELECT count(*) AS rows,
       count(*) FILTER (WHERE (p.onset, p.onset_rows, p.onset_time)
                              IS DISTINCT FROM (s.onset, s.onset_rows, s.onset_time)) AS differing
FROM onset_parallel p JOIN onset_serial s USING (service, t);

RESET logscore.alert_warning;
RESET logscore.alert_critical;
RESET logscore.alert_clear;
RESET logscore.alert_enter_after;
RESET logscore.alert_exit_after;

-- a plain aggregate: the onset of the last row in its ORDER BY
SELECT logscore_alert_onset(z ORDER BY i) AS last_row_onset,
       logscore_alert_onset(z ORDER BY i) FILTER (WHERE i <= 3) AS onset_at_3
FROM unnest('{0.4,6,6,1}'::float8[]) WITH ORDINALITY AS t(z, i);
SELECT logscore_alert_onset(z ORDER BY i) AS rising_last
FROM unnest('{0.4,6,6}'::float8[]) WITH ORDINALITY AS t(z, i);

-- NULL z is no evidence and no onset, but a row of a cool-down in rows
SELECT i, z, logscore_alert_onset(z, 1, 3, 0.5, 1, 1) OVER w AS onset,
       logscore_alert_onset(z, 1, 3, 0.5, 1, 1, 2) OVER w AS onset_2_rows
FROM unnest('{5,0,NULL,NULL,5,0,5}'::float8[]) WITH ORDINALITY AS t(z, i)
WINDOW w AS (ORDER BY i ROWS UNBOUNDED PRECEDING);

-- errors
SELECT logscore_alert_onset(z, -1) OVER (ORDER BY z) FROM (VALUES (1.0::float8)) t(z);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_alert_onset(z, NULL::int) OVER (ORDER BY z) FROM (VALUES (1.0::float8)) t(z);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_alert_onset(z, NULL::timestamptz, '1 hour') OVER (ORDER BY z) FROM (VALUES (1.0::float8)) t(z);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_alert_onset(z, now(), NULL) OVER (ORDER BY z) FROM (VALUES (1.0::float8)) t(z);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_alert_onset(z, 'infinity', '1 hour') OVER (ORDER BY z) FROM (VALUES (1.0::float8)) t(z);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_alert_onset(z, now(), '1 month') OVER (ORDER BY z) FROM (VALUES (1.0::float8)) t(z);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_alert_onset(z, now(), '-1 hour') OVER (ORDER BY z) FROM (VALUES (1.0::float8)) t(z);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_alert_onset(z) OVER (ORDER BY z) FROM (VALUES ('NaN'::float8)) t(z);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_alert_onset(z, 5, 3, 1, 1, 1) OVER (ORDER BY z) FROM (VALUES (1.0::float8)) t(z);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_alert_onset(z, 3, 5, NULL, 1, 1, 4) OVER (ORDER BY z) FROM (VALUES (1.0::float8)) t(z);
\echo :LAST_ERROR_SQLSTATE
SET logscore.alert_warning = 9;
SET logscore.alert_critical = 4;
SELECT logscore_alert_onset(z) OVER (ORDER BY z) FROM (VALUES (1.0::float8)) t(z);
\echo :LAST_ERROR_SQLSTATE
RESET logscore.alert_warning;
RESET logscore.alert_critical;

-- the forms and their labels: the setting forms' transition functions are
-- STABLE, the explicit ones IMMUTABLE, all PARALLEL SAFE
SELECT p.oid::regprocedure AS function, p.provolatile, p.proparallel
FROM pg_proc p WHERE p.proname LIKE 'logscore_alert_onset%'
ORDER BY p.oid::regprocedure::text COLLATE "C";

DROP VIEW onset_scored;
DROP TABLE onset_events;
