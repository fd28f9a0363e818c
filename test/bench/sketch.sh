# shellcheck shell=bash disable=SC2154
# test/bench/sketch.sh: the sketch section of the harness (issue 4, "Tests" ->
# "Benchmark"), sourced by `bash test/bench/run.sh --sketch` once the
# throwaway cluster runs; it uses run.sh's functions and settings (sql, meta,
# collect, marker, generate, ROUNDS, ...) and writes sketch-results.{csv,md}.
#
# 1. Aggregates over the 10M events: avg(value::float8) (the floor),
#    logscore_sketch (p50 and p99 through logscore_quantiles), the tdigest
#    extension (100 centroids), percentile_cont(0.99) and percentile_disc at
#    0.5 and 0.99 (the exact reference for the errors); serial and with one
#    parallel worker, JIT off, interleaved rounds after a discarded warm-up.
# 2. An incremental rollup vs a materialized view of the same per-minute,
#    per-service sketches: both built once over the 10M events, then 1M newer
#    events arrive, and CALL logscore_rollup_run is timed against REFRESH
#    MATERIALIZED VIEW (plain and CONCURRENTLY).  Each timed rollup run is
#    wrapped in BEGIN ... ROLLBACK (the ROLLBACK untimed), so every round
#    starts from the same watermark and target table.  The incremental run
#    has a discarded warm-up round; the refreshes, at ~half a minute each
#    over 11M events, have none beyond their first, populating run.

S_ROWS=$([ -n "$QUICK" ] && echo 200000 || echo 10000000)
S_NEW=$((S_ROWS / 10))
S_T=events_$(label "$S_ROWS")
S_QUANTILES="'{0.5,0.99}'::float8[]"
meta section sketch
meta rows "$S_ROWS"
meta new_rows "$S_NEW"

say "creating the extensions logscore and tdigest"
sql -c 'CREATE EXTENSION logscore' -c 'CREATE EXTENSION tdigest' -c 'CREATE EXTENSION pg_prewarm'
meta tdigest_version "$(sql_value "SELECT extversion FROM pg_extension WHERE extname = 'tdigest'")"
meta logscore_installed "$(sql_value "SELECT extversion FROM pg_extension WHERE extname = 'logscore'")"
# the installed tdigest must have the aggregate used below
if [ "$(sql_value "SELECT count(*) FROM pg_proc WHERE proname = 'tdigest_percentile'
        AND pg_get_function_identity_arguments(oid) = 'double precision, integer, double precision[]'")" != 1 ]; then
	sql -c '\df tdigest*' >&2
	echo "this tdigest has no tdigest_percentile(double precision, integer, double precision[])" >&2
	exit 1
fi

# The events: as run.sh generates them, but the day ends a minute before
# now(), because a rollup's watermark is now(); the new events continue the
# day at the same rate (so they lie after now(), which the rollup allows).
day_end=$(sql_value "SELECT date_trunc('minute', now()) - interval '1 minute'")
t0=$(now_us)
say "generating $S_T ($S_ROWS rows, the 24 hours up to $day_end) ..."
generate "$S_T" "$S_ROWS" "timestamptz '$day_end' - interval '24 hours'"
took "$t0"
t0=$(now_us)
say "generating events_new ($S_NEW rows, the $((1440 * S_NEW / S_ROWS)) minutes after $day_end) ..."
SEED=0.43 generate events_new "$S_NEW" "timestamptz '$day_end'" "interval '$((1440 * S_NEW / S_ROWS)) minutes'"
took "$t0"

sql -c "VACUUM ANALYZE $S_T" -c "VACUUM ANALYZE events_new"
sql_value "SELECT pg_prewarm('$S_T')" >/dev/null
meta allvisible "$(sql_value "SELECT round(100.0 * relallvisible / greatest(1, relpages), 1) FROM pg_class WHERE relname = '$S_T'")"
meta "data_$S_T" "$(sql_value "SELECT format('%s rows, %s services, ts from %s to %s, min %s, max %s, %s',
	count(*), count(DISTINCT service), min(ts), max(ts), min(value), max(value), pg_size_pretty(pg_table_size('$S_T')))
	FROM $S_T")"
meta data_events_new "$(sql_value "SELECT format('%s rows, ts from %s to %s', count(*), min(ts), max(ts)) FROM events_new")"

s_settings() { # WORKERS
	echo "SET statement_timeout = '10min';"
	echo "SET max_parallel_workers_per_gather = $1;"
	[ -n "$QUICK" ] && echo "SET min_parallel_table_scan_size = 0;"
	echo "SET jit = off;"
}

# --- 1. the aggregates ------------------------------------------------------

