# shellcheck shell=bash disable=SC2154
# test/bench/detect.sh: the detection section of the harness (issue 14),
# sourced by `bash test/bench/run.sh --detect` once the throwaway cluster
# runs; it uses run.sh's functions and settings (sql, say, ROUNDS, QUICK,
# OUT, ...).
#
# Checks the NAB scorer on its hand-made cases (detect/test_nab.py), then
# test/bench/detect/evaluate.py generates the labelled corpus, loads it,
# scores every detector with NAB's rules, times them side by side, and
# writes detect-results.md and detect.png (into --out, or test/bench; a
# --quick run prints the report and keeps nothing).  detect/README.md says
# how to run evaluate.py against a server of your own.

say "the NAB scorer's checks (test/bench/detect/test_nab.py)"
"$PYTHON" "$bench_dir/detect/test_nab.py" >"$scratch/test_nab.out" 2>&1 || {
	cat "$scratch/test_nab.out" >&2
	echo "the NAB scorer fails its checks" >&2
	exit 1
}
tail -n1 "$scratch/test_nab.out" >&2

say "creating the extension logscore"
sql -c 'CREATE EXTENSION logscore'

if [ -n "$OUT" ]; then
	mkdir -p "$OUT"
	detect_out=$(cd "$OUT" && pwd)
elif [ -n "$QUICK" ]; then
	detect_out=$scratch/report
else
	detect_out=$bench_dir
fi
t0=$(now_us)
say "scoring the detectors, $ROUNDS timed rounds each ..."
PSQL="$PG_BINDIR/psql" LS_BENCH_GIT="$(git -C "$LS_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$LS_ROOT" diff --quiet HEAD -- src sql test/bench/detect 2>/dev/null || echo ' (modified)')" \
	LS_BENCH_CPU="$(lscpu | sed -n 's/^Model name: *//p' | head -n1), $(nproc) cores" \
	"$PYTHON" "$bench_dir/detect/evaluate.py" --rounds "$ROUNDS" --out "$detect_out" --command "$cmd"
took "$t0"
[ -n "$QUICK" ] && [ -z "$OUT" ] && cat "$detect_out/detect-results.md"
say "done in $(elapsed "$run_t0")"
