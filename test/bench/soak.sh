# shellcheck shell=bash disable=SC2154
# test/bench/soak.sh: the continuous pipeline's soak (issue 13), sourced by
# `bash test/bench/run.sh --soak [MINUTES]`; see run.sh's header for the
# options.  Sourced after run.sh's options and tools/common.sh.
#
# Three runs, each on a throwaway cluster of its own, made from the
# reference deployment's SQL blocks as docs/continuous-pipeline.md writes
# them (test/bench/soak/page.py extracts them by marker):
#
#   main         MINUTES (10): W writers shipping as fast as the server takes
#                them, the page's pg_cron jobs (rollup and alerts, partition
#                maintenance), a NOTIFY listener, R dashboard readers
#                (pgbench, one query a second each), and an incident: one
#                service's latencies times 10 for 3 minutes from 40% of the
#                run.  Then the correctness checks.
#   norollup     the same load without the sketch rollup (and so without
#                alerts): pg_cron's rollup job unscheduled
#   scorerollup  the score computed in the rollup (logscore(...) as its
#                expression) instead of a generated column at ingest
#
# The comparison runs last 40% of MINUTES, at most 4 and at least 1 minute,
# and have no incident.  Every run records the writers' rows per second, a
# 1-second sample (test/bench/soak/sample.py: rollup lag, WAL, CPU by kind
# of process, disk), pgbench's per-query log, the NOTIFYs received,
# pg_cron's job runs, pg_stat_statements and the server log's lock waits
# into one folder; test/bench/soak/report.py turns the folders into
# soak-results.md, soak-results.json and soak.png.

soak_usage() {
	echo "usage: bash test/bench/run.sh --soak [MINUTES] [--writers W] [--readers R] [--page FILE] [--out DIR]" >&2
	exit 2
}
[[ $SOAK_MINUTES =~ ^[1-9][0-9]*$ ]] || soak_usage
[[ $SOAK_WRITERS =~ ^[1-9][0-9]*$ ]] || soak_usage
[[ $SOAK_READERS =~ ^[1-9][0-9]*$ ]] || soak_usage
SOAK_PAGE=${SOAK_PAGE:-$LS_ROOT/docs/continuous-pipeline.md}
[ -f "$SOAK_PAGE" ] || { echo "no reference deployment at $SOAK_PAGE" >&2; exit 1; }
SOAK_PAGE=$(cd "$(dirname "$SOAK_PAGE")" && pwd)/$(basename "$SOAK_PAGE")

PYTHON=/usr/bin/python3
soak_dir=$bench_dir/soak
page() { "$PYTHON" "$soak_dir/page.py" "$SOAK_PAGE" "$@"; }

# The soak knobs, set in pipeline_settings right after the page's settings
# block: minute buckets as in production, but partitions of one minute and a
# retention of four, so that partitions are created and dropped during the
# run and the disk stays bounded (at 15M events a minute a minute's
# partition is about 1.2 GB).  The page's checks want retention > lateness +
# bucket + partition width (its default lateness is a minute).  The rest,
# lateness included, is the page's unless --lateness says otherwise.
SOAK_KNOBS="bucket = '1 minute', partition_width = '1 minute', partitions_ahead = 2, retention = '4 minutes'"
[ -n "$SOAK_LATENESS" ] && SOAK_KNOBS+=", lateness = '$SOAK_LATENESS'"
INCIDENT_SERVICE=checkout
INCIDENT_FACTOR=10
INCIDENT_SECONDS=180
ROLLUP=public.service_scores

# Server settings a log backend would use, each for a reason:
SOAK_SETTINGS=(
	# durable, as a log backend must be: ls_cluster_start turns fsync off for
	# throwaway test clusters, and a soak without it would measure commits
	# that never reach the disk (synchronous_commit stays on, its default)
	fsync=on
	# pg_cron runs the page's jobs; pg_stat_statements is the ceiling's evidence
	"shared_preload_libraries=pg_cron,pg_stat_statements"
	cron.database_name=postgres
	# the statements inside the rollup's CALL and the alert function too
	pg_stat_statements.track=all
	# the partitions being written and the rollup's re-read of the last
	# minutes (~2 GB at 15M events a minute) stay in memory
	shared_buffers=2GB
	# checkpoints by time, not forced every few seconds by WAL volume (a
	# checkpoint makes the next change of every page log the whole page):
	# at ~1.5 GB of WAL a minute, 16 GB lasts the 5 minutes
	max_wal_size=16GB
	checkpoint_timeout=5min
	# spreads a checkpoint's writes over most of the interval (the default,
	# said so: no write storm on the two cores)
	checkpoint_completion_target=0.9
	# wal_compression stays off: CPU, not WAL bandwidth, bounds ingest here
	# (the results show it), and compressing full-page images costs CPU.
	# autovacuum stays on, as in production: insert-only partitions are
	# vacuumed (PostgreSQL 13+) and its CPU is counted with the background's.
	# Lock waits over 1 s are logged: the evidence for partition DDL
	# queueing behind writers or the rollup.
	log_lock_waits=on
	deadlock_timeout=1s
	# pg_cron's jobs run in sessions of their own on the socket (no TCP)
	cron.use_background_workers=off
)

