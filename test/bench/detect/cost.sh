#!/bin/bash
# test/bench/detect/cost.sh: what logscore_detect costs a row in the window
# form, side by side with the trailing z-score, in one session and one run
# (issue 14's cost target: <= 2 us a row; the trailing z about 0.4 us).
#
#   PGHOST=... PGPORT=... bash test/bench/detect/cost.sh [SERIES] [ROWS] [ROUNDS]
#
# Against a running server with logscore installed (in the database the PG*
# variables name).  SERIES series of ROWS rows each (default 50 x 10,000: a
# daily cycle, noise, a spike now and then), serial, JIT off; each query
# counts its scores, ROUNDS times (default 5) after a warm-up, interleaved.
# Prints the median milliseconds, the microseconds a row, the same above the
# floor (row_number() over the same partitions: the index scan every window
# pays), and logscore_detect's ratio to the trailing z.
set -euo pipefail
SERIES=${1:-50}
ROWS=${2:-10000}
ROUNDS=${3:-5}
PSQL=${PSQL:-psql}

"$PSQL" -X -q -v ON_ERROR_STOP=1 <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS detect_cost;
CREATE TABLE detect_cost (series int, ts timestamptz, value float8);
INSERT INTO detect_cost
SELECT s, timestamptz '2026-01-01' + g * interval '1 minute',
       100 + 20 * sin(2 * pi() * g / 1440) + ((g * 7919 + s * 104729) % 1009) / 100.0
       + CASE WHEN (g * 31 + s) % 5003 = 0 THEN 50 ELSE 0 END
FROM generate_series(1, $SERIES) s, generate_series(1, $ROWS) g;
CREATE INDEX ON detect_cost (series, ts);
VACUUM ANALYZE detect_cost;
SQL

declare -A QUERY=(
	[floor]="SELECT count(x) FROM (SELECT row_number() OVER (PARTITION BY series ORDER BY ts) AS x FROM detect_cost) q"
	[zscore_w100]="SELECT count(x) FROM (SELECT logscore_zscore(value) OVER (PARTITION BY series ORDER BY ts ROWS BETWEEN 100 PRECEDING AND CURRENT ROW) AS x FROM detect_cost) q"
	[detect]="SELECT count(x) FROM (SELECT logscore_detect(value, ts) OVER (PARTITION BY series ORDER BY ts) AS x FROM detect_cost) q"
)
NAMES=(floor zscore_w100 detect)

script="SET max_parallel_workers_per_gather = 0; SET jit = off; SET work_mem = '256MB';
\\timing on"
for ((r = 0; r <= ROUNDS; r++)); do
	for n in "${NAMES[@]}"; do
		script+=$'\n'"\\echo @@ $r $n"$'\n'"${QUERY[$n]};"
	done
done
out=$("$PSQL" -X -q -At -v ON_ERROR_STOP=1 <<<"$script")

rows=$((SERIES * ROWS))
awk -v rows="$rows" -v rounds="$ROUNDS" -v shape="$SERIES series x $ROWS" '
	/^@@ / { r = $2; n = $3; next }
	/^Time: / { if (r > 0) t[n] = t[n] " " $2; next }
	function median(s,    a, k, i, j, x) {
		k = split(s, a, " ")
		for (i = 2; i <= k; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
		return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
	}
	END {
		printf "%d rows (%s), median of %d rounds, serial, JIT off\n", rows, shape, rounds
		split("floor zscore_w100 detect", names, " ")
		for (i = 1; i <= 3; i++) { m[names[i]] = median(t[names[i]]) }
		for (i = 1; i <= 3; i++) {
			n = names[i]
			printf "  %-12s %9.1f ms  %5.2f us/row  %5.2f above the floor\n", n, m[n], m[n] * 1000 / rows, (m[n] - m["floor"]) * 1000 / rows
		}
		printf "  logscore_detect / trailing z: %.2fx per row, %.2fx above the floor\n", m["detect"] / m["zscore_w100"], (m["detect"] - m["floor"]) / (m["zscore_w100"] - m["floor"])
	}' <<<"$out"
"$PSQL" -X -q -c 'DROP TABLE detect_cost'