s_names=(avg sketch tdigest percentile_cont percentile_disc)
s_sql=(
	"SELECT avg(value::float8) FROM $S_T"
	"SELECT logscore_quantiles(logscore_sketch(value), $S_QUANTILES) FROM $S_T"
	"SELECT tdigest_percentile(value::float8, 100, $S_QUANTILES) FROM $S_T"
	"SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY value) FROM $S_T"
	"SELECT percentile_disc($S_QUANTILES) WITHIN GROUP (ORDER BY value) FROM $S_T"
)
for workers in 0 1; do
	config="w${workers}-jitoff"
	t0=$(now_us)
	say "aggregates, $config: ${#s_names[@]} candidates, 1 warm-up + $ROUNDS rounds ..."
	{
		s_settings "$workers"
		for i in "${!s_names[@]}"; do
			marker 0 "${s_names[$i]}" "$S_ROWS" none
			echo "EXPLAIN ${s_sql[$i]};"
		done
	} | sql -At | collect plan "$config"
	so_mark "sketch-$config-start"
	{
		s_settings "$workers"
		printf '\\timing on\n'
		for ((r = 0; r <= ROUNDS; r++)); do
			for i in "${!s_names[@]}"; do
				marker "$r" "${s_names[$i]}" "$S_ROWS" none
				echo "${s_sql[$i]};"
			done
		done
	} | sql -At >"$scratch/sketch-$config.out"
	so_mark "sketch-$config-end"
	collect timing sketch "$config" "$workers" off <"$scratch/sketch-$config.out"
	took "$t0"
done

# --- 2. rollup vs refresh -----------------------------------------------------

t0=$(now_us)
say "rollup and materialized view over $S_T: built once ..."
sql <<SQL
CREATE INDEX ${S_T}_ts_brin ON $S_T USING brin (ts);
SELECT logscore_rollup_create('events_minute', '$S_T', 'ts', 'value', '1 minute', '{service}', '10 minutes') \\g /dev/null
SELECT logscore_rollup_create('events_minute_sqrt', '$S_T', 'ts', 'sqrt(value + 100000000)', '1 minute', '{service}', '10 minutes') \\g /dev/null
CREATE MATERIALIZED VIEW events_minute_mv AS
SELECT date_bin('1 minute', ts, timestamptz '2000-01-01 00:00:00+00') AS bucket, service,
       logscore_sketch(value::float8) AS sketch
FROM $S_T GROUP BY 1, 2
WITH NO DATA;
CREATE UNIQUE INDEX events_minute_mv_key ON events_minute_mv (bucket, service);
SQL
rollup_session() { # the statements on stdin, in a serial session; notices to rollup.err
	{
		s_settings 0
		cat
	} | sql -At >>"$scratch/rollup.out" 2>>"$scratch/rollup.err" || {
		cat "$scratch/rollup.err" >&2
		exit 1
	}
}
: >"$scratch/rollup.out"
: >"$scratch/rollup.err"
so_mark rollup-start
{
	printf '\\timing on\n'
	marker 1 rollup_initial "$S_ROWS" none
	echo "CALL logscore_rollup_run('events_minute');"
	marker 1 refresh_initial "$S_ROWS" none
	echo "REFRESH MATERIALIZED VIEW events_minute_mv;"
	printf '\\timing off\n'
	echo "CALL logscore_rollup_run('events_minute_sqrt');"
} | rollup_session
collect timing rollup w0-jitoff 0 off <"$scratch/rollup.out"
meta rollup_initial_notice "$(sed -n 's/^NOTICE: *\(.*(public.events_minute):\)/\1/p' "$scratch/rollup.err" | tail -n1)"
meta watermark_initial "$(sql_value "SELECT watermark FROM logscore_rollups WHERE name = 'public.events_minute'")"

say "inserting $S_NEW newer events ..."
sql -c "INSERT INTO $S_T SELECT id + $S_ROWS, ts, service, value FROM events_new" \
	-c "VACUUM ANALYZE $S_T" -c "VACUUM ANALYZE events_minute" -c "VACUUM ANALYZE events_minute_mv"
sql_value "SELECT sum(pg_prewarm(c.oid)) FROM pg_class c
           WHERE c.relname IN ('$S_T', 'events_minute', 'events_minute_mv', 'events_minute_pkey', 'events_minute_mv_key')" >/dev/null
# what an incremental run must read: the rows from date_bin(bucket, watermark - lateness) on
meta rollup_window "$(sql_value "SELECT format('%s rows from %s on (of %s; %s of them new)',
	(SELECT count(*) FROM $S_T WHERE ts >= b), b, (SELECT count(*) FROM $S_T), $S_NEW)
	FROM (SELECT date_bin(bucket, watermark - lateness, timestamptz '2000-01-01 00:00:00+00') AS b
	      FROM logscore_rollups WHERE name = 'public.events_minute') w")"
