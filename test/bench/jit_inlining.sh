#!/usr/bin/env bash
# test/bench/jit_inlining.sh: whether the JIT of the PostgreSQL that
# PG_CONFIG names inlines logscore(value), and what JIT does to its cost over
# a bare scan, measured side by side in one session (see jit-inlining.md).
#
#   PG_CONFIG=... bash test/bench/jit_inlining.sh [ROWS] [ROUNDS]
#
# The server must have been built with LLVM (Debian's 15 is; PostgreSQL 18
# built by tools/postgres.sh is not: configure one --with-llvm for this).
# Prints how many calls through the extension-function wrapper are left in
# the optimised module (0 means logscore was inlined), then per JIT setting
# the median of each query over the rounds and its ratio to the bare scan
# `sum(value)`; `sum(value + 0)` is the built-in call that JIT does inline.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../tools/common.sh"
cd "$LS_ROOT"
rows=${1:-5000000}
rounds=${2:-7}

ls_install_packages llvm-14 || exit 1
ls_build_or_use_installed test/bench/jit_inlining.sh
work=$(ls_scratch)
ls_cleanup_on_exit work "jit_inlining.sh failed"
ls_cluster_start "$work" shared_buffers=1GB max_parallel_workers_per_gather=0
psql_run() { ls_as_user "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }

psql_run -c 'CREATE EXTENSION logscore' \
	-c "CREATE TABLE events AS SELECT g::bigint AS value FROM generate_series(1, $rows) g" \
	-c 'VACUUM ANALYZE events'
[ "$(psql_run -At -c 'SELECT pg_jit_available()')" = t ] ||
	{ echo "JIT is not available on this server (built without LLVM?)" >&2; exit 1; }
psql_run -At -c 'SELECT version()'

jit_on='SET jit = on; SET jit_above_cost = 0; SET jit_inline_above_cost = 0; SET jit_optimize_above_cost = 0;'
# jit_dump_bitcode writes the module before and after optimisation into
# the data directory; a call left to the pgextern wrapper is a call not inlined
psql_run -c "$jit_on SET jit_dump_bitcode = on;" -c 'SELECT sum(logscore(value)) FROM events' >/dev/null
for bc in "$work"/data/*.optimized.bc; do
	printf 'calls to logscore left after optimisation: %s\n' \
		"$(llvm-dis-14 -o - "$bc" | grep -c 'call i64 @"pgextern.$libdir/logscore' || true)"
done

# Interleaved, one session, round 0 a discarded warm-up.
{
	echo '\timing on'
	for round in $(seq 0 "$rounds"); do
		for jit in off on; do
			if [ "$jit" = on ]; then echo "$jit_on"; else echo 'SET jit = off;'; fi
			for q in 'sum(value)' 'sum(value + 0)' 'sum(logscore(value))'; do
				echo "\\echo R $round $jit ${q// /}"
				echo "SELECT $q FROM events;"
			done
		done
	done
} | psql_run -At >"$work/timing.out"

awk -v rows="$rows" '
	/^R / { round = $2; jit = $3; q = $4; take = 1; next }
	/^Time:/ { if (take && round > 0) { n[jit, q]++; t[jit, q, n[jit, q]] = $2 } take = 0 }
	function median(jit, q,   k, i, j, tmp, a) {
		k = n[jit, q]
		for (i = 1; i <= k; i++) a[i] = t[jit, q, i]
		for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { tmp = a[i]; a[i] = a[j]; a[j] = tmp }
		return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
	}
	END {
		printf "%-4s %-22s %10s %10s %12s\n", "jit", "query", "median ms", "x bare", "ns/row over"
		split("sum(value) sum(value+0) sum(logscore(value))", qs, " ")
		for (jj = 1; jj <= 2; jj++) {
			jit = jj == 1 ? "off" : "on"
			bare = median(jit, "sum(value)")
			for (i = 1; i <= 3; i++) {
				m = median(jit, qs[i])
				printf "%-4s %-22s %10.1f %9.2fx %12.1f\n", jit, qs[i], m, m / bare, (m - bare) * 1e6 / rows
			}
		}
	}' "$work/timing.out"
