# shellcheck shell=bash disable=SC2154
# test/bench/window.sh: the window section of the harness (issue 5, "Tests" ->
# "Moving-aggregate proof"), sourced by `bash test/bench/run.sh --window` once
# the throwaway cluster runs; it uses run.sh's functions and settings (sql,
# meta, collect, marker, generate, ROUNDS, ...) and writes
# window-results.{csv,md}.
#
# One stream of W_ROWS events (the demo's latencies, in id order), scored
# against the W others before each event, serial and JIT off:
# 1. logscore_zscore(value) OVER (ORDER BY id ROWS BETWEEN W PRECEDING AND
#    CURRENT ROW) against what SQL offers, (value - avg(value) OVER w) /
#    stddev(value) OVER w with w = ROWS BETWEEN W PRECEDING AND 1 PRECEDING:
#    PostgreSQL's float8 avg and stddev have no inverse transition, so each
#    row re-aggregates its whole frame.  At W = 10, 100, 1000 (and 10000 for
#    logscore alone): logscore's cost per row must stay flat, the built-in's
#    grows with W.  The per-row results are compared once, untimed.
# 2. logscore_robust_zscore against the one way to write it in SQL, a
#    LATERAL percentile_cont over the frame's rows through the primary key,
#    on the first W_ROBUST_ROWS events (it costs ~0.1 ms per row at W=1000).
# 3. logscore_anomaly on an ingest path: the same events, with their
#    services, joined to one baseline sketch per service, against the join
#    alone (sum(value - 1)), with the rows as they come (services
#    interleaved) and sorted by service.
# Every candidate returns count(z) and sum(z); a timed query of logscore is
# run ROUNDS times after a warm-up, the built-ins (a minute each at W=1000)
# once, after their own warm-up at W=10.

W_ROWS=$([ -n "$QUICK" ] && echo 100000 || echo 1000000)
W_ROBUST_ROWS=$([ -n "$QUICK" ] && echo 5000 || echo 20000)
W_SIZES=(10 100 1000)
W_OURS_ONLY=10000
W_T=w_events
meta section window
meta rows "$W_ROWS"
meta robust_rows "$W_ROBUST_ROWS"
meta windows "${W_SIZES[*]} $W_OURS_ONLY"

say "creating the extension logscore"
sql -c 'CREATE EXTENSION logscore' -c 'CREATE EXTENSION pg_prewarm'
meta logscore_installed "$(sql_value "SELECT extversion FROM pg_extension WHERE extname = 'logscore'")"

t0=$(now_us)
say "generating $W_T ($W_ROWS events, one stream in id order) ..."
generate events_gen "$W_ROWS"
sql <<SQL
CREATE TABLE $W_T (id bigint PRIMARY KEY, value double precision NOT NULL);
INSERT INTO $W_T SELECT id, value FROM events_gen ORDER BY id;
CREATE TABLE a_events AS SELECT id, service, value FROM events_gen ORDER BY id;
CREATE TABLE a_events_sorted AS SELECT id, service, value FROM events_gen ORDER BY service, id;
CREATE TABLE a_baseline AS SELECT service, logscore_sketch(value) AS sketch FROM events_gen GROUP BY service;
DROP TABLE events_gen;
VACUUM ANALYZE $W_T;
VACUUM ANALYZE a_events;
VACUUM ANALYZE a_events_sorted;
ANALYZE a_baseline;
SQL
sql_value "SELECT pg_prewarm('$W_T') + pg_prewarm('${W_T}_pkey') + pg_prewarm('a_events') + pg_prewarm('a_events_sorted')" >/dev/null
meta "data_$W_T" "$(sql_value "SELECT format('%s rows, value from %s to %s, %s', count(*), min(value), max(value),
	pg_size_pretty(pg_table_size('$W_T'))) FROM $W_T")"
took "$t0"