meta rollup_window_rows "$(sql_value "SELECT count(*) FROM $S_T WHERE ts >= (SELECT date_bin(bucket, watermark - lateness,
	timestamptz '2000-01-01 00:00:00+00') FROM logscore_rollups WHERE name = 'public.events_minute')")"
meta rollup_plan "$(sql_value "EXPLAIN (COSTS OFF) SELECT count(*) FROM $S_T WHERE ts >= now()" | tr '\n' ' ' | sed 's/  */ /g')"
took "$t0"

t0=$(now_us)
say "rollup vs refresh: 3 candidates, $ROUNDS rounds (and 1 warm-up of the rollup) ..."
: >"$scratch/rollup.err"
: >"$scratch/rollup.out"
{
	for ((r = 0; r <= ROUNDS; r++)); do
		echo "BEGIN;"
		printf '\\timing on\n'
		marker "$r" rollup_incremental "$S_NEW" none
		echo "CALL logscore_rollup_run('events_minute');"
		printf '\\timing off\n'
		echo "ROLLBACK;"
		# the cost of a bad row: the same rollup of sqrt(value + 1e8), clean and
		# with one value below -1e8 among the new events, whose run must find
		# it, set it aside and roll up the rest
		echo "BEGIN;"
		printf '\\timing on\n'
		marker "$r" rollup_clean_sqrt "$S_NEW" none
		echo "CALL logscore_rollup_run('events_minute_sqrt');"
		printf '\\timing off\n'
		echo "ROLLBACK;"
		echo "BEGIN;"
		echo "INSERT INTO $S_T (id, ts, service, value) SELECT -1, max(ts) - interval '1 minute', 'api', -200000000 FROM events_new;"
		printf '\\timing on\n'
		marker "$r" rollup_rejecting "$S_NEW" none
		echo "CALL logscore_rollup_run('events_minute_sqrt');"
		printf '\\timing off\n'
		echo "ROLLBACK;"
		# the refreshes' warm-up is their first, populating run above
		((r == 0)) && continue
		printf '\\timing on\n'
		marker "$r" refresh "$S_NEW" none
		echo "REFRESH MATERIALIZED VIEW events_minute_mv;"
		marker "$r" refresh_concurrently "$S_NEW" none
		echo "REFRESH MATERIALIZED VIEW CONCURRENTLY events_minute_mv;"
		printf '\\timing off\n'
	done
} | rollup_session
so_mark rollup-end
collect timing rollup w0-jitoff 0 off <"$scratch/rollup.out"
meta rollup_timed_notices "$(sed -n 's/^NOTICE: *\(.*(public.events_minute):\)/\1/p' "$scratch/rollup.err" | paste -sd '|')"
meta rollup_timed_source_rows "$(sed -n 's/^NOTICE: .*(public.events_minute): .*, \([0-9]*\) source rows.*/\1/p' "$scratch/rollup.err" | paste -sd ' ')"
meta rollup_rejecting_notices "$(sed -n 's/^\(NOTICE\|WARNING\): *\(.*(public.events_minute_sqrt):\)/\2/p' "$scratch/rollup.err" | paste -sd '|')"
meta watermark_after_rounds "$(sql_value "SELECT watermark FROM logscore_rollups WHERE name = 'public.events_minute'")"

# one incremental run for real, then the same per-bucket counts from both
: >"$scratch/rollup.err"
echo "CALL logscore_rollup_run('events_minute');" | rollup_session
meta rollup_final_notice "$(sed -n 's/^NOTICE: *//p' "$scratch/rollup.err" | tail -n1)"
compare="
	WITH r AS (SELECT bucket, service, logscore_count(sketch) AS n, logscore_sketch_send(sketch) AS b FROM events_minute),
	     m AS (SELECT bucket, service, logscore_count(sketch) AS n, logscore_sketch_send(sketch) AS b FROM events_minute_mv)"
meta rollup_mismatches "$(sql_value "$compare
	SELECT count(*) FROM r FULL JOIN m USING (bucket, service) WHERE r.n IS DISTINCT FROM m.n")"
meta rollup_check "$(sql_value "$compare
	SELECT format('rollup: %s (bucket, service) rows, %s events; view: %s rows, %s events; table: %s events; identical sketches: %s',
	       (SELECT count(*) FROM r), (SELECT sum(n) FROM r), (SELECT count(*) FROM m), (SELECT sum(n) FROM m),
	       (SELECT count(*) FROM $S_T), (SELECT count(*) FROM r JOIN m USING (bucket, service) WHERE r.b = m.b))")"
took "$t0"

# --- wrap up ------------------------------------------------------------------

finish_run sketch-results sketch_report.py
