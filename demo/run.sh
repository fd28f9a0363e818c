#!/usr/bin/env bash
# demo/run.sh: the README's main job, `bash demo/run.sh`.
#
# Shows logscore end to end on a throwaway cluster: a million realistic log
# events with an incident in them, scored with the founding pipeline and with
# pipelines of one's own, a per-service summary, the founding sum, the
# parallel plan, per-minute latency sketches and a chart drawn from them, and
# the incident found: minute scores against a baseline, alert states and a
# chart of the episode.  Run it as root on a fresh Debian 12 (it installs what
# it needs), or as any user once the packages and the extension are installed.
# It leaves nothing behind but the charts: demo/output/latency.png and
# incident.png, or in the folder LS_DEMO_OUTPUT names.
set -euo pipefail

demo_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/../tools/common.sh
source "$demo_dir/../tools/common.sh"

# Where the charts go, made absolute now: a relative LS_DEMO_OUTPUT means
# relative to where the demo was started, not to the folders it moves into.
charts=${LS_DEMO_OUTPUT:-$demo_dir/output}
charts=${charts%/}
[[ $charts == /* ]] || charts=$PWD/$charts
chart=$charts/latency.png
incident_chart=$charts/incident.png
# PostgreSQL's programs complain when started in a folder they cannot read.
cd "$LS_ROOT"

# Repeatable: the same seed gives the same events, so the tables below are
# comparable from run to run (only the timestamps move with the clock).
EVENTS=1000000
SEED=0.42
FOUNDING_SUM=190478476194285708
SLOW='bucket(1000) | threshold(250)'   # µs -> ms, then 1 when >= 250 ms
CLASS='abs | log2 | clamp(0, 20)'      # order of magnitude in µs; 20 means >= ~1 s
# The incident: checkout's latency eight times its usual for 20 minutes,
# starting three hours before the newest events.
INCIDENT_SERVICE=checkout
INCIDENT_FACTOR=8
INCIDENT_MINUTES=20

demo_t0=$(now_us)
step_t0=

finish_step() {
	if [ -n "$step_t0" ]; then
		took "$step_t0" 2
	fi
	step_t0=
}

step() {
	finish_step
	say "$*"
	step_t0=$(now_us)
}

sql() { ls_psql -P footer=off "$@"; }

# --- setup ---------------------------------------------------------------

step "checking packages"
ls_install_packages "${LS_BASE_PACKAGES[@]}" python3-matplotlib

# Without root the install directories are not ours, so a user who has the
# packages runs against the extension root installed earlier.
ls_build_or_use_installed demo/run.sh

scratch=
ls_cleanup_on_exit scratch

step "starting a throwaway PostgreSQL $PG_MAJOR cluster"
scratch=$(ls_scratch)
# As root the server runs as another account, which may not read our folder.
cd "$scratch"
ls_cluster_start "$scratch"

# --- 1 -------------------------------------------------------------------

step "1. CREATE EXTENSION logscore; the default pipeline, as it compiles"
sql <<'SQL'
CREATE EXTENSION logscore;
SELECT current_setting('logscore.pipeline') AS "logscore.pipeline";
SELECT * FROM logscore_explain();
SQL

# --- 2 -------------------------------------------------------------------

step "2. generating 1,000,000 log events, with an incident: $INCIDENT_SERVICE ${INCIDENT_FACTOR}x slower for $INCIDENT_MINUTES minutes, 3 hours ago ..."
sql -v events="$EVENTS" -v seed="$SEED" -v generator="$LS_ROOT/tools/generate_events.sql" \
	-v service="$INCIDENT_SERVICE" -v factor="$INCIDENT_FACTOR" -v minutes="$INCIDENT_MINUTES" <<'SQL'
CREATE TABLE events (id bigint, ts timestamptz, service text, value bigint);

SELECT setseed(:seed) \g /dev/null

-- the shared generator (see it for what the events look like), over the
-- last 24 hours
SELECT 'events' AS tbl, 1 AS lo, :events AS hi, :events AS rows,
       now() - interval '24 hours' AS start, interval '24 hours' AS span \gset
\i :generator

-- the incident, written into the events as a slowdown would have; the table
-- only lets step 9 check what it finds, it does not help finding it
CREATE TABLE demo_incident AS
SELECT :'service'::text AS service, t AS starts, t + :minutes * interval '1 minute' AS ends
FROM date_trunc('minute', now() - interval '3 hours') t;
UPDATE events e SET value = value * :factor
FROM demo_incident i
WHERE e.service = i.service AND e.value > 0 AND e.ts >= i.starts AND e.ts < i.ends;

VACUUM ANALYZE events;

\pset numericlocale on
SELECT count(*) AS events,
       count(DISTINCT service) AS services,
       count(*) FILTER (WHERE value = 0) AS zeros,
       count(*) FILTER (WHERE value < 0) AS negatives,
       date_trunc('second', max(ts) - min(ts)) AS spread
FROM events;
SQL

# --- 3 -------------------------------------------------------------------

step "3. scoring every event with three pipelines"
sql -v slow="$SLOW" -v class="$CLASS" <<'SQL'
-- Kept in a table, so step 4 summarises without scoring again.
CREATE TABLE scores AS
SELECT id, service, value,
       logscore(value) AS seed,
       logscore(value, :'slow') AS slow,
       logscore(value, :'class') AS class
FROM events;

\pset numericlocale on
SELECT c AS "column", p AS pipeline, s AS "sum of scores"
FROM (SELECT sum(seed), sum(slow), sum(class) FROM scores) t(a, b, d),
     LATERAL (VALUES ('seed',  current_setting('logscore.pipeline'), a),
                     ('slow',  :'slow', b),
                     ('class', :'class', d)) v(c, p, s);

\echo 'a few events: the first three, the slowest, a zero and a clock-skewed one'
(SELECT * FROM scores ORDER BY id LIMIT 3)
UNION ALL (SELECT * FROM scores ORDER BY value DESC, id LIMIT 1)
UNION ALL (SELECT * FROM scores WHERE value = 0 ORDER BY id LIMIT 1)
UNION ALL (SELECT * FROM scores WHERE value < 0 ORDER BY id LIMIT 1);

\echo 'the setting picks the pipeline: SET logscore.pipeline, then logscore(value)'
SET logscore.pipeline = :'slow';
SELECT current_setting('logscore.pipeline') AS "logscore.pipeline",
       sum(logscore(value)) AS "sum(logscore(value))",
       sum(slow) AS "sum(slow)"
FROM scores;

-- A row-by-row proof, not just equal sums; ON_ERROR_STOP makes it fatal.
DO $$
DECLARE
	differ bigint;
BEGIN
	SELECT count(*) INTO differ FROM scores
	WHERE logscore(value) IS DISTINCT FROM slow;
	IF differ > 0 THEN
		RAISE EXCEPTION 'logscore(value) under SET differs from the explicit form in % events', differ;
	END IF;
END
$$;
\echo 'every event: logscore(value) under SET = logscore(value, pipeline)'
RESET logscore.pipeline;
SQL

# --- 4 -------------------------------------------------------------------

step "4. the ten busiest services"
sql <<'SQL'
\pset numericlocale on
SELECT service,
       count(*) AS events,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY value) / 1000)::numeric, 1)
         AS "p50 ms",
       sum(seed) AS "sum of seed scores",
       round(100 * avg(slow), 2) AS "slow %",
       max(class) AS "max class"
FROM scores
GROUP BY service
ORDER BY count(*) DESC, service
LIMIT 10;
SQL
echo "  slow: >= 250 ms.  class: floor(log2(|µs|)), 20 and up shown as 20 (>= ~1 s)."

# --- 5 -------------------------------------------------------------------

step "5. the founding check"
echo "SELECT sum(logscore(x)) FROM generate_series(0, 999999) x;"
got=$(sql -At -c 'SELECT sum(logscore(x)) FROM generate_series(0, 999999) x')
echo "  got      $got"
echo "  expected $FOUNDING_SUM (the founding Python code's sum)"
if [ "$got" != "$FOUNDING_SUM" ]; then
	echo "  FAILED: the default pipeline no longer computes the founding sum" >&2
	exit 1
fi
echo "  OK"

# --- 6 -------------------------------------------------------------------

step "6. parallel: a scoring aggregate runs in PostgreSQL's own workers"
plan=$(sql <<'SQL'
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT service, sum(logscore(value)) FROM events GROUP BY service;
SQL
)
echo "$plan"
if ! grep -q 'Gather' <<<"$plan"; then
	echo "  FAILED: expected a Gather node in the plan" >&2
	exit 1
fi
echo "  logscore is PARALLEL SAFE: each worker scores its share of events and the leader combines the partial sums."

# --- 7 -------------------------------------------------------------------

step "7. per-service latency percentiles from logscore_sketch"
sql <<'SQL'
-- One sketch per service and minute (up to 50 x 1,440 rows), from which any
-- span's percentiles, for any service or all of them, are a merge away.
CREATE MATERIALIZED VIEW service_minute AS
SELECT service, date_trunc('minute', ts) AS minute, logscore_sketch(value) AS latency
FROM events
GROUP BY 1, 2;
CREATE UNIQUE INDEX ON service_minute (service, minute);
ANALYZE service_minute;

\pset numericlocale on
SELECT count(*) AS sketches,
       pg_size_pretty(pg_total_relation_size('service_minute')) AS "view size",
       pg_size_pretty(pg_total_relation_size('events')) AS "events size"
FROM service_minute;

\echo 'the whole day per service: logscore_merge(latency), then logscore_summary'
SELECT service,
       m.count AS events,
       round((m.p50 / 1000)::numeric, 1) AS "p50 ms",
       round((m.p90 / 1000)::numeric, 1) AS "p90 ms",
       round((m.p99 / 1000)::numeric, 1) AS "p99 ms",
       round((m.max / 1000)::numeric, 1) AS "max ms"
FROM (SELECT service, logscore_merge(latency) AS day
      FROM service_minute GROUP BY service) d,
     LATERAL logscore_summary(d.day) m
ORDER BY m.count DESC, service
LIMIT 10;

\echo 'p99 of the top three against the exact percentile_disc(0.99) over all their events'
CREATE TEMP TABLE p99_check AS
SELECT d.service,
       logscore_quantile(d.day, 0.99) AS sketch,
       (SELECT percentile_disc(0.99) WITHIN GROUP (ORDER BY e.value)
        FROM events e WHERE e.service = d.service) AS exact
FROM (SELECT service, logscore_merge(latency) AS day
      FROM service_minute GROUP BY service) d
ORDER BY logscore_count(d.day) DESC, d.service
LIMIT 3;

SELECT service,
       round((sketch / 1000)::numeric, 3) AS "sketch p99 ms",
       round((exact / 1000.0)::numeric, 3) AS "exact p99 ms",
       round((100 * abs(sketch - exact) / exact)::numeric, 3) AS "error %"
FROM p99_check
ORDER BY service;

-- The sketch promises a relative error of at most 1 % (alpha = 0.01).
DO $$
DECLARE
	worst double precision;
BEGIN
	SELECT max(abs(sketch - exact) / exact) INTO worst FROM p99_check;
	IF worst >= 0.01 THEN
		RAISE EXCEPTION 'sketch p99 is % %% off the exact percentile_disc', round((100 * worst)::numeric, 3);
	END IF;
END
$$;
SQL
echo "  every sketch p99 is within 1 % of the exact value (alpha = 0.01)."

echo "  new events arrive: 2,000 api-gateway requests in the next minute; refreshing ..."
sql <<'SQL'
\pset numericlocale on
CREATE TEMP TABLE before AS
SELECT count(*) AS sketches, sum(logscore_count(latency)) AS events FROM service_minute;

INSERT INTO events (id, ts, service, value)
SELECT (SELECT max(id) FROM events) + g,
       date_trunc('minute', now()) + interval '1 minute' + g * interval '10 ms',
       'api-gateway', 9000 + (g * 7919) % 20000
FROM generate_series(1, 2000) g;

-- CONCURRENTLY: readers of service_minute are not locked out while it runs;
-- only the rows that differ are written (the unique index makes it possible).
\timing on
REFRESH MATERIALIZED VIEW CONCURRENTLY service_minute;
\timing off

SELECT b.sketches AS "sketches before", a.sketches AS "sketches after",
       b.events AS "events before", a.events AS "events after"
FROM before b,
     (SELECT count(*) AS sketches, sum(logscore_count(latency)) AS events FROM service_minute) a;
SQL

# --- 8 -------------------------------------------------------------------

step "8. writing a chart: p50 and p99 of the three busiest services"
csv=$scratch/latency.csv
# psql writes to its stdout and the shell to the file: the scratch folder
# belongs to the server's account, and the chart is drawn as the caller.
sql -A -F, -t >"$csv" <<'SQL'
-- Five-minute sketches merged from the minutes: one-minute p99s of 50 to 120
-- events each would be mostly noise.  Six hours, up to the newest full five
-- minutes.
WITH top AS (
	SELECT service, row_number() OVER (ORDER BY sum(logscore_count(latency)) DESC, service) AS rank
	FROM service_minute
	GROUP BY service
	ORDER BY rank
	LIMIT 3
),
span AS (
	SELECT date_bin('5 minutes', max(minute), timestamptz '2000-01-01') AS upto
	FROM service_minute
),
slots AS (
	SELECT rank, service, date_bin('5 minutes', minute, timestamptz '2000-01-01') AS slot,
	       logscore_quantiles(logscore_merge(latency), '{0.5,0.99}') AS q
	FROM service_minute JOIN top USING (service), span
	WHERE minute >= upto - interval '6 hours' AND minute < upto
	GROUP BY 1, 2, 3
)
SELECT service, to_char(slot, 'YYYY-MM-DD"T"HH24:MI:SS'),
       round((q[1] / 1000)::numeric, 3), round((q[2] / 1000)::numeric, 3)
FROM slots
ORDER BY rank, slot;
SQL
echo "  psql -A -F, -t > latency.csv: $(wc -l <"$csv") rows of service, slot, p50 ms, p99 ms"
mkdir -p "$charts"
# Debian's python3, the one python3-matplotlib is for (a pyenv or venv
# python3 earlier in PATH would not have it).
/usr/bin/python3 "$demo_dir/chart.py" "$csv" "$chart" "$(sql -At -c 'SHOW TimeZone')"
echo "  wrote $chart"

# --- 9 -------------------------------------------------------------------

step "9. anomalies: every service's minutes scored against its baseline, alert states"
sql <<'SQL'
-- The baseline: each service's latency over the day before the last four
-- hours, merged from the minute sketches of step 7.
CREATE TABLE baseline AS
SELECT service, logscore_merge(latency) AS sketch
FROM service_minute
WHERE minute < (SELECT max(minute) FROM service_minute) - interval '4 hours'
GROUP BY service;

-- Every minute's median against its baseline, in robust standard deviations
-- (IQR / 1.349); a minute of fewer than 20 events is no evidence (z NULL).
-- Then each service's alert state, minute by minute, with hysteresis: up
-- after 2 minutes above, back to ok after 3 minutes of |z| < 2.
CREATE TABLE minute_states AS
SELECT service, minute, events, p50, z,
       logscore_severity(z) AS level,
       logscore_alert_state(z) OVER (PARTITION BY service ORDER BY minute) AS state,
       logscore_robust_zscore(p50) OVER (PARTITION BY service ORDER BY minute
                                         ROWS BETWEEN 60 PRECEDING AND CURRENT ROW) AS rz
FROM (SELECT m.service, m.minute, logscore_count(m.latency) AS events,
             logscore_quantile(m.latency, 0.5) AS p50,
             CASE WHEN logscore_count(m.latency) >= 20
                  THEN logscore_anomaly(logscore_quantile(m.latency, 0.5), b.sketch) END AS z
      FROM service_minute m JOIN baseline b USING (service)) scored;

\pset numericlocale on
SELECT count(*) AS "minutes scored", count(DISTINCT service) AS services,
       count(*) FILTER (WHERE z IS NULL) AS "no evidence (< 20 events)",
       count(*) FILTER (WHERE level = 'warning') AS "warning minutes",
       count(*) FILTER (WHERE level = 'critical') AS "critical minutes",
       count(*) FILTER (WHERE state <> 'ok') AS "minutes in alert"
FROM minute_states;

\echo 'alert episodes (consecutive minutes not ok), every service'
CREATE TABLE episodes AS
SELECT service, min(minute) AS starts, max(minute) + interval '1 minute' AS ends,
       max(state) AS worst, round(max(abs(z))::numeric, 1) AS "peak |z|"
FROM (SELECT *, count(*) FILTER (WHERE state = 'ok')
                OVER (PARTITION BY service ORDER BY minute) AS episode
      FROM minute_states) s
WHERE state <> 'ok'
GROUP BY service, episode;
SELECT service, to_char(starts, 'HH24:MI') AS "from", to_char(ends, 'HH24:MI') AS "to",
       worst, "peak |z|" FROM episodes ORDER BY starts;
SELECT round(max(abs(z))::numeric, 2) AS "largest |z| of any minute outside the incident"
FROM minute_states s, demo_incident i
WHERE NOT (s.service = i.service AND s.minute >= i.starts AND s.minute < i.ends);

\echo 'the injected incident, minute by minute (z: against the baseline; rz: robust z against the hour before)'
SELECT to_char(minute, 'HH24:MI') AS minute, events,
       round((p50 / 1000)::numeric, 1) AS "p50 ms",
       round(z::numeric, 1) AS z, level, state, round(rz::numeric, 1) AS rz
FROM minute_states s, demo_incident i
WHERE s.service = i.service
  AND s.minute >= i.starts - interval '3 minutes' AND s.minute < i.ends + interval '5 minutes'
ORDER BY minute;
\echo 'rz fades as slow minutes fill the hour it compares with: a sliding window adapts to a new normal, a stored baseline does not.'

\echo 'decayed statistics (half-life 15 minutes): logscore_ewm over the events up to each moment'
SELECT label AS "up to", round((logscore_mean(e) / 1000)::numeric, 1) AS "decayed mean ms",
       round((logscore_stddev(e) / 1000)::numeric, 1) AS "decayed stddev ms",
       logscore_count(e) AS events
FROM demo_incident i,
     LATERAL (VALUES ('the incident''s start', i.starts), ('its end', i.ends),
                     ('an hour after', i.ends + interval '1 hour')) v(label, upto),
     LATERAL (SELECT logscore_ewm(value, ts, '15 minutes') AS e FROM events
              WHERE service = i.service AND ts < v.upto) x;

-- Found, and only where it happened: the one episode is the incident's
-- service, critical, starting within three minutes of the incident and over
-- within five minutes of its end; ON_ERROR_STOP makes a miss, or a false
-- alert, fatal.
DO $$
DECLARE
	i record;
	found bigint;
	others bigint;
BEGIN
	SELECT * INTO i FROM demo_incident;
	SELECT count(*) FILTER (WHERE e.service = i.service AND e.worst = 'critical'
	                          AND e.starts >= i.starts AND e.starts <= i.starts + interval '3 minutes'
	                          AND e.ends >= i.ends AND e.ends <= i.ends + interval '5 minutes'),
	       count(*)
	INTO found, others FROM episodes e;
	IF found <> 1 THEN
		RAISE EXCEPTION 'the incident in % from % to % was not found as one critical episode', i.service, i.starts, i.ends;
	END IF;
	IF others > 1 THEN
		RAISE EXCEPTION '% alert episodes besides the incident', others - 1;
	END IF;
END
$$;
SQL
echo "  the incident is found, and nothing else: one critical episode of $INCIDENT_SERVICE, from within 3 minutes of its start to within 5 of its end."

step "10. writing a chart: the incident, its scores and its alert state"
csv=$scratch/incident.csv
sql -A -F, -t >"$csv" <<'SQL'
SELECT to_char(minute, 'YYYY-MM-DD"T"HH24:MI:SS'), round((p50 / 1000)::numeric, 3),
       coalesce(round(z::numeric, 2)::text, ''), state
FROM minute_states s, demo_incident i
WHERE s.service = i.service
  AND s.minute >= i.starts - interval '2 hours' AND s.minute < i.ends + interval '1 hour'
ORDER BY minute;
SQL
/usr/bin/python3 "$demo_dir/incident_chart.py" "$csv" "$incident_chart" "$INCIDENT_SERVICE" \
	"$(sql -At -c 'SHOW TimeZone')"
echo "  wrote $incident_chart"

finish_step
say "done in $(elapsed "$demo_t0" 2)"