w_settings() {
	echo "SET statement_timeout = '30min';"
	echo "SET max_parallel_workers_per_gather = 0;"
	echo "SET jit = off;"
}

# the candidates' queries, by name and window size
w_query() { # NAME W [ROWS]
	local name=$1 w=$2 rows=${3:-$W_ROWS}
	case $name in
	zscore)
		echo "SELECT count(z) || ' ' || sum(z) FROM (SELECT logscore_zscore(value) OVER (ORDER BY id
		      ROWS BETWEEN $w PRECEDING AND CURRENT ROW) AS z FROM $W_T) s" ;;
	builtin)
		echo "SELECT count(z) || ' ' || sum(z) FROM (SELECT (value - avg(value) OVER w)
		      / nullif(stddev(value) OVER w, 0) AS z FROM $W_T
		      WINDOW w AS (ORDER BY id ROWS BETWEEN $w PRECEDING AND 1 PRECEDING)) s" ;;
	robust)
		echo "SELECT count(z) || ' ' || sum(z) FROM (SELECT logscore_robust_zscore(value) OVER (ORDER BY id
		      ROWS BETWEEN $w PRECEDING AND CURRENT ROW) AS z FROM $W_T WHERE id <= $rows) s" ;;
	anomaly | anomaly_sorted)
		echo "SELECT count(z) || ' ' || sum(z) FROM (SELECT logscore_anomaly(e.value, b.sketch) AS z
		      FROM a_events${name#anomaly} e JOIN a_baseline b USING (service)) s" ;;
	join | join_sorted)
		echo "SELECT count(z) || ' ' || sum(z) FROM (SELECT e.value - 1 AS z
		      FROM a_events${name#join} e JOIN a_baseline b USING (service)) s" ;;
	percentile_cont)
		# the frame's others through the primary key; fewer than 4 of them
		# or an IQR of 0 give no z, as logscore_robust_zscore's NULL
		echo "SELECT count(z) || ' ' || sum(z) FROM (SELECT (e.value - q[2]) / nullif((q[3] - q[1]) / 1.349, 0) AS z
		      FROM $W_T e LEFT JOIN LATERAL (
		        SELECT percentile_cont('{0.25,0.5,0.75}'::float8[]) WITHIN GROUP (ORDER BY o.value) AS q
		        FROM $W_T o WHERE o.id >= e.id - $w AND o.id < e.id
		        HAVING count(*) >= 4) p ON true
		      WHERE e.id <= $rows) s" ;;
	esac
}

# w_time CONFIG LINES...: each LINE is "ROUND NAME W [ROWS]"; one session.
w_time() {
	local config=$1 line round name w rows
	shift
	{
		w_settings
		printf '\\timing on\n'
		for line in "$@"; do
			read -r round name w rows <<<"$line"
			marker "$round" "${name}_w$w" "${rows:-$W_ROWS}" none
			echo "$(w_query "$name" "$w" "$rows");"
		done
	} | sql -At >"$scratch/window-$config.out"
	collect timing window "$config" 0 off <"$scratch/window-$config.out"
}

so_mark window-start

# --- 1. z-scores ----------------------------------------------------------------

t0=$(now_us)
say "z-scores: logscore_zscore at W = ${W_SIZES[*]} $W_OURS_ONLY, 1 warm-up + $ROUNDS rounds ..."
lines=()
for ((r = 0; r <= ROUNDS; r++)); do
	for w in "${W_SIZES[@]}" "$W_OURS_ONLY"; do
		lines+=("$r zscore $w")
	done
done
w_time zscore "${lines[@]}"
took "$t0"

t0=$(now_us)
say "z-scores: the built-in avg/stddev window at W = ${W_SIZES[*]}, once each (~1 min at 1000) ..."
lines=("0 builtin ${W_SIZES[0]}")
for w in "${W_SIZES[@]}"; do
	lines+=("1 builtin $w")
done
w_time builtin "${lines[@]}"
took "$t0"