# the run's background processes, ended by pid
soak_pids=()
soak_cluster=
soak_stop_all() {
	local pid
	for pid in "${soak_pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${soak_pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	soak_pids=()
}
soak_cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	soak_stop_all
	[ -n "$soak_cluster" ] && ls_cluster_stop "$soak_cluster"
	cd /
	[ -n "${scratch:-}" ] && [ -z "${LS_KEEP:-}" ] && rm -rf "$scratch"
	[ -n "${scratch:-}" ] && [ -n "${LS_KEEP:-}" ] && say "kept $scratch"
	[ "$rc" -ne 0 ] && echo "soak FAILED (exit $rc)" >&2
	exit "$rc"
}

say "checking packages"
ls_install_packages "${LS_BASE_PACKAGES[@]}" "postgresql-$PG_MAJOR-cron" "postgresql-client-$PG_MAJOR" python3-matplotlib
ls_build_or_use_installed test/bench/run.sh
say "building the soak clients"
make -s -C "$LS_ROOT" soak-clients >/dev/null
SHIP=$soak_dir/ship
LISTEN=$soak_dir/listen
PGBENCH=$PG_BINDIR/pgbench
[ -x "$PGBENCH" ] || PGBENCH=$(command -v pgbench)

scratch=$(ls_scratch)
trap soak_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
cd "$scratch" || exit 1

