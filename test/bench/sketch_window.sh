#!/usr/bin/env bash
# test/bench/sketch_window.sh: logscore_sketch over a sliding window frame,
# with its inverse transition (0.7.0) and without (as 0.6.0 defined the
# aggregate: the same transition functions, no moving-aggregate ones), and
# over a running frame, side by side in one run on one throwaway server
# with the logscore installed:
#
#   PG_CONFIG=... bash test/bench/sketch_window.sh [ROWS] [W] [ROUNDS]
#
# Each case ranks every row among the W rows of its frame (the row itself
# included), the trailing-window rank of issue 14:
#   running:     logscore_rank(logscore_sketch(v) OVER (ORDER BY id ROWS UNBOUNDED PRECEDING), v)
#   sliding:     the same OVER (ORDER BY id ROWS BETWEEN W-1 PRECEDING AND CURRENT ROW)
#   no inverse:  the sliding frame with an aggregate defined without MSFUNC/MINVFUNC,
#                which PostgreSQL rebuilds from the frame's W rows on every row
# over ROWS latencies (rounded, so with ties, and some zeros).  Serial, JIT
# off; each case runs once to warm up, then ROUNDS times, taking turns; the
# least time of each is kept.  Prints the ratios only (a machine's absolute
# times say little), and checks that the sliding and no-inverse cases give
# the same ranks.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../tools/common.sh"
ls_use_pg_config "${PG_CONFIG:-}"

rows=${1:-50000}
w=${2:-1000}
rounds=${3:-3}

work=$(ls_scratch)
ls_cleanup_on_exit work "sketch_window.sh failed"
LS_PGPORT=${LS_PGPORT:-54378} ls_cluster_start "$work" shared_buffers=256MB jit=off \
	max_parallel_workers_per_gather=0

ls_psql >/dev/null <<SQL
CREATE EXTENSION logscore;
SELECT setseed(0.14);
CREATE TABLE bench_events (id int PRIMARY KEY, v float8 NOT NULL);
INSERT INTO bench_events
SELECT i, CASE WHEN random() < 0.05 THEN 0 ELSE round(exp(6 + random() * 3 + random() * random() * 4)) END
FROM generate_series(1, $rows) i;
VACUUM ANALYZE bench_events;
-- logscore_sketch as 0.6.0 defined it: no inverse transition
CREATE AGGREGATE sketch_no_inverse(value float8) (
  SFUNC = logscore_sketch_add, STYPE = logscore_sketch, COMBINEFUNC = logscore_sketch_combine,
  PARALLEL = SAFE);
CREATE FUNCTION bench_ms(query text) RETURNS float8 LANGUAGE plpgsql AS \$\$
DECLARE t0 timestamptz := clock_timestamp(); r record;
BEGIN EXECUTE query INTO r; RETURN extract(epoch FROM clock_timestamp() - t0) * 1000; END \$\$;
SQL

declare -A query=(
	[running]="SELECT sum(r) FROM (SELECT logscore_rank(logscore_sketch(v) OVER (ORDER BY id ROWS UNBOUNDED PRECEDING), v) AS r FROM bench_events) s"
	[sliding]="SELECT sum(r) FROM (SELECT logscore_rank(logscore_sketch(v) OVER (ORDER BY id ROWS BETWEEN $((w - 1)) PRECEDING AND CURRENT ROW), v) AS r FROM bench_events) s"
	[no_inverse]="SELECT sum(r) FROM (SELECT logscore_rank(sketch_no_inverse(v) OVER (ORDER BY id ROWS BETWEEN $((w - 1)) PRECEDING AND CURRENT ROW), v) AS r FROM bench_events) s"
)
cases=(running sliding no_inverse)

same=$(ls_psql -At -c "SELECT count(*) FILTER (WHERE a IS DISTINCT FROM b) FROM (
  SELECT logscore_rank(logscore_sketch(v) OVER w, v) AS a, logscore_rank(sketch_no_inverse(v) OVER w, v) AS b
  FROM bench_events WINDOW w AS (ORDER BY id ROWS BETWEEN $((w - 1)) PRECEDING AND CURRENT ROW)) s")
[ "$same" = 0 ] || { echo "sliding and no-inverse ranks differ on $same rows" >&2; exit 1; }

declare -A best
for c in "${cases[@]}"; do
	ls_psql -At -c "SELECT bench_ms(\$q\$${query[$c]}\$q\$)" >/dev/null # warm-up
done
for ((r = 0; r < rounds; r++)); do
	for c in "${cases[@]}"; do
		ms=$(ls_psql -At -c "SELECT bench_ms(\$q\$${query[$c]}\$q\$)")
		if [ -z "${best[$c]:-}" ] || awk -v a="$ms" -v b="${best[$c]}" 'BEGIN { exit !(a < b) }'; then
			best[$c]=$ms
		fi
	done
done

echo "logscore_rank(logscore_sketch(v) OVER w, v) over $rows rows, W = $w, least of $rounds rounds:"
awk -v run="${best[running]}" -v sl="${best[sliding]}" -v no="${best[no_inverse]}" 'BEGIN {
	printf "  sliding frame, no inverse (0.6.0) / running frame : %6.1f x\n", no / run
	printf "  sliding frame, inverse (0.7.0)    / running frame : %6.1f x\n", sl / run
	printf "  sliding frame, no inverse / with inverse          : %6.1f x\n", no / sl
}'