# w_check KEY PAIRS: compares, untimed, the (a, b) rows PAIRS selects (logscore's
# z and the built-in's); the meta KEY gets "rows NULL-in-one-only max-diff max-|z|",
# where diff is |a - b| / max(1, |b|).
w_check() {
	meta "$1" "$(sql_value "SET max_parallel_workers_per_gather = 0;
SELECT count(*) || ' ' || count(*) FILTER (WHERE (a IS NULL) <> (b IS NULL)) || ' '
       || coalesce(max(abs(a - b) / greatest(1, abs(b))), 0) || ' ' || coalesce(max(abs(b)), 0)
FROM ($2) s")"
}

# the same results, row by row: one untimed pass at the largest shared W
t0=$(now_us)
w=${W_SIZES[-1]}
say "z-scores: comparing logscore_zscore with the built-in row by row at W = $w ..."
w_check zscore_check "SELECT logscore_zscore(value) OVER (ORDER BY id ROWS BETWEEN $w PRECEDING AND CURRENT ROW) AS a,
       (value - avg(value) OVER w) / nullif(stddev(value) OVER w, 0) AS b
FROM $W_T WINDOW w AS (ORDER BY id ROWS BETWEEN $w PRECEDING AND 1 PRECEDING)"
took "$t0"

# --- 2. robust z-scores ---------------------------------------------------------

t0=$(now_us)
say "robust z-scores: logscore_robust_zscore over all $W_ROWS rows at W = ${W_SIZES[*]} $W_OURS_ONLY, and over the first $W_ROBUST_ROWS ..."
lines=()
for ((r = 0; r <= ROUNDS; r++)); do
	for w in "${W_SIZES[@]}" "$W_OURS_ONLY"; do
		lines+=("$r robust $w")
	done
	lines+=("$r robust ${W_SIZES[-1]} $W_ROBUST_ROWS")
done
w_time robust "${lines[@]}"
took "$t0"

t0=$(now_us)
w=${W_SIZES[-1]}
say "robust z-scores: LATERAL percentile_cont at W = $w over the first $W_ROBUST_ROWS rows, once ..."
w_time percentile_cont "1 percentile_cont $w $W_ROBUST_ROWS"
w_check robust_check "SELECT r.a, (e.value - q[2]) / nullif((q[3] - q[1]) / 1.349, 0) AS b
FROM $W_T e
JOIN (SELECT id, logscore_robust_zscore(value) OVER (ORDER BY id ROWS BETWEEN $w PRECEDING AND CURRENT ROW) AS a
      FROM $W_T WHERE id <= $W_ROBUST_ROWS) r USING (id)
LEFT JOIN LATERAL (
  SELECT percentile_cont('{0.25,0.5,0.75}'::float8[]) WITHIN GROUP (ORDER BY o.value) AS q
  FROM $W_T o WHERE o.id >= e.id - $w AND o.id < e.id HAVING count(*) >= 4) p ON true"
took "$t0"

# --- 3. logscore_anomaly at ingest -----------------------------------------------

t0=$(now_us)
meta baselines "$(sql_value "SELECT count(*) || ' services, ' || round(avg(pg_column_size(sketch))) || ' bytes a sketch' FROM a_baseline")"
meta anomaly_plan "$({ w_settings; echo "EXPLAIN (COSTS OFF) $(w_query anomaly 0);"; } | sql -At | tr '\n' ' ' | sed 's/  */ /g')"
say "logscore_anomaly: events joined to a baseline per service, 1 warm-up + $ROUNDS rounds ..."
lines=()
for ((r = 0; r <= ROUNDS; r++)); do
	for name in join anomaly join_sorted anomaly_sorted; do
		lines+=("$r $name 0")
	done
done
w_time anomaly "${lines[@]}"
took "$t0"

so_mark window-end

# --- wrap up ------------------------------------------------------------------

finish_run window-results window_report.py
