#!/usr/bin/env bash
# test/bench/sketch_passes.sh: two builds of logscore side by side on the
# sketch's I/O paths (send, COPY BINARY out and in, text input, copies of
# stored sketches in an aggregate and in a plain transition call,
# logscore_same_distribution on equal sketches), in one sitting on one
# throwaway server.
#
#   PG_CONFIG=... bash test/bench/sketch_passes.sh OLD.so NEW.so [ROWS] [ROUNDS]
#
# OLD.so and NEW.so are two builds' logscore.so for the same SQL (install
# either first, so that the extension's SQL files are there).  Each round
# runs every case with both builds, which take turns at going first: the
# library is swapped between sessions (a backend loads it on first use), so both meet
# the same server, data and cache.  What is measured is the backend's CPU
# time for the statement (perf stat's task-clock, so perf must be there).
# Prints per case each build's least time over the rounds and their ratio
# new / old, and the median and range of the rounds' ratios; the installed
# logscore.so is put back at the end.  A case whose code the two builds share (text input,
# for the change this was written for) is a control: its ratio shows the
# noise.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../tools/common.sh"

old_so=$(realpath "$1")
new_so=$(realpath "$2")
rows=${3:-100000}
rounds=${4:-5}
libdir=$("$PG_CONFIG" --pkglibdir)
installed=$libdir/logscore.so

work=$(ls_scratch)
cp "$installed" "$work/installed.so"
cleanup() {
	ls_cluster_stop "$work"
	cp "$work/installed.so" "$libdir/.logscore.so.tmp" && mv -f "$libdir/.logscore.so.tmp" "$installed"
	rm -rf "$work"
}
trap cleanup EXIT

# use SO: the library the next session loads (a rename, so no backend ever
# sees a half-written file)
use() {
	cp "$1" "$libdir/.logscore.so.tmp"
	mv -f "$libdir/.logscore.so.tmp" "$installed"
}

LS_PGPORT=${LS_PGPORT:-54377} ls_cluster_start "$work" shared_buffers=256MB jit=off \
	max_parallel_workers_per_gather=0
psql_() { ls_as_user psql -X -q -v ON_ERROR_STOP=1 "$@"; }

use "$new_so"
say "creating $rows sketches of 200 values each"
psql_ <<SQL
CREATE EXTENSION logscore;
CREATE TABLE sk (id int, s logscore_sketch);
INSERT INTO sk
SELECT i, (SELECT logscore_sketch(exp(8 * random()) * (i % 7 + 1 + 0 * j)) FROM generate_series(1, 200) j)
FROM generate_series(1, $rows) i;
CREATE TABLE sk_copy (LIKE sk);
CREATE TABLE sk_text AS SELECT id, s::text AS t FROM sk;
COPY sk TO '$work/sk.bin' (FORMAT binary);
VACUUM ANALYZE sk;
VACUUM ANALYZE sk_text;
SQL
psql_ -At -c "SELECT format('%s sketches, on average %s bytes stored and %s as text', count(*),
	round(avg(pg_column_size(s))), round(avg(length(t)))) FROM sk JOIN sk_text USING (id)" >&2

names=(send copy_binary_out copy_binary_in text_in aggregate_copy add_copy same_distribution)
statements=(
	"SELECT sum(length(logscore_sketch_send(s))) FROM sk"
	"COPY sk TO '/dev/null' (FORMAT binary)"
	"COPY sk_copy FROM '$work/sk.bin' (FORMAT binary)"
	"SELECT count(t::logscore_sketch) FROM sk_text"
	"SELECT count(*) FROM (SELECT id, logscore_merge(s) AS m FROM sk GROUP BY id) g WHERE m IS NOT NULL"
	"SELECT count(logscore_sketch_add(s, 1)) FROM sk"
	"SELECT count(*) FILTER (WHERE logscore_same_distribution(s, s)) FROM sk"
)

# session: one psql session that runs every case once to warm up, then each
# again under perf stat; prints "name milliseconds" lines, the backend's CPU
# time (task-clock) for the statement, which a busy machine disturbs far
# less than the wall-clock time would be
session() {
	local pid i
	rm -f "$work/in" "$work/out"
	mkfifo "$work/in"
	chmod 666 "$work/in"
	psql_ -At <"$work/in" >"$work/out" 2>&1 &
	exec 3>"$work/in"
	echo "SELECT pg_backend_pid();" >&3
	until [ -s "$work/out" ]; do sleep 0.1; done
	pid=$(head -n 1 "$work/out")
	for i in "${!names[@]}"; do
		echo "TRUNCATE sk_copy; ${statements[$i]}; TRUNCATE sk_copy; SELECT 'warm $i';" >&3
		until grep -qx "warm $i" "$work/out"; do sleep 0.1; done
		perf stat -e task-clock -x, -o "$work/perf" -p "$pid" &
		local perf_pid=$!
		sleep 0.5
		echo "${statements[$i]}; SELECT 'done $i';" >&3
		until grep -qx "done $i" "$work/out"; do sleep 0.1; done
		kill -INT "$perf_pid"
		wait "$perf_pid" || true
		echo "${names[$i]} $(awk -F, '/task-clock/ {print $1}' "$work/perf")"
	done
	exec 3>&-
	wait
	if grep -q ERROR "$work/out"; then
		cat "$work/out" >&2
		exit 1
	fi
}

: >"$work/times"
for ((r = 1; r <= rounds; r++)); do
	say "round $r of $rounds"
	# the builds take turns going first, so neither always meets a machine
	# the other has just warmed (or that a neighbour has just loaded)
	order=(old new)
	[ $((r % 2)) -eq 0 ] && order=(new old)
	for build in "${order[@]}"; do
		if [ "$build" = old ]; then use "$old_so"; else use "$new_so"; fi
		session >"$work/session"
		sed "s/^/$build $r /" "$work/session" >>"$work/times"
	done
done

# per case: each build's least CPU time over the rounds and their ratio new /
# old (on a shared machine, interference only ever adds time, and a case
# that spills to disk or waits for a neighbour's cache may take twice as
# long in one round: the least time is the steadiest figure), then the
# median and range of the rounds' own ratios
printf '%-18s %10s %10s %8s %8s %14s\n' case "old cpu ms" "new cpu ms" new/old median "ratio range"
for name in "${names[@]}"; do
	awk -v n="$name" '$3 == n { t[$1, $2] = $4; rounds[$2] = 1 }
		function sorted(a, k,   i, j, x) {
			for (i = 2; i <= k; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
		}
		END {
			k = 0
			for (r in rounds) { k++; o[k] = t["old", r]; w[k] = t["new", r]; q[k] = t["new", r] / t["old", r] }
			sorted(o, k); sorted(w, k); sorted(q, k)
			mq = (k % 2) ? q[(k + 1) / 2] : (q[k / 2] + q[k / 2 + 1]) / 2
			printf "%-18s %10.1f %10.1f %8.2f %8.2f %6.2f to %.2f\n", n, o[1], w[1], w[1] / o[1], mq, q[1], q[k]
		}' "$work/times"
done