# The page's blocks must all be there before anything runs.
mapfile -t blocks < <(page names pipeline)
mapfile -t boards < <(page names pipeline-dashboard)
[ ${#blocks[@]} -gt 0 ] || { echo "$SOAK_PAGE has no <!-- pipeline: NAME --> blocks" >&2; exit 1; }
for b in hour day board; do
	[[ " ${boards[*]} " == *" $b "* ]] || { echo "$SOAK_PAGE has no <!-- pipeline-dashboard: $b --> block" >&2; exit 1; }
done
say "the deployment: ${blocks[*]} (from ${SOAK_PAGE#"$LS_ROOT"/}); dashboards: ${boards[*]}"

# The harness's own sessions are named, for the sampler; not exported, or the
# next cluster's postmaster, started from this shell, would hand the name to
# pg_cron's job sessions (PGAPPNAME overrides their fallback_application_name)
sql() { PGAPPNAME=soak-harness ls_psql "$@"; }
sql_value() { PGAPPNAME=soak-harness ls_psql -At -c "$1"; }

# deploy MODE: the page's blocks in page order, the soak knobs after the
# settings block; scorerollup takes the score-in-rollup variant of the
# blocks, norollup unschedules the rollup job at the end.
deploy() {
	local mode=$1 b variant=()
	[ "$mode" = scorerollup ] && variant=(--score-in-rollup)
	sql -c "CREATE EXTENSION logscore; CREATE EXTENSION pg_cron; CREATE EXTENSION pg_stat_statements;" >/dev/null
	for b in "${blocks[@]}"; do
		page sql pipeline "$b" "${variant[@]}" >"$run_dir/block-$b.sql"
		sql -f "$run_dir/block-$b.sql" >/dev/null
		if [ "$b" = settings ]; then
			sql -c "UPDATE pipeline_settings SET $SOAK_KNOBS" >/dev/null
		fi
	done
	for b in hour day board; do
		page sql pipeline-dashboard "$b" >"$run_dir/$b.sql"
	done
	if [ "$mode" = norollup ]; then
		sql_value "SELECT cron.unschedule('pipeline-rollup')" >/dev/null
	fi
}

# cron_pause / cron_resume: no job starts while the harness sets up
cron_pause() {
	sql_value "UPDATE cron.job SET active = false" >/dev/null
	# the jobs already started end first
	while [ "$(sql_value "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pg_cron' AND pid <> pg_backend_pid()")" != 0 ]; do
		sleep 0.5
	done
}
cron_resume() { sql_value "UPDATE cron.job SET active = true" >/dev/null; }

# baseline: a day of history (the shared generator's events, 2,000 a minute,
# up to 5 minutes ago) in a partition of its own, rolled up, so that the
# dashboards read a day of minutes, as they would in production; then the
# page's baseline job's command, run once as pg_cron would at night; then the
# history partition dropped, as retention would (the rollup keeps its
# buckets).
HISTORY_EVENTS=2880000
baseline() {
	local cmd
	sql -v generator="$LS_ROOT/tools/generate_events.sql" -v rows="$HISTORY_EVENTS" >/dev/null <<'SQL'
CREATE TEMP TABLE history (id bigint, ts timestamptz, service text, value bigint);
SELECT setseed(0.42);
SELECT 'history' AS tbl, 1 AS lo, :rows AS hi, :rows AS rows,
       now() - interval '1445 minutes' AS start, interval '24 hours' AS span \gset
\i :generator
SELECT format('CREATE TABLE soak_history (LIKE events INCLUDING DEFAULTS INCLUDING GENERATED)'),
       format('ALTER TABLE events ATTACH PARTITION soak_history FOR VALUES FROM (%L) TO (%L)',
              now() - interval '1446 minutes', now() - interval '5 minutes') \gexec
INSERT INTO events (ts, service, value) SELECT ts, service, value FROM history;
SQL
	sql -c "CALL logscore_rollup_run('$ROLLUP')" 2>/dev/null
	cmd=$(sql_value "SELECT command FROM cron.job WHERE jobname = 'pipeline-baseline'")
	[ -n "$cmd" ] || { echo "the page schedules no 'pipeline-baseline' job" >&2; return 1; }
	sql -c "$cmd" >/dev/null
	sql -c "DROP TABLE soak_history" >/dev/null
}

# soak_run NAME MINUTES MODE: one run into $scratch/NAME/out
soak_run() {
	local name=$1 minutes=$2 mode=$3 secs i t0 inc_start inc_secs=0 pm wait_until
	secs=$((minutes * 60))
	run_dir=$scratch/$name
	mkdir -p "$run_dir/out"
	[ "$(id -u)" -eq 0 ] && chown -R "$LS_RUN_USER" "$run_dir"
	say "$name: a cluster, the deployment ($mode)"
	soak_cluster=$run_dir
	unset PGAPPNAME
	ls_cluster_start "$run_dir" "${SOAK_SETTINGS[@]}" "cron.host=$run_dir"
	deploy "$mode"
	cron_pause
	# every run, norollup too: its dashboards then read the same day of
	# minutes, and the runs differ by the rollup job only
	say "$name: a day of history, rolled up, and the baseline job's command"
	baseline
	sql_value "SELECT pg_stat_statements_reset()" >/dev/null
	cron_resume

	t0=$(date +%s)
	if [ "$mode" = main ]; then
		# 40% into the run, but early enough for two whole minutes of it
		inc_start=$((secs * 2 / 5))
		((inc_start > secs - 150)) && inc_start=$((secs - 150))
		((inc_start < 0)) && inc_start=0
		inc_secs=$INCIDENT_SECONDS
		((inc_start + inc_secs > secs)) && inc_secs=$((secs - inc_start))
		inc_start=$((t0 + inc_start))
	fi
	{
		echo "name	$name"
		echo "mode	$mode"
		echo "minutes	$minutes"
		echo "writers	$SOAK_WRITERS"
		echo "readers	$SOAK_READERS"
		echo "start	$t0"
		echo "incident_service	$INCIDENT_SERVICE"
		echo "incident_start	${inc_start:-}"
		echo "incident_seconds	$inc_secs"
		echo "incident_factor	$INCIDENT_FACTOR"
		echo "load_before	$(cut -d' ' -f1-3 /proc/loadavg)"
		echo "knobs	$(sql_value "SELECT row_to_json(s) FROM pipeline_settings s")"
	} >"$run_dir/out/meta.tsv"

	say "$name: $minutes min: $SOAK_WRITERS writers, $SOAK_READERS readers, pg_cron's jobs${inc_start:+, the incident at +$((inc_start - t0)) s for $inc_secs s}"
	pm=$(head -n1 "$run_dir/data/postmaster.pid")
	PGAPPNAME=soak-sampler "$PYTHON" "$soak_dir/sample.py" --seconds $((secs + 5)) --root $$ \
		--postmaster "$pm" --rollup "$ROLLUP" --psql "$PG_BINDIR/psql" --out "$run_dir/out/samples.tsv" \
		--waits "$run_dir/out/waits.tsv" &
	soak_pids+=($!)
	PGAPPNAME=soak-listen "$LISTEN" >"$run_dir/out/notify.tsv" 2>"$run_dir/listen.err" &
	soak_pids+=($!)
	local listen_pid=$!
	until grep -q '^listening' "$run_dir/listen.err"; do
		kill -0 "$listen_pid" 2>/dev/null || { cat "$run_dir/listen.err" >&2; return 1; }
		sleep 0.1
	done
	local writer_pids=()
	for ((i = 1; i <= SOAK_WRITERS; i++)); do
		PGAPPNAME=soak-ship "$SHIP" --rate 0 --seconds "$secs" --seed "$i" \
			${inc_start:+--incident "$INCIDENT_SERVICE:$inc_start:$inc_secs:$INCIDENT_FACTOR"} \
			>"$run_dir/out/ship-$i.tsv" 2>"$run_dir/out/ship-$i.err" &
		writer_pids+=($!)
	done
	soak_pids+=("${writer_pids[@]}")
	(cd "$run_dir" && PGAPPNAME=pgbench exec "$PGBENCH" -n -c "$SOAK_READERS" -j "$SOAK_READERS" -R "$SOAK_READERS" -T "$secs" \
		-f hour.sql -f day.sql -f board.sql -l --log-prefix=out/pgbench >pgbench.out 2>&1) &
	soak_pids+=($!)
	local pgbench_pid=$!

	# what the COPY backends spend their CPU on: perf, 10 s, halfway
	if [ "$mode" = main ] && command -v perf >/dev/null && [ "$(id -u)" -eq 0 ]; then
		(
			sleep $((secs / 2))
			pids=$(sql_value "SELECT string_agg(pid::text, ',') FROM pg_stat_activity WHERE application_name = 'soak-ship'")
			[ -n "$pids" ] || exit 0
			perf record -q -F 499 -p "$pids" -o "$run_dir/perf.data" -- sleep 10 >/dev/null 2>&1 &&
				for sort in dso dso,symbol; do
					perf report -i "$run_dir/perf.data" --stdio --sort "$sort" --percent-limit 0.8 2>/dev/null |
						grep -v '^#' | grep -v '^$'
					echo
				done >"$run_dir/out/perf-copy.txt"
			rm -f "$run_dir/perf.data"
		) &
		soak_pids+=($!)
	fi

	local failed=0
	for i in "${!writer_pids[@]}"; do
		if ! wait "${writer_pids[$i]}"; then
			echo "writer $((i + 1)) failed:" >&2
			cat "$run_dir/out/ship-$((i + 1)).err" >&2
			failed=1
		fi
	done
	wait "$pgbench_pid" || { cat "$run_dir/pgbench.out" >&2; failed=1; }
	echo "load_after	$(cut -d' ' -f1-3 /proc/loadavg)" >>"$run_dir/out/meta.tsv"
	((failed == 0)) || return 1

	# The incident's alert: it may come after the writers end (in a short
	# run); wait for it, at most 5 minutes from the incident's start.
	if [ "$mode" = main ]; then
		wait_until=$((inc_start + 300))
		until grep -q "\"service\" *: *\"$INCIDENT_SERVICE\"" "$run_dir/out/notify.tsv" ||
			(($(date +%s) >= wait_until)); do
			sleep 1
		done
	fi
	echo "end	$(date +%s)" >>"$run_dir/out/meta.tsv"

	# the end: no job runs any more, one last rollup run, the checks
	soak_stop_all
	cron_pause
	# what the load did, before the checks add statements of their own
	collect_load
	say "$name: the checks"
	if [ "$mode" != norollup ]; then
		sql -c "CALL logscore_rollup_run('$ROLLUP')" 2>/dev/null
	fi
	collect_checks "$mode" "$t0"
	ls_cluster_stop "$run_dir"
	soak_cluster=
	cp "$run_dir/server.log" "$run_dir/out/server.log"
	rm -rf "$run_dir/data"
}

# collect_load: pg_cron's job runs and pg_stat_statements, into out/
collect_load() {
	local out=$run_dir/out
	sql -At -F $'\t' -c "
	SELECT j.jobname, d.status, extract(epoch FROM d.start_time), extract(epoch FROM d.end_time - d.start_time),
	       replace(d.return_message, E'\n', ' ')
	FROM cron.job_run_details d LEFT JOIN cron.job j USING (jobid) ORDER BY d.start_time" >"$out/cron.tsv"
	sql -At -F $'\t' -c "
	SELECT round(total_exec_time::numeric, 1), calls, rows, round(mean_exec_time::numeric, 3),
	       left(regexp_replace(query, '\s+', ' ', 'g'), 160)
	FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 12" >"$out/statements.tsv"
	sql -At -F $'\t' -c "SELECT * FROM logscore_rollup_health" >"$out/rollup_health.tsv" 2>/dev/null || :
}

# collect_checks MODE T0: the correctness checks' answers and the alerts,
# into out/
collect_checks() {
	local mode=$1 t0=$2 out=$run_dir/out
	sql -At -F $'\t' >"$out/checks.tsv" <<SQL
-- every (service, minute) still in events: the rollup's count = count(*)
SELECT 'cells', count(*), count(*) FILTER (WHERE s.n IS DISTINCT FROM r.n)
FROM (SELECT service, date_trunc('minute', ts) AS bucket, count(*) AS n FROM events GROUP BY 1, 2) s
FULL JOIN (SELECT service, bucket, logscore_count(sketch) AS n FROM $ROLLUP
           WHERE bucket >= (SELECT date_trunc('minute', min(ts)) FROM events)
             AND '$mode' <> 'norollup') r USING (service, bucket);
-- the run's events in the rollup, dropped partitions included
SELECT 'rollup_total', coalesce(sum(logscore_count(sketch)), 0), 0 FROM $ROLLUP
WHERE bucket >= date_trunc('minute', to_timestamp($t0))
  AND '$mode' <> 'norollup';
SELECT 'events_now', count(*), 0 FROM events;
SQL
	sql -At -F $'\t' -c "SELECT service, bucket, state, z, noticed FROM alerts ORDER BY service, bucket" >"$out/alerts.tsv" 2>/dev/null || : >"$out/alerts.tsv"
}

# --- the runs ---------------------------------------------------------------

soak_t0=$(now_us)
cmp_minutes=$(((SOAK_MINUTES * 2 + 4) / 5))
((cmp_minutes > 4)) && cmp_minutes=4
((cmp_minutes < 1)) && cmp_minutes=1
soak_run main "$SOAK_MINUTES" main
soak_run norollup "$cmp_minutes" norollup
soak_run scorerollup "$cmp_minutes" scorerollup

cmd="bash test/bench/run.sh --soak $SOAK_MINUTES"
[ "$SOAK_WRITERS" != 4 ] && cmd+=" --writers $SOAK_WRITERS"
[ "$SOAK_READERS" != 2 ] && cmd+=" --readers $SOAK_READERS"
[ "$SOAK_PAGE" != "$LS_ROOT/docs/continuous-pipeline.md" ] && cmd+=" --page ${SOAK_PAGE#"$LS_ROOT"/}"
[ -n "$SOAK_LATENESS" ] && cmd+=" --lateness '$SOAK_LATENESS'"
{
	echo "command	$cmd"
	echo "date	$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "cpu	$(lscpu | sed -n 's/^Model name: *//p' | head -n1)"
	echo "cores	$(nproc)"
	echo "memory	$(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
	echo "postgresql	$("$PG_BINDIR/postgres" --version)"
	echo "pg_cron	$(dpkg-query -W -f='${Version}' "postgresql-$PG_MAJOR-cron" 2>/dev/null || echo '?')"
	echo "git	$(git -C "$LS_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$LS_ROOT" diff --quiet HEAD -- src sql docs/continuous-pipeline.md test/bench/soak 2>/dev/null || echo ' (modified)')"
	echo "page	${SOAK_PAGE#"$LS_ROOT"/}"
	echo "settings	${SOAK_SETTINGS[*]}"
	echo "knobs	$SOAK_KNOBS"
	echo "run_seconds	$((($(now_us) - soak_t0) / 1000000))"
} >"$scratch/meta.tsv"
out=${OUT:-$bench_dir}
mkdir -p "$out"
"$PYTHON" "$soak_dir/report.py" collect "$scratch/meta.tsv" "$scratch/main/out" "$scratch/norollup/out" \
	"$scratch/scorerollup/out" >"$out/soak-results.json"
"$PYTHON" "$soak_dir/report.py" render "$out/soak-results.json" "$out/soak-results.md" "$out/soak.png"
say "wrote $out/soak-results.{json,md} and soak.png in $(elapsed "$soak_t0")"
