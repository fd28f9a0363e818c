-- The day dashboard of docs/continuous-pipeline.md, from minute sketches
-- (before the hourly level) and from hours plus the current hour's minutes
-- (after), side by side in one session, on a day of minute sketches for 50
-- services (72,000), and the cost of one run's roll of the coarse level.
-- The two statements are the page's `day` dashboard before and after the
-- hourly level (commit 9bee3f4): keep them in step with the page.
--   psql -X -d DB_WITH_LOGSCORE -f test/bench/day_dashboard.sql
-- Everything is made in the schema day_bench, dropped at the end.
\set ON_ERROR_STOP on
CREATE SCHEMA day_bench;
SET search_path = day_bench, public;
CREATE TABLE pipeline_settings (one boolean PRIMARY KEY DEFAULT true, coarse_bucket interval NOT NULL DEFAULT '1 hour');
INSERT INTO pipeline_settings DEFAULT VALUES;
-- the rollup's target, as logscore_rollup_create makes it; 100 scores a
-- sketch, lognormal latencies, scored as the page's pipeline does (x2, and
-- one in seven squared, here x1000)
CREATE TABLE service_scores (bucket timestamptz NOT NULL, service text, sketch logscore_sketch, PRIMARY KEY (bucket, service));
INSERT INTO service_scores
SELECT b, 'service-' || s,
       logscore_sketch(round(exp(7 + 1.2 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))
                             * CASE WHEN i % 7 = 0 THEN 1000 ELSE 2 END))
FROM generate_series(date_bin('1 minute', now() - interval '1 day', '2000-01-01 00:00:00+00'), now(), interval '1 minute') b,
     generate_series(1, 50) s, generate_series(1, 100) i
GROUP BY 1, 2;
CREATE TABLE service_scores_hour (service text NOT NULL, hour timestamptz NOT NULL, sketch logscore_sketch, PRIMARY KEY (service, hour));
\timing on
-- every hour of the day, from its minutes (once)
INSERT INTO service_scores_hour (service, hour, sketch)
SELECT service, date_bin(interval '1 hour', bucket, '2000-01-01 00:00:00+00'), logscore_merge(sketch)
FROM service_scores GROUP BY 1, 2;
VACUUM ANALYZE service_scores, service_scores_hour;
-- one run's roll, as pipeline_roll_hours does it (the current hour): with
-- nothing changed, then rewriting the current hour's 50 rows
INSERT INTO service_scores_hour AS h (service, hour, sketch)
SELECT m.service, date_bin(interval '1 hour', m.bucket, '2000-01-01 00:00:00+00'), logscore_merge(m.sketch)
FROM service_scores m WHERE m.bucket >= date_bin(interval '1 hour', now() - interval '1 minute', '2000-01-01 00:00:00+00')
GROUP BY 1, 2
ON CONFLICT (service, hour) DO UPDATE SET sketch = excluded.sketch
WHERE logscore_same_distribution(h.sketch, excluded.sketch) IS NOT TRUE;
INSERT INTO service_scores_hour AS h (service, hour, sketch)
SELECT m.service, date_bin(interval '1 hour', m.bucket, '2000-01-01 00:00:00+00'), logscore_merge(m.sketch)
FROM service_scores m WHERE m.bucket >= date_bin(interval '1 hour', now() - interval '1 minute', '2000-01-01 00:00:00+00')
GROUP BY 1, 2
ON CONFLICT (service, hour) DO UPDATE SET sketch = excluded.sketch;
\timing off
-- the two day dashboards, ten times each, alternating: before, after
\set before 'SELECT service, logscore_count(s) AS events, round(logscore_quantile(s, 0.5)) AS p50, round(logscore_quantile(s, 0.99)) AS p99 FROM (SELECT service, logscore_merge(sketch) AS s FROM service_scores WHERE bucket >= now() - interval \'1 day\' GROUP BY service) last_day ORDER BY events DESC, service'
\set after 'WITH w AS (SELECT date_bin((SELECT coarse_bucket FROM pipeline_settings), now(), \'2000-01-01 00:00:00+00\') AS this_hour) SELECT service, logscore_count(s) AS events, round(logscore_quantile(s, 0.5)) AS p50, round(logscore_quantile(s, 0.99)) AS p99 FROM (SELECT service, logscore_merge(sketch) AS s FROM (SELECT h.service, h.sketch FROM service_scores_hour h, w WHERE h.hour >= w.this_hour - interval \'1 day\' AND h.hour < w.this_hour UNION ALL SELECT m.service, m.sketch FROM service_scores m, w WHERE m.bucket >= w.this_hour) parts GROUP BY service) last_day ORDER BY events DESC, service'
\o /dev/null
\timing on
:before; :after; :before; :after; :before; :after; :before; :after; :before; :after;
:before; :after; :before; :after; :before; :after; :before; :after; :before; :after;
\timing off
\o
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) :before;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) :after;
RESET search_path;
DROP SCHEMA day_bench CASCADE;
